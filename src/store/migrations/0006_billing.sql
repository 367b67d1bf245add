-- 0006: billing (docs/billing.md) — the catalogue of services with their
-- tariffs and consumption norms (history kept: a change is a new row), the
-- monthly statements an engine run writes per account and period, corrections
-- (перерасчёт) of past periods, payments, the key-rate history and penalty
-- regimes, cashback rules and the cashback ledger, and period closing.
--
-- Units: money BIGINT kopecks; a tariff BIGINT hundredths of a kopeck per
-- unit (35.6712 ₽/m² = 356712); quantities BIGINT thousandths of the unit
-- (54.37 m² = 54370, 3 residents = 3000, 4.250 m³ = 4250); rates in basis
-- points (21 % = 2100); periods TEXT 'YYYY-MM'; dates TEXT 'YYYY-MM-DD'.

-- The billing run reads a period's accepted readings (and the months before,
-- for averages) of a municipality from the index alone: readings_scope now
-- carries the columns it needs.
DROP INDEX readings_scope;
CREATE INDEX readings_scope ON readings (region_id, municipality_id, period, state, meter_id,
                                         consumption, months);

-- A service an organization (its supplier) charges for, and how.
CREATE TABLE services (
    id {{ID}},
    region_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    code TEXT NOT NULL,                               -- maintenance, cold_water … or custom
    name TEXT NOT NULL,                               -- «Холодное водоснабжение»
    method TEXT NOT NULL CHECK (method IN ('area', 'residents', 'meter', 'fixed')),
    unit TEXT NOT NULL,                               -- «м²», «чел.», «м³», «кВт·ч», «Гкал», «ЛС»
    resource TEXT CHECK (resource IN ('cold_water', 'hot_water', 'electricity', 'heat', 'gas',
                                      'wastewater')),  -- method meter; wastewater = cold + hot
    zone TEXT NOT NULL DEFAULT 'single' CHECK (zone IN ('single', 'day', 'night')),
    raising_pct INTEGER NOT NULL DEFAULT 100,         -- × on the norm without a meter (ПП 354 п. 42: 150)
    sort_order INTEGER NOT NULL DEFAULT 0,            -- order of lines on the document
    archived INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, code),
    CHECK ((method = 'meter') = (resource IS NOT NULL))
);

-- The price of a service from a date, for the whole organization (both ids
-- NULL), a municipality or one house; the most specific one wins, then the
-- latest valid_from. Rows are never updated but to end them (valid_to).
CREATE TABLE tariffs (
    id {{ID}},
    service_id BIGINT NOT NULL REFERENCES services (id),
    region_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    municipality_id BIGINT,
    house_id BIGINT,
    valid_from TEXT NOT NULL,                         -- the 1st of a month
    valid_to TEXT,                                    -- the last day of a month; NULL: open
    price BIGINT NOT NULL,                            -- hundredths of a kopeck per unit
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX tariffs_service ON tariffs (service_id, valid_from);
CREATE INDEX tariffs_org ON tariffs (org_id, service_id);

-- A consumption norm (норматив) per registered resident per month, same
-- scoping and validity as tariffs.
CREATE TABLE norms (
    id {{ID}},
    service_id BIGINT NOT NULL REFERENCES services (id),
    region_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    municipality_id BIGINT,
    house_id BIGINT,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    per_person BIGINT NOT NULL,                       -- thousandths of the unit
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX norms_service ON norms (service_id, valid_from);
CREATE INDEX norms_org ON norms (org_id, service_id);

-- An organization's billing settings; no row: the defaults (due on the 10th
-- of the next month, penalties counting the payment day).
CREATE TABLE billing_settings (
    org_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    due_day INTEGER NOT NULL CHECK (due_day BETWEEN 1 AND 28),
    count_payment_day INTEGER NOT NULL DEFAULT 1,
    cashback_bp INTEGER NOT NULL DEFAULT 0,           -- of an on-time full payment; 0: none
    cashback_cap BIGINT NOT NULL DEFAULT 0,           -- kopecks per document
    updated_at BIGINT NOT NULL
);

-- A period of an organization: open until closed; a closed period is never
-- rewritten (a run or a correction targeting it is refused).
CREATE TABLE billing_periods (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    period TEXT NOT NULL,
    closed_at BIGINT,
    closed_by BIGINT,
    PRIMARY KEY (org_id, period)
);

-- A billing run of an organization and period (the job that made it).
CREATE TABLE billing_runs (
    id {{ID}},
    region_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    period TEXT NOT NULL,
    job_id BIGINT,
    state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    accounts BIGINT NOT NULL DEFAULT 0,
    lines BIGINT NOT NULL DEFAULT 0,
    charged BIGINT NOT NULL DEFAULT 0,
    corrected BIGINT NOT NULL DEFAULT 0,
    penalty BIGINT NOT NULL DEFAULT 0,
    cashback BIGINT NOT NULL DEFAULT 0,               -- credited on the run's documents
    paid BIGINT NOT NULL DEFAULT 0,
    digest TEXT,                                      -- of every statement written: equal runs, equal digests
    error TEXT,
    created_by BIGINT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX billing_runs_org ON billing_runs (org_id, period, id);

-- Totals of a done run by service (the run page; the next period compares).
CREATE TABLE billing_run_totals (
    run_id BIGINT NOT NULL REFERENCES billing_runs (id),
    service_id BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    estimated BIGINT NOT NULL,                        -- lines billed without a reading
    PRIMARY KEY (run_id, service_id)
);

-- One per account and period: the payment document's data. The lines are
-- packed text (docs/billing.md "Statement lines"), decoded by the billing
-- module; the sums beside them are what queries need.
-- closing = opening + charged + corrected + penalty − cashback − paid.
CREATE TABLE statements (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    period TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    region_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    house_id BIGINT,
    run_id BIGINT NOT NULL,
    opening BIGINT NOT NULL,
    charged BIGINT NOT NULL,
    corrected BIGINT NOT NULL,
    penalty BIGINT NOT NULL,
    cashback BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    closing BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    lines TEXT NOT NULL,
    PRIMARY KEY (account_id, period)
);
-- Read by organization and period (the run, its page) and by account (the
-- ledger: the primary key). Every index is paid for on each of a region's
-- millions of statements a month, so there is no third one.
CREATE INDEX statements_org ON statements (org_id, period);

-- A recalculation of a past period, shown as its own line in apply_period.
CREATE TABLE corrections (
    id {{ID}},
    region_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    period TEXT NOT NULL,                             -- the period recalculated
    apply_period TEXT NOT NULL,                       -- the document it appears on
    quantity BIGINT NOT NULL DEFAULT 0,
    amount BIGINT NOT NULL,                           -- signed kopecks
    reason TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX corrections_apply ON corrections (org_id, apply_period, account_id);
CREATE INDEX corrections_account ON corrections (account_id, apply_period);

-- Payments, refunds and reversals: each its own entry, never edited.
-- Idempotent by the payer's (bank's) own id within the organization.
CREATE TABLE payments (
    id {{ID}},
    region_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    ext_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'reversal')),
    paid_on TEXT NOT NULL,
    amount BIGINT NOT NULL,                           -- positive; refunds and reversals subtract
    period TEXT,                                      -- named by the payer; NULL: oldest debt
    reverses BIGINT,                                  -- the payment a reversal cancels
    channel TEXT NOT NULL CHECK (channel IN ('bank', 'app', 'cash', 'api')),
    source TEXT NOT NULL CHECK (source IN ('api', 'file')),
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, ext_id)
);
CREATE INDEX payments_account ON payments (account_id, paid_on);
CREATE INDEX payments_org ON payments (org_id, paid_on);
-- Accounts that paid naming a period (the run works out their penalties even
-- when the balance shows no old debt: the named period was paid first).
CREATE INDEX payments_named ON payments (org_id, account_id) WHERE period IS NOT NULL;

-- The key rate of the Bank of Russia from a date (ЖК 155 ч. 14 uses it).
CREATE TABLE key_rates (
    valid_from TEXT PRIMARY KEY,
    rate_bp INTEGER NOT NULL
);

-- Dated penalty regimes: no accrual at all (moratorium), or the rate capped
-- (ПП 474: the key rate as of 27.02.2022, 9.5 %).
CREATE TABLE penalty_regimes (
    id {{ID}},
    kind TEXT NOT NULL CHECK (kind IN ('moratorium', 'rate_cap')),
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    cap_bp INTEGER,
    note TEXT NOT NULL
);

INSERT INTO key_rates (valid_from, rate_bp) VALUES
    ('2022-02-14', 950), ('2022-02-28', 2000), ('2022-04-11', 1700), ('2022-05-04', 1400),
    ('2022-05-27', 1100), ('2022-06-14', 950), ('2022-07-25', 800), ('2022-09-19', 750),
    ('2023-07-24', 850), ('2023-08-15', 1200), ('2023-09-18', 1300), ('2023-10-30', 1500),
    ('2023-12-18', 1600), ('2024-07-29', 1800), ('2024-09-16', 1900), ('2024-10-28', 2100),
    ('2025-06-09', 2000), ('2025-07-28', 1800), ('2025-09-15', 1700), ('2025-10-27', 1650);

INSERT INTO penalty_regimes (kind, date_from, date_to, cap_bp, note) VALUES
    ('moratorium', '2020-04-06', '2021-01-01', NULL, 'ПП РФ № 424: пени не начисляются'),
    ('moratorium', '2022-04-01', '2022-10-01', NULL, 'ПП РФ № 497: мораторий'),
    ('rate_cap', '2022-02-28', '2024-12-31', 950, 'ПП РФ № 474: ставка на 27.02.2022');

-- Cashback accrued for an on-time full payment of a document (bill_period),
-- credited on the document of credit_period. Written by the run of
-- credit_period, with its statements.
CREATE TABLE cashback (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    bill_period TEXT NOT NULL,
    credit_period TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    region_id BIGINT NOT NULL,
    base BIGINT NOT NULL,                             -- the payment it was counted on
    amount BIGINT NOT NULL,
    PRIMARY KEY (account_id, bill_period)
);
CREATE INDEX cashback_org ON cashback (org_id, credit_period);
