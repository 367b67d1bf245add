-- Payment documents (docs/paydoc.md): the payee's bank details and the
-- dispatch service of an organization, the payee of a service collected on
-- another organization's document, and the manifest of rendered files.

ALTER TABLE organizations ADD COLUMN bank_name TEXT;          -- «ПАО Сбербанк»
ALTER TABLE organizations ADD COLUMN bic TEXT;                -- БИК, 9 digits
ALTER TABLE organizations ADD COLUMN settlement_account TEXT; -- р/с, 20 digits (key checked with the BIC)
ALTER TABLE organizations ADD COLUMN corr_account TEXT;       -- к/с, 20 digits
ALTER TABLE organizations ADD COLUMN dispatch_phone TEXT;     -- аварийно-диспетчерская служба

-- NULL: the service's own organization is paid. Another organization (the
-- regional capital-repair operator, a supplier collected through the ЕИРЦ)
-- gets its own section and QR code on the document.
ALTER TABLE services ADD COLUMN payee_org_id BIGINT REFERENCES organizations (id);

-- One row per file written by `upravdom render bills`: a print batch (many
-- documents in delivery-route order) or a single document. A re-run compares
-- the digest of the documents with the row and leaves unchanged files alone.
CREATE TABLE paydoc_files (
    id {{ID}},
    region_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    period TEXT NOT NULL,                             -- YYYY-MM
    kind TEXT NOT NULL CHECK (kind IN ('batch', 'single')),
    name TEXT NOT NULL,                               -- path under the output directory
    label TEXT,                                       -- batch: municipality and street
    digest TEXT NOT NULL,                             -- hex SHA-256 of its documents' JSON forms
    documents INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL DEFAULT 0,               -- the file's mtime as written (0: unknown)
    rendered_at BIGINT NOT NULL,
    -- Also what a render reads: an organization's files of a period.
    UNIQUE (org_id, period, name)
);
CREATE INDEX paydoc_files_scope ON paydoc_files (region_id, org_id, period);

-- The print run reads a house's documents by their statements (the
-- statement is the document's snapshot: an account moved to another house
-- since the run is still printed with the house it was billed in). The
-- index of statements by organization and period gets the house as its
-- third column rather than a third index on the table (0006: every index is
-- paid for on each statement written).
DROP INDEX statements_org;
CREATE INDEX statements_org ON statements (org_id, period, house_id);
