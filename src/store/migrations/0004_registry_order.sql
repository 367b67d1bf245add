-- 0004: indexes of rights that follow their queries; the order of addresses.
-- Rights are read by house (the house card, the import's snapshot of a house)
-- and by premises (the leading column of the unique rights_reg). The index
-- on (premises_id, end_date) repeated rights_reg's prefix, and the one on
-- (region_id, municipality_id, house_id) served no query: scoped reads reach
-- rights through premises. One index fewer to keep up on every import.
DROP INDEX rights_premises;
DROP INDEX rights_scope;
CREATE INDEX rights_house ON rights (house_id);
-- Accounts are carried with their house when it moves (reg_house_move_rows).
CREATE INDEX accounts_house ON accounts (house_id);

-- Houses are listed in address order with numbers by value ("д. 2" before
-- "д. 10"): ICU's Russian collation with numeric ordering. SQLite gets the
-- same collation from the store (sqlite.c), PostgreSQL from ICU here.
{{PG}} CREATE COLLATION ru_natural (provider = icu, locale = 'ru-u-kn-true');
