-- Directives (chỉ đạo) from the leadership to the organizations, their acknowledgement and
-- what each organization reports it did (issue 9, part 1).
--
-- A directive has a number per workspace (what people say: "chỉ đạo số 3"), its text, who
-- sent it and how (a command, or a reply to a digest), and, once closed, who closed it and
-- when; closed directives are kept as history. ``directive_orgs`` is the list of addressed
-- reporting units as it was when the directive was sent (units added later are not
-- addressed by it). ``directive_acks`` keeps the first acknowledgement of each addressed
-- unit: who (channel, user, name) and when. ``directive_answers`` keeps what a unit reports
-- it did, per reporting period of a campaign (the period of the report it came with), one
-- row per (directive, unit, campaign, period): a later answer for the same period replaces
-- the text and keeps the first time in ``first_at``. ``directive_steps`` records the
-- reminders sent for a directive (slot 0, 1…): the saved state that keeps a reminder from
-- going twice, even after a restart (the outbox's dedupe keys repeat that guarantee).
--
-- The outbox learns choices: a directive goes out with its "Đã nhận" button (Telegram) or
-- the words to type (Zalo, sandbox). ``choices`` is a JSON array of [label, data] pairs,
-- NULL for a message without choices.

CREATE TABLE directives (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id),
    number           INTEGER NOT NULL,
    text             TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_by_name  TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    source           TEXT NOT NULL DEFAULT 'command',  -- command | reply
    source_ref       TEXT NOT NULL DEFAULT '',
    closed_at        TEXT,
    closed_by        TEXT,
    UNIQUE (workspace_id, number)
);
CREATE INDEX directives_open ON directives (workspace_id, number) WHERE closed_at IS NULL;

CREATE TABLE directive_orgs (
    directive_id  INTEGER NOT NULL REFERENCES directives (id),
    org_id        INTEGER NOT NULL REFERENCES org_units (id),
    PRIMARY KEY (directive_id, org_id)
) WITHOUT ROWID;
CREATE INDEX directive_orgs_by_org ON directive_orgs (org_id);

CREATE TABLE directive_acks (
    directive_id  INTEGER NOT NULL REFERENCES directives (id),
    org_id        INTEGER NOT NULL REFERENCES org_units (id),
    channel       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    acked_at      TEXT NOT NULL,
    PRIMARY KEY (directive_id, org_id)
) WITHOUT ROWID;

CREATE TABLE directive_answers (
    directive_id  INTEGER NOT NULL REFERENCES directives (id),
    org_id        INTEGER NOT NULL REFERENCES org_units (id),
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    period_key    TEXT NOT NULL,
    text          TEXT NOT NULL,
    channel       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    first_at      TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (directive_id, org_id, campaign_id, period_key)
) WITHOUT ROWID;
CREATE INDEX directive_answers_by_period ON directive_answers (campaign_id, period_key);

CREATE TABLE directive_steps (
    directive_id  INTEGER NOT NULL REFERENCES directives (id),
    step          TEXT NOT NULL,
    slot          INTEGER NOT NULL,
    done_at       TEXT NOT NULL,
    PRIMARY KEY (directive_id, step, slot)
) WITHOUT ROWID;

ALTER TABLE outbox ADD COLUMN choices TEXT;
