-- Recent and settled samples. Samples arrive in time order, one per series per push, and are
-- read by series; with one table indexed on (series_id, ts) every sample of a push landed on a
-- different index page, and SQLite's write-ahead log takes each changed page whole at each
-- commit: about one 4 KiB page per sample written. New samples now go to samples_recent, small
-- enough that a push's series share its index pages, and move into samples_settled in
-- (series, time) order in bulk, many samples of a series per page (SqliteSamples::append).
-- `samples` becomes the view of both, so every query reads one name.
DROP VIEW metrics_time;
DROP VIEW v_recent_values;
ALTER TABLE samples RENAME TO samples_settled;

CREATE TABLE samples_recent (
    series_id INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    value     REAL  -- NULL: NaN
) STRICT;
-- Covering: the reads of recent samples and the move into samples_settled need no row lookup.
CREATE INDEX samples_recent_series_ts ON samples_recent (series_id, ts, value);

CREATE VIEW samples AS
SELECT series_id, ts, value FROM samples_settled
UNION ALL
SELECT series_id, ts, value FROM samples_recent;

CREATE VIEW metrics_time AS
SELECT s.ts AS time, r.agent_id, r.name, r.labels, s.value
FROM samples s JOIN series r ON r.id = s.series_id;

-- Each series' latest sample of the last 15 minutes (SQLite takes `value` from the row whose
-- ts is the max): one range read of those minutes, as a join with the compound view per series
-- would not be planned through the indexes.
CREATE VIEW v_recent_values AS
SELECT r.agent_id, r.name, r.labels, l.time, l.value
FROM series r
JOIN (SELECT series_id, max(ts) AS time, value FROM samples
      WHERE ts > (unixepoch('now') - 900) * 1000 GROUP BY series_id) l ON l.series_id = r.id;
