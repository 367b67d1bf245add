-- 0003: the registry — houses, premises, ownership rights, encumbrances,
-- personal accounts, and the log of owner and area changes (issue: registry).
-- Areas are BIGINT hundredths of m²; shares exact fractions (num/den);
-- coordinates BIGINT millionths of a degree; dates TEXT 'YYYY-MM-DD'.

CREATE TABLE houses (
    id {{ID}},
    region_id BIGINT NOT NULL REFERENCES regions (id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities (id),
    org_id BIGINT REFERENCES organizations (id),      -- managing organization (УО)
    kind TEXT NOT NULL CHECK (kind IN ('mkd', 'izd')), -- МКД or ИЖД
    address TEXT NOT NULL,
    address_search TEXT NOT NULL,                     -- lower-cased address, FIAS and cadastral no.
    fias_guid TEXT UNIQUE,                            -- ФИАС/ГАР house GUID
    cadastral_number TEXT,
    lat_e6 BIGINT, lon_e6 BIGINT,
    year_built INTEGER, floors INTEGER, wall_material TEXT,
    total_area BIGINT, residential_area BIGINT, nonresidential_area BIGINT,
    nonresidential_count INTEGER, balconies INTEGER, loggias INTEGER,
    emergency INTEGER NOT NULL DEFAULT 0,             -- аварийный
    common_area BIGINT, entrances INTEGER,
    building_meters TEXT,                             -- JSON list of ОДПУ
    systems TEXT,                                     -- JSON list of in-house systems
    extra TEXT,                                       -- JSON object, free-form characteristics
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
);
CREATE INDEX houses_scope ON houses (region_id, municipality_id, id);
CREATE INDEX houses_cadastral ON houses (cadastral_number);

-- Which organizations see a house: its manager, and every supplier with an
-- account in it. Kept by the registry module as houses and accounts change.
CREATE TABLE house_orgs (
    house_id BIGINT NOT NULL REFERENCES houses (id),
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    role TEXT NOT NULL CHECK (role IN ('manager', 'supplier')),
    PRIMARY KEY (house_id, org_id, role)
);
CREATE INDEX house_orgs_org ON house_orgs (org_id, house_id);

CREATE TABLE premises (
    id {{ID}},
    house_id BIGINT NOT NULL REFERENCES houses (id),
    region_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    number TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('residential', 'nonresidential', 'parking', 'storage')),
    area BIGINT NOT NULL,                             -- hundredths of m²
    cadastral_number TEXT,
    entrance INTEGER, floor INTEGER,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
    UNIQUE (house_id, number)
);
CREATE INDEX premises_scope ON premises (region_id, municipality_id, house_id);
CREATE INDEX premises_cadastral ON premises (cadastral_number);

CREATE TABLE rights (
    id {{ID}},
    premises_id BIGINT NOT NULL REFERENCES premises (id),
    house_id BIGINT NOT NULL,
    region_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('person', 'legal', 'public')),
    owner_name TEXT NOT NULL,
    owner_inn TEXT,
    right_type TEXT NOT NULL CHECK (right_type IN ('own', 'shared', 'joint')),
    share_num BIGINT NOT NULL DEFAULT 1,              -- долевая: the owner's share num/den
    share_den BIGINT NOT NULL DEFAULT 1,
    reg_number TEXT NOT NULL,                         -- номер государственной регистрации
    reg_date TEXT NOT NULL,
    end_date TEXT,                                    -- set when the right ends
    created_at BIGINT NOT NULL
);
CREATE INDEX rights_premises ON rights (premises_id, end_date);
CREATE INDEX rights_scope ON rights (region_id, municipality_id, house_id);
CREATE UNIQUE INDEX rights_reg ON rights (premises_id, reg_number, owner_name);

CREATE TABLE encumbrances (
    id {{ID}},
    right_id BIGINT NOT NULL REFERENCES rights (id),
    kind TEXT NOT NULL,                               -- ипотека, арест, аренда …
    reg_number TEXT,
    reg_date TEXT
);
CREATE INDEX encumbrances_right ON encumbrances (right_id);

CREATE TABLE accounts (
    id {{ID}},
    els TEXT UNIQUE,                                  -- единый лицевой счёт (10 chars)
    number TEXT NOT NULL,                             -- the supplier's own account number
    premises_id BIGINT REFERENCES premises (id),      -- NULL: an account without premises (a data error)
    house_id BIGINT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    region_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    payer_name TEXT,
    residents INTEGER NOT NULL DEFAULT 0,             -- registered residents
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX accounts_scope ON accounts (region_id, municipality_id, org_id);
CREATE INDEX accounts_premises ON accounts (premises_id);

-- A resident's link to the premises they live in or own (their scope).
CREATE TABLE resident_premises (
    user_id BIGINT NOT NULL REFERENCES users (id),
    premises_id BIGINT NOT NULL REFERENCES premises (id),
    PRIMARY KEY (user_id, premises_id)
);

-- Owner and area changes, with their date and source (supplier analytics).
CREATE TABLE registry_changes (
    id {{ID}},
    region_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    house_id BIGINT NOT NULL,
    premises_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('owner', 'area')),
    old_value TEXT,
    new_value TEXT,
    changed_on TEXT NOT NULL,                         -- date of the change
    source TEXT NOT NULL,                             -- import file, API user …
    at BIGINT NOT NULL
);
CREATE INDEX registry_changes_scope ON registry_changes (region_id, municipality_id, changed_on);
CREATE INDEX registry_changes_house ON registry_changes (house_id, changed_on);
