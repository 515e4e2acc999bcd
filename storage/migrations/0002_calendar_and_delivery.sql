-- Calendar rules (skipped periods, exemptions, reopened periods, paused campaigns) and
-- paced, retried delivery (outbox rows that may not go out before a moment, group flag).

ALTER TABLE campaigns ADD COLUMN paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1));

ALTER TABLE outbox ADD COLUMN not_before TEXT;
ALTER TABLE outbox ADD COLUMN is_group INTEGER NOT NULL DEFAULT 0 CHECK (is_group IN (0, 1));

CREATE TABLE campaign_skips (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    period_key   TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    PRIMARY KEY (campaign_id, period_key)
) WITHOUT ROWID;

CREATE TABLE exemptions (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    period_key   TEXT NOT NULL,
    org_id       INTEGER NOT NULL REFERENCES org_units (id),
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    PRIMARY KEY (campaign_id, period_key, org_id)
) WITHOUT ROWID;

CREATE TABLE reopenings (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    period_key   TEXT NOT NULL,
    org_id       INTEGER NOT NULL REFERENCES org_units (id),
    until        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (campaign_id, period_key, org_id)
) WITHOUT ROWID;
