-- NaN samples. SQLite has no NaN: it stores a bound NaN, and the result of Inf - Inf, as NULL,
-- which samples.value and the rollups' values refused, so a batch holding one NaN (a summary's
-- quantile before any observation) failed its whole ingest. These columns now take NULL, read
-- back as NaN. SQLite cannot drop a NOT NULL constraint in place: the tables are rebuilt, and
-- the views over them with them.
DROP VIEW metrics_time;
DROP VIEW v_recent_values;
DROP VIEW v_top_metrics;

CREATE TABLE samples_next (
    series_id INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    value     REAL  -- NULL: NaN, as in the rollups below
) STRICT;
INSERT INTO samples_next (series_id, ts, value) SELECT series_id, ts, value FROM samples;
DROP TABLE samples;
ALTER TABLE samples_next RENAME TO samples;
CREATE INDEX samples_series_ts ON samples (series_id, ts);
CREATE INDEX samples_ts ON samples (ts);

CREATE VIEW metrics_time AS
SELECT s.ts AS time, r.agent_id, r.name, r.labels, s.value
FROM samples s JOIN series r ON r.id = s.series_id;

CREATE VIEW v_recent_values AS
SELECT r.agent_id, r.name, r.labels, s.ts AS time, s.value
FROM series r JOIN samples s ON s.series_id = r.id
WHERE s.ts = (SELECT max(ts) FROM samples WHERE series_id = r.id
              AND ts > (unixepoch('now') - 900) * 1000);

CREATE TABLE mv_metrics_5m_next (
    series_id INTEGER NOT NULL,
    bucket    INTEGER NOT NULL,
    avg       REAL,
    min       REAL,
    max       REAL,
    count     INTEGER NOT NULL,
    sum       REAL,
    last      REAL,
    last_ts   INTEGER NOT NULL,
    PRIMARY KEY (series_id, bucket)
) STRICT, WITHOUT ROWID;
INSERT INTO mv_metrics_5m_next SELECT * FROM mv_metrics_5m;
DROP TABLE mv_metrics_5m;
ALTER TABLE mv_metrics_5m_next RENAME TO mv_metrics_5m;
CREATE INDEX mv_metrics_5m_bucket ON mv_metrics_5m (bucket);

CREATE TABLE mv_metrics_1h_next (
    series_id INTEGER NOT NULL,
    bucket    INTEGER NOT NULL,
    avg       REAL,
    min       REAL,
    max       REAL,
    count     INTEGER NOT NULL,
    sum       REAL,
    last      REAL,
    last_ts   INTEGER NOT NULL,
    PRIMARY KEY (series_id, bucket)
) STRICT, WITHOUT ROWID;
INSERT INTO mv_metrics_1h_next SELECT * FROM mv_metrics_1h;
DROP TABLE mv_metrics_1h;
ALTER TABLE mv_metrics_1h_next RENAME TO mv_metrics_1h;
CREATE INDEX mv_metrics_1h_bucket ON mv_metrics_1h (bucket);

CREATE VIEW v_top_metrics AS
SELECT r.agent_id, r.name, sum(m.count) AS samples, avg(m.avg) AS avg_value
FROM mv_metrics_5m m JOIN series r ON r.id = m.series_id
WHERE m.bucket > (unixepoch('now') - 3600) * 1000
GROUP BY r.agent_id, r.name
ORDER BY samples DESC;
