-- 0005: meters — individual (ИПУ, per premises) and building (ОДПУ, per house)
-- meters, their readings with channel, author and time, rejected submissions
-- (for the data-quality figures) and each organization's reading settings
-- (docs/meters.md). Values are BIGINT thousandths of the unit (m³, kWh,
-- Гкал); periods TEXT 'YYYY-MM'; dates TEXT 'YYYY-MM-DD'; times BIGINT Unix
-- seconds. Scope columns (region, municipality, house, organization) are
-- copied from the meter onto its readings, as the registry does.

CREATE TABLE meters (
    id {{ID}},
    region_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    house_id BIGINT NOT NULL REFERENCES houses (id),
    premises_id BIGINT REFERENCES premises (id),      -- NULL: a building meter (ОДПУ)
    org_id BIGINT NOT NULL REFERENCES organizations (id), -- who takes its readings
    kind TEXT NOT NULL CHECK (kind IN ('individual', 'building')),
    resource TEXT NOT NULL
        CHECK (resource IN ('cold_water', 'hot_water', 'electricity', 'heat', 'gas')),
    zone TEXT NOT NULL DEFAULT 'single' CHECK (zone IN ('single', 'day', 'night')),
    serial TEXT,                                      -- заводской номер; NULL: missing (a data error)
    digits INTEGER NOT NULL,                          -- integer digits of the counter
    decimals INTEGER NOT NULL,                        -- digits after the point (0–3)
    initial_value BIGINT NOT NULL DEFAULT 0,          -- the reading at installation
    installed_on TEXT NOT NULL,
    verified_on TEXT,                                 -- last поверка
    next_verification_on TEXT,                        -- due date; expired is derived, not stored
    removed_on TEXT,                                  -- снят с учёта
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((kind = 'individual' AND premises_id IS NOT NULL)
        OR (kind = 'building' AND premises_id IS NULL))
);
CREATE INDEX meters_scope ON meters (region_id, municipality_id, house_id);
CREATE INDEX meters_premises ON meters (premises_id);
CREATE INDEX meters_house ON meters (house_id);    -- a moved house takes its meters along
CREATE INDEX meters_org ON meters (org_id, id);
-- One register per house, resource, zone and serial among the meters in use.
CREATE UNIQUE INDEX meters_register ON meters (house_id, resource, zone, serial)
    WHERE removed_on IS NULL AND serial IS NOT NULL;
CREATE INDEX meters_serial ON meters (serial);

-- The reading window and the implausibility factor of an organization; an
-- organization without a row has the defaults (20–25, 3×).
CREATE TABLE reading_settings (
    org_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    first_day INTEGER NOT NULL CHECK (first_day BETWEEN 1 AND 31),
    last_day INTEGER NOT NULL CHECK (last_day BETWEEN 1 AND 31),
    factor_pct INTEGER NOT NULL,                      -- implausible above factor_pct/100 × average
    updated_at BIGINT NOT NULL
);

CREATE TABLE readings (
    id {{ID}},
    meter_id BIGINT NOT NULL REFERENCES meters (id),
    region_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    house_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    value BIGINT NOT NULL,
    consumption BIGINT NOT NULL,                      -- since the previous accepted reading
    months INTEGER NOT NULL,                          -- periods that consumption covers (>= 1)
    rollover INTEGER NOT NULL DEFAULT 0,              -- the counter passed through zero
    confirmed INTEGER NOT NULL DEFAULT 0,             -- staff confirmed an implausible consumption
    channel TEXT NOT NULL CHECK (channel IN ('resident', 'operator', 'file', 'api')),
    author_id BIGINT REFERENCES users (id),           -- NULL: the installation (CLI import)
    received_at BIGINT NOT NULL,                      -- when the reading was given
    submitted_at BIGINT NOT NULL,                     -- when it was stored
    in_window INTEGER,                                -- 1/0; NULL when the period was given explicitly
    state TEXT NOT NULL CHECK (state IN ('accepted', 'superseded')),
    replaces BIGINT,                                  -- the reading this correction superseded
    idem_key TEXT                                     -- the client's Idempotency-Key
);
-- At most one accepted reading per meter and period.
CREATE UNIQUE INDEX readings_accepted ON readings (meter_id, period) WHERE state = 'accepted';
CREATE INDEX readings_meter ON readings (meter_id, period, id);
CREATE INDEX readings_scope ON readings (region_id, municipality_id, period);
CREATE INDEX readings_org ON readings (org_id, period);
CREATE UNIQUE INDEX readings_idem ON readings (meter_id, idem_key) WHERE idem_key IS NOT NULL;

-- Submissions refused by a rule (docs/meters.md "Validation"), kept for the
-- data-quality figures ("readings rejected").
CREATE TABLE reading_rejections (
    id {{ID}},
    meter_id BIGINT NOT NULL REFERENCES meters (id),
    region_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    house_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    value BIGINT NOT NULL,
    channel TEXT NOT NULL,
    author_id BIGINT,
    rule TEXT NOT NULL,
    message TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX reading_rejections_scope ON reading_rejections (region_id, municipality_id, period);
CREATE INDEX reading_rejections_meter ON reading_rejections (meter_id, period);
CREATE INDEX reading_rejections_org ON reading_rejections (org_id, period);
