-- 0001_init: the initial schema.
--
-- Conventions (see storage/codec.py):
--   * datetimes are ISO 8601 text in UTC with an explicit offset and fixed microsecond
--     precision ("2026-11-23T01:00:00.000000+00:00"), so text order is time order;
--   * booleans are INTEGER 0/1 guarded by a CHECK;
--   * JSON documents are TEXT (values_json uses a tagged encoding, see codec.py);
--   * enum-like text columns (role, purpose, step...) carry no CHECK list, so adding a
--     member to a domain enum needs no table rebuild; the domain enums validate on read;
--   * case-insensitive codes are stored twice: as typed (code) and as a normalized key
--     (code_key = NFC + casefold, computed in Python), which handles Vietnamese letters
--     that SQLite's ASCII-only NOCASE collation would not, and ports to PostgreSQL as is.
-- The runner executes each migration in one transaction and sets PRAGMA user_version.

CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE org_units (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    code          TEXT NOT NULL,
    code_key      TEXT NOT NULL,
    name          TEXT NOT NULL,
    short_name    TEXT NOT NULL DEFAULT '',
    parent_id     INTEGER,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    sort_order    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (workspace_id, code_key),
    -- Target of the composite foreign keys below: a parent, a member's organization and
    -- an invite's organization must belong to the same workspace.
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, parent_id) REFERENCES org_units (workspace_id, id)
);
CREATE INDEX org_units_by_order ON org_units (workspace_id, sort_order, id);
CREATE INDEX org_units_by_parent ON org_units (workspace_id, parent_id);

-- AUTOINCREMENT where rows are deleted, so an id is never reused for someone else.
CREATE TABLE members (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    channel       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    org_id        INTEGER,
    created_at    TEXT NOT NULL,
    UNIQUE (workspace_id, channel, user_id),
    FOREIGN KEY (workspace_id, org_id) REFERENCES org_units (workspace_id, id)
);
CREATE INDEX members_by_user ON members (channel, user_id);
CREATE INDEX members_by_org ON members (org_id);
CREATE INDEX members_by_workspace_org ON members (workspace_id, org_id);

CREATE TABLE invites (
    code_key      TEXT PRIMARY KEY,
    code          TEXT NOT NULL,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    org_id        INTEGER,
    role          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT,
    max_uses      INTEGER NOT NULL CHECK (max_uses >= 0),
    uses          INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    revoked       INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    FOREIGN KEY (workspace_id, org_id) REFERENCES org_units (workspace_id, id)
);
CREATE INDEX invites_by_workspace ON invites (workspace_id, created_at);
CREATE INDEX invites_by_org ON invites (workspace_id, org_id);

CREATE TABLE chat_bindings (
    id            INTEGER PRIMARY KEY,
    channel       TEXT NOT NULL,
    chat_id       TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    UNIQUE (channel, chat_id, purpose)
);
CREATE INDEX chat_bindings_by_workspace ON chat_bindings (workspace_id, purpose);

CREATE TABLE templates (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    key           TEXT NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1),
    document      TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (workspace_id, key, version)
);

-- schedule_json: {"open": s, "deadline": s, "reminders": [s, ...], "warning_before": s|null,
-- "lock_after": s}, offsets in seconds from the period's local start. One document rather
-- than columns: a new Schedule field needs no table rebuild.
CREATE TABLE campaigns (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id),
    name            TEXT NOT NULL,
    template_key    TEXT NOT NULL,
    period_type     TEXT NOT NULL,
    timezone        TEXT NOT NULL,
    schedule_json   TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    started_on      TEXT NOT NULL,
    prompt_private  INTEGER NOT NULL DEFAULT 1 CHECK (prompt_private IN (0, 1)),
    prompt_group    INTEGER NOT NULL DEFAULT 1 CHECK (prompt_group IN (0, 1))
);
CREATE INDEX campaigns_by_workspace ON campaigns (workspace_id, active);

CREATE TABLE cycle_steps (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    period_key   TEXT NOT NULL,
    step         TEXT NOT NULL,
    slot         INTEGER NOT NULL,
    done_at      TEXT NOT NULL,
    PRIMARY KEY (campaign_id, period_key, step, slot)
) WITHOUT ROWID;

-- One row per (campaign, period, organization); current_version points at the latest
-- row of submission_versions, so "current submissions" is one indexed join, not a
-- MAX() per group. period_type/period_start repeat what period_key says, in a form that
-- orders correctly for range queries (keys of different types interleave as text).
CREATE TABLE submissions (
    id               INTEGER PRIMARY KEY,
    campaign_id      INTEGER NOT NULL REFERENCES campaigns (id),
    period_key       TEXT NOT NULL,
    period_type      TEXT NOT NULL,
    period_start     TEXT NOT NULL,
    org_id           INTEGER NOT NULL REFERENCES org_units (id),
    current_version  INTEGER NOT NULL CHECK (current_version >= 1),
    UNIQUE (campaign_id, period_key, org_id)
);
CREATE INDEX submissions_by_range ON submissions (campaign_id, period_type, period_start, org_id);
CREATE INDEX submissions_by_org ON submissions (org_id);

CREATE TABLE submission_versions (
    id             INTEGER PRIMARY KEY,
    submission_id  INTEGER NOT NULL REFERENCES submissions (id),
    version        INTEGER NOT NULL CHECK (version >= 1),
    channel        TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    raw_text       TEXT NOT NULL,
    values_json    TEXT NOT NULL,
    photos_json    TEXT NOT NULL DEFAULT '[]',
    submitted_at   TEXT NOT NULL,
    late           INTEGER NOT NULL CHECK (late IN (0, 1)),
    UNIQUE (submission_id, version)
);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX audit_log_by_workspace ON audit_log (workspace_id, id);

CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key          TEXT NOT NULL UNIQUE,
    channel             TEXT NOT NULL,
    chat_id             TEXT NOT NULL,
    text                TEXT NOT NULL,
    mention_user_ids    TEXT NOT NULL DEFAULT '[]',
    created_at          TEXT NOT NULL,
    sent_at             TEXT,
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    last_attempt_at     TEXT,
    failed_permanently  INTEGER NOT NULL DEFAULT 0 CHECK (failed_permanently IN (0, 1))
);
-- Partial indexes hold only the pending rows, so the sender's poll stays cheap however
-- many delivered messages accumulate. Queries must repeat the WHERE clause verbatim.
CREATE INDEX outbox_pending ON outbox (created_at, id)
    WHERE sent_at IS NULL AND failed_permanently = 0;
CREATE INDEX outbox_pending_by_channel ON outbox (channel, created_at, id)
    WHERE sent_at IS NULL AND failed_permanently = 0;

CREATE TABLE conversations (
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    data_json   TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id, user_id)
);

CREATE TABLE inbound_log (
    channel  TEXT NOT NULL,
    key      TEXT NOT NULL,
    seen_at  TEXT NOT NULL,
    PRIMARY KEY (channel, key)
) WITHOUT ROWID;
CREATE INDEX inbound_log_by_seen ON inbound_log (seen_at);
