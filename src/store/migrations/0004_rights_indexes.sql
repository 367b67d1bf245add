-- 0004: the indexes of rights follow the queries that read them.
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
