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
