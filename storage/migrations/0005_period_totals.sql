-- Totals per campaign and period (bot.core.digest.PeriodTotals), so a digest's cumulative
-- section ("lũy kế từ đầu đợt") merges one small row per period instead of decoding every
-- report since the campaign began.
--
-- A row exists for every (campaign, period) that has submissions. Triggers keep it honest:
-- any write to a period's submissions or their versions bumps ``generation`` and clears
-- ``totals_json`` (NULL = to be computed again from the reports). The digest computes
-- missing totals and stores them only if ``generation`` is still the one it read before
-- loading the reports, so totals computed from reports that changed meanwhile are never
-- kept. ``signature`` names the template form the totals were computed for
-- (bot.core.digest.totals_signature): totals of another signature are computed again.

CREATE TABLE period_totals (
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    period_key    TEXT NOT NULL,
    period_type   TEXT NOT NULL,
    period_start  TEXT NOT NULL,
    generation    INTEGER NOT NULL DEFAULT 0,
    signature     TEXT,
    totals_json   TEXT,
    PRIMARY KEY (campaign_id, period_key)
) WITHOUT ROWID;
CREATE INDEX period_totals_by_range ON period_totals (campaign_id, period_type, period_start);

INSERT INTO period_totals (campaign_id, period_key, period_type, period_start)
    SELECT DISTINCT campaign_id, period_key, period_type, period_start FROM submissions;

CREATE TRIGGER period_totals_on_submission_insert AFTER INSERT ON submissions BEGIN
    INSERT INTO period_totals (campaign_id, period_key, period_type, period_start)
        VALUES (NEW.campaign_id, NEW.period_key, NEW.period_type, NEW.period_start)
        ON CONFLICT (campaign_id, period_key) DO UPDATE
        SET generation = generation + 1, totals_json = NULL;
END;

CREATE TRIGGER period_totals_on_submission_update AFTER UPDATE ON submissions BEGIN
    UPDATE period_totals SET generation = generation + 1, totals_json = NULL
        WHERE campaign_id = OLD.campaign_id AND period_key = OLD.period_key;
    INSERT INTO period_totals (campaign_id, period_key, period_type, period_start)
        VALUES (NEW.campaign_id, NEW.period_key, NEW.period_type, NEW.period_start)
        ON CONFLICT (campaign_id, period_key) DO UPDATE
        SET generation = generation + 1, totals_json = NULL;
END;

CREATE TRIGGER period_totals_on_submission_delete AFTER DELETE ON submissions BEGIN
    UPDATE period_totals SET generation = generation + 1, totals_json = NULL
        WHERE campaign_id = OLD.campaign_id AND period_key = OLD.period_key;
END;

CREATE TRIGGER period_totals_on_version_insert AFTER INSERT ON submission_versions BEGIN
    UPDATE period_totals SET generation = generation + 1, totals_json = NULL
        WHERE campaign_id = (SELECT campaign_id FROM submissions WHERE id = NEW.submission_id)
        AND period_key = (SELECT period_key FROM submissions WHERE id = NEW.submission_id);
END;

CREATE TRIGGER period_totals_on_version_update AFTER UPDATE ON submission_versions BEGIN
    UPDATE period_totals SET generation = generation + 1, totals_json = NULL
        WHERE campaign_id = (SELECT campaign_id FROM submissions WHERE id = OLD.submission_id)
        AND period_key = (SELECT period_key FROM submissions WHERE id = OLD.submission_id);
    UPDATE period_totals SET generation = generation + 1, totals_json = NULL
        WHERE campaign_id = (SELECT campaign_id FROM submissions WHERE id = NEW.submission_id)
        AND period_key = (SELECT period_key FROM submissions WHERE id = NEW.submission_id);
END;

CREATE TRIGGER period_totals_on_version_delete AFTER DELETE ON submission_versions BEGIN
    UPDATE period_totals SET generation = generation + 1, totals_json = NULL
        WHERE campaign_id = (SELECT campaign_id FROM submissions WHERE id = OLD.submission_id)
        AND period_key = (SELECT period_key FROM submissions WHERE id = OLD.submission_id);
END;
