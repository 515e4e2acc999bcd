-- Reference values and targets of indicators (issue 9, part 2; bot.core.indicators).
--
-- One append-only table for both kinds: every /datsolieu, /datchitieu, /bosolieu and
-- /bochitieu adds a row, so the history of a figure (who set what, when) is kept; the
-- current value of a (kind, key, unit, scope) is its latest row, and a row whose value is
-- NULL removes it. ``org_id`` NULL means the whole workspace (a general target).
-- ``scope`` is where the value applies: '' every period, or a period key ("2026" a year,
-- "2026-Q4", "2026-11", "2026-W48"); the digest takes the most specific one that covers
-- its period (bot.core.indicators.scope_chain).

CREATE TABLE indicator_values (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    kind          TEXT NOT NULL CHECK (kind IN ('reference', 'target')),
    key           TEXT NOT NULL,
    org_id        INTEGER REFERENCES org_units (id),
    scope         TEXT NOT NULL DEFAULT '',
    value         TEXT,
    actor         TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX indicator_values_current
    ON indicator_values (workspace_id, kind, key, org_id, scope, id);
