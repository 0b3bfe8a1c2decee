-- The official list of administrative units: a unit is keyed by the
-- statistics office's code (two digits for a province, five for a commune
-- since 1 July 2025), never by its name, which can change. Units made by
-- hand (departments, villages) have no code.
ALTER TABLE units ADD COLUMN code TEXT;
ALTER TABLE units ADD COLUMN official_type TEXT;
CREATE UNIQUE INDEX units_code ON units (code);
