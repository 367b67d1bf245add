-- 0001: reference data, users, sessions, login throttling and the audit log.
-- Times are BIGINT seconds since the Unix epoch, UTC. Every tenant table carries
-- region_id (and municipality_id where it has one): the distribution key for a
-- sharded PostgreSQL, and the first column of the scope predicates.

CREATE TABLE regions (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,          -- two-digit subject code
    name TEXT NOT NULL,
    timezone TEXT NOT NULL              -- IANA zone of the region's centre
);

CREATE TABLE municipalities (
    id {{ID}},
    region_id BIGINT NOT NULL REFERENCES regions (id),
    name TEXT NOT NULL,
    name_search TEXT NOT NULL,          -- lower-cased name for substring search
    oktmo TEXT UNIQUE,
    timezone TEXT NOT NULL,             -- IANA zone: deadlines and reports are local
    created_at BIGINT NOT NULL
);
CREATE INDEX municipalities_region ON municipalities (region_id);

CREATE TABLE organizations (
    id {{ID}},
    region_id BIGINT NOT NULL REFERENCES regions (id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities (id),
    kind TEXT NOT NULL CHECK (kind IN ('uo', 'rso', 'eirc', 'tko')),
    name TEXT NOT NULL,
    short_name TEXT,
    name_search TEXT NOT NULL,          -- lower-cased name and INN for search
    inn TEXT NOT NULL,
    kpp TEXT NOT NULL DEFAULT '',       -- '' for an ИП (12-digit INN)
    ogrn TEXT NOT NULL,
    address TEXT,
    phone TEXT,
    email TEXT,
    website TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (inn, kpp)
);
CREATE INDEX organizations_scope ON organizations (region_id, municipality_id);

CREATE TABLE users (
    id {{ID}},
    login TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    full_name_search TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN
        ('admin', 'region_operator', 'municipal_operator', 'org_staff', 'resident')),
    region_id BIGINT REFERENCES regions (id),
    municipality_id BIGINT REFERENCES municipalities (id),
    org_id BIGINT REFERENCES organizations (id),
    password_hash TEXT NOT NULL,        -- argon2id, libsodium's encoded form
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_scope ON users (region_id, municipality_id, org_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,        -- hex BLAKE2b of the token; the token itself is never stored
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    address TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, counted per login and per address within a window.
CREATE TABLE login_failures (
    id {{ID}},
    login TEXT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures (login, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

CREATE TABLE audit_log (
    id {{ID}},
    at BIGINT NOT NULL,
    user_id BIGINT,                     -- NULL for the system or an unknown login
    user_login TEXT,
    action TEXT NOT NULL,               -- e.g. organization.create
    object_type TEXT,
    object_id BIGINT,
    region_id BIGINT,                   -- scope of the object acted on
    municipality_id BIGINT,
    org_id BIGINT,
    address TEXT,                       -- client address
    request_id TEXT,
    detail TEXT                         -- JSON
);
CREATE INDEX audit_log_scope ON audit_log (region_id, municipality_id, at);
