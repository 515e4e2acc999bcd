-- When a unit was added (UTC, ISO 8601): a unit is expected to report for the periods
-- whose deadline comes after it was added, so one added in November is not missing the
-- weeks of January to October (bot.core.models.OrgUnit.added_at). NULL for the units
-- that existed before this column: expected in every period, as before.
ALTER TABLE org_units ADD COLUMN added_at TEXT;
