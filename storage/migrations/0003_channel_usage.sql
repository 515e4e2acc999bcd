-- Outgoing messages per channel and calendar month (in the bot's time zone): Zalo's free
-- plan reportedly allows only a few thousand a month, so the bot counts every message the
-- platform accepted (each part of a split message, replies and scheduled messages alike).

CREATE TABLE channel_usage (
    channel  TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM
    sent     INTEGER NOT NULL DEFAULT 0 CHECK (sent >= 0),
    PRIMARY KEY (channel, month)
) WITHOUT ROWID;
