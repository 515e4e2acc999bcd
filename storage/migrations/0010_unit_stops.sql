-- When each unit was stopped (/ngungdonvi) and reopened (/molaidonvi), UTC ISO 8601: a
-- unit is not expected to report for the periods due while it was stopped, so one
-- reopened in May is not missing March and April (bot.core.models.OrgUnit.stops). A unit
-- may be stopped and reopened several times: one row per stop, ``reopened_at`` NULL while
-- it is still stopped (at most one such row per unit).
CREATE TABLE org_unit_stops (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    org_id        INTEGER NOT NULL,
    stopped_at    TEXT NOT NULL,
    reopened_at   TEXT,  -- never before stopped_at (SqliteOrgRepo.set_active)
    FOREIGN KEY (workspace_id, org_id) REFERENCES org_units (workspace_id, id)
);
CREATE INDEX org_unit_stops_by_workspace ON org_unit_stops (workspace_id, org_id, stopped_at);
CREATE UNIQUE INDEX org_unit_stops_open ON org_unit_stops (org_id) WHERE reopened_at IS NULL;

-- Units stopped before this table: stopped since their last change, the last
-- /ngungdonvi of the audit log (its detail is the unit's code). Those without one have no
-- known date and are treated as before (when reopened, expected in every period).
INSERT INTO org_unit_stops (workspace_id, org_id, stopped_at)
    SELECT workspace_id, id, at FROM (
        SELECT o.workspace_id, o.id, (
            SELECT a.at FROM audit_log a
            WHERE a.workspace_id = o.workspace_id AND a.action = 'deactivate_org'
                AND a.detail = o.code
            ORDER BY a.id DESC LIMIT 1
        ) AS at
        FROM org_units o
        WHERE o.active = 0
    ) WHERE at IS NOT NULL;
