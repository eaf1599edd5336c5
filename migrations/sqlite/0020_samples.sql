-- Samples and everything derived from them, as in migrations/postgres/0020_samples.sql (see
-- docs/storage.md). Times are Unix milliseconds; labels a JSON object. SQLite has no
-- partitions: retention deletes by time through the (series_id, ts) index's companion on ts.
CREATE TABLE series (
    id       INTEGER PRIMARY KEY,
    agent_id TEXT NOT NULL,
    name     TEXT NOT NULL,
    labels   TEXT NOT NULL DEFAULT '{}' CHECK (json_type(labels) = 'object'),
    hash     INTEGER NOT NULL,
    UNIQUE (agent_id, hash)
) STRICT;
CREATE INDEX series_agent_name ON series (agent_id, name);

CREATE TABLE samples (
    series_id INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    value     REAL NOT NULL
) STRICT;
CREATE INDEX samples_series_ts ON samples (series_id, ts);
CREATE INDEX samples_ts ON samples (ts);

CREATE VIEW metrics_time AS
SELECT s.ts AS time, r.agent_id, r.name, r.labels, s.value
FROM samples s JOIN series r ON r.id = s.series_id;

CREATE TABLE processed_batches (
    agent_id     TEXT NOT NULL,
    batch_id     INTEGER NOT NULL,
    processed_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, batch_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX processed_batches_at ON processed_batches (processed_at);

CREATE TABLE ingest_dlq (
    id             INTEGER PRIMARY KEY,
    received_at    INTEGER NOT NULL,
    subject        TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    delivery_count INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    payload        BLOB NOT NULL
) STRICT;

CREATE TABLE rollup_queue (
    id       INTEGER PRIMARY KEY,
    agent_id TEXT NOT NULL,
    bucket   INTEGER NOT NULL
) STRICT;

CREATE TABLE mv_metrics_5m (
    series_id INTEGER NOT NULL,
    bucket    INTEGER NOT NULL,
    avg       REAL NOT NULL,
    min       REAL NOT NULL,
    max       REAL NOT NULL,
    count     INTEGER NOT NULL,
    sum       REAL NOT NULL,
    last      REAL NOT NULL,
    last_ts   INTEGER NOT NULL,
    PRIMARY KEY (series_id, bucket)
) STRICT, WITHOUT ROWID;
CREATE INDEX mv_metrics_5m_bucket ON mv_metrics_5m (bucket);

CREATE TABLE mv_metrics_1h (
    series_id INTEGER NOT NULL,
    bucket    INTEGER NOT NULL,
    avg       REAL NOT NULL,
    min       REAL NOT NULL,
    max       REAL NOT NULL,
    count     INTEGER NOT NULL,
    sum       REAL NOT NULL,
    last      REAL NOT NULL,
    last_ts   INTEGER NOT NULL,
    PRIMARY KEY (series_id, bucket)
) STRICT, WITHOUT ROWID;
CREATE INDEX mv_metrics_1h_bucket ON mv_metrics_1h (bucket);

CREATE VIEW v_recent_values AS
SELECT r.agent_id, r.name, r.labels, s.ts AS time, s.value
FROM series r JOIN samples s ON s.series_id = r.id
WHERE s.ts = (SELECT max(ts) FROM samples WHERE series_id = r.id
              AND ts > (unixepoch('now') - 900) * 1000);

CREATE VIEW v_top_metrics AS
SELECT r.agent_id, r.name, sum(m.count) AS samples, avg(m.avg) AS avg_value
FROM mv_metrics_5m m JOIN series r ON r.id = m.series_id
WHERE m.bucket > (unixepoch('now') - 3600) * 1000
GROUP BY r.agent_id, r.name
ORDER BY samples DESC;
