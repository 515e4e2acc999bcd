-- Organization hierarchy and files sent by the bot.
--
-- reports: whether a unit reports itself. A province or a commune that only groups the
-- Front and the five organizations under it is a unit with reports = 0: it is never
-- prompted nor counted missing; its digests and roll-ups cover its descendants.
ALTER TABLE org_units ADD COLUMN reports INTEGER NOT NULL DEFAULT 1 CHECK (reports IN (0, 1));

-- A file that travels with an outbox message (the digest's chart, a scheduled roll-up's
-- Word report or Excel workbook). Kept apart from the outbox rows so the dispatcher's
-- polling of pending messages never reads blobs; deleted with nothing (files are small and
-- a sent message's file is useful for re-sending on request).
CREATE TABLE outbox_attachments (
    outbox_id  INTEGER PRIMARY KEY REFERENCES outbox (id),
    kind       TEXT NOT NULL,          -- photo | document
    file_name  TEXT NOT NULL,
    content    BLOB NOT NULL
);

-- Per-workspace settings an admin sets by chat (the formal report's letterhead: issuing
-- body, place, signer, recipients; the scheduled roll-ups). One row per key: a new setting
-- needs no migration.
CREATE TABLE workspace_settings (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    key           TEXT NOT NULL,
    value         TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (workspace_id, key)
) WITHOUT ROWID;
