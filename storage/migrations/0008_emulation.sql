-- The emulation registry ("sổ điển hình", issue 9 part 3): narrative items of reports
-- marked as a good model ("mô hình hay, điển hình Dân vận khéo"), an exemplary collective
-- ("tập thể tiêu biểu") or an exemplary person ("cá nhân tiêu biểu"), kept across periods
-- for the year-end review conference, and the leaders' shortlist for commendation.
--
-- An entry points at the item it came from: the report of (campaign, period, org) and the
-- text field ``field_key``; ``text`` and ``photos_json`` are the item's words and the
-- report's photos, refreshed when the report is corrected (the report stays the source).
-- ``number`` is per workspace and never reused: what people type ("/denghikhen 12").
-- ``kind`` is model | collective | person; ``source`` is report (the reporter wrote it in
-- the template's field of good models) or command (marked with /danhdau, by the reporter
-- or by the leadership); ``title`` is the optional name of the model, collective or person.
-- Shortlisting for commendation fills the ``shortlisted_*`` columns (cleared when taken
-- back); removing an entry fills ``removed_*``: rows are never deleted, so the numbers
-- and the history stay. Kinds and sources are checked by the code, not by CHECK clauses.
--
-- ``emulation_picks`` keeps, per person and chat, the numbered list of report items the
-- bot last showed them (``/danhdau``), so "/danhdau 3" means the item they saw as 3.

CREATE TABLE emulation_entries (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id         INTEGER NOT NULL REFERENCES workspaces (id),
    number               INTEGER NOT NULL,
    org_id               INTEGER NOT NULL REFERENCES org_units (id),
    campaign_id          INTEGER NOT NULL REFERENCES campaigns (id),
    period_key           TEXT NOT NULL,
    period_type          TEXT NOT NULL,
    period_start         TEXT NOT NULL,
    field_key            TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    title                TEXT NOT NULL DEFAULT '',
    text                 TEXT NOT NULL,
    photos_json          TEXT NOT NULL DEFAULT '[]',
    source               TEXT NOT NULL DEFAULT 'command',
    marked_by            TEXT NOT NULL,
    marked_by_name       TEXT NOT NULL DEFAULT '',
    marked_at            TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    shortlisted_at       TEXT,
    shortlisted_by       TEXT,
    shortlisted_by_name  TEXT NOT NULL DEFAULT '',
    shortlist_note       TEXT NOT NULL DEFAULT '',
    removed_at           TEXT,
    removed_by           TEXT,
    UNIQUE (workspace_id, number)
);
CREATE INDEX emulation_entries_by_period ON emulation_entries (workspace_id, period_start);
CREATE INDEX emulation_entries_by_item
    ON emulation_entries (campaign_id, period_key, org_id, field_key);

CREATE TABLE emulation_picks (
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    items_json  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id, user_id)
) WITHOUT ROWID;
