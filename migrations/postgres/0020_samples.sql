-- Samples and everything derived from them (docs/storage.md explains the layout).
--
-- series: one row per (agent, metric name, label set). `hash` is the first 8 bytes of the
-- SHA-256 of the canonical name and labels, so the upsert and the workers' cache key on one
-- bigint instead of comparing jsonb.
CREATE TABLE series (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id text COLLATE "C" NOT NULL,
    name     text COLLATE "C" NOT NULL,
    labels   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
    hash     bigint NOT NULL,
    UNIQUE (agent_id, hash)
);
-- The query API looks series up by agent and metric name.
CREATE INDEX series_agent_name ON series (agent_id, name);

-- One narrow row per sample, range-partitioned by UTC day: retention drops whole partitions
-- and a time range only touches the days it covers. No primary key: exactly-once comes from
-- processed_batches, and a unique index would cost every insert a second B-tree probe.
CREATE TABLE samples (
    series_id bigint NOT NULL,
    ts        timestamptz NOT NULL,
    value     double precision NOT NULL
) PARTITION BY RANGE (ts);
-- Every read is "one series over a time range" (partitions inherit the index).
CREATE INDEX samples_series_ts ON samples (series_id, ts);

-- Creates the partition of the UTC day holding `day` unless it exists. Used by the workers
-- before they write a day for the first time and by the leader to stay ahead.
CREATE FUNCTION sentinel_ensure_samples_partition(day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    part text := format('samples_p%s', to_char(day, 'YYYYMMDD'));
BEGIN
    IF to_regclass(quote_ident(current_schema()) || '.' || part) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I.%I PARTITION OF %I.samples'
                   ' FOR VALUES FROM (%L) TO (%L)',
                   current_schema(), part, current_schema(),
                   (day::timestamp AT TIME ZONE 'UTC'),
                   ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    RETURN true;
END $$;

-- The seed documents' name for "samples with their series", kept so their SQL still works.
CREATE VIEW metrics_time AS
SELECT s.ts AS time, r.agent_id, r.name, r.labels, s.value
FROM samples s JOIN series r ON r.id = s.series_id;

-- Idempotency: a batch is stored at most once, whatever the bus redelivers.
CREATE TABLE processed_batches (
    agent_id     text COLLATE "C" NOT NULL,
    batch_id     bigint NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, batch_id)
);
CREATE INDEX processed_batches_at ON processed_batches (processed_at);

-- Messages that could not be decoded or validated, after the bus's last delivery.
CREATE TABLE ingest_dlq (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at    timestamptz NOT NULL DEFAULT now(),
    subject        text NOT NULL,
    message_id     text NOT NULL,
    delivery_count integer NOT NULL,
    reason         text NOT NULL,
    payload        bytea NOT NULL
);

-- (agent, 5-minute bucket) pairs written since the last rollup refresh. The refresh takes the
-- rows up to the highest id it saw (its watermark), recomputes those buckets from the samples
-- and deletes the rows: late samples are caught, and repeating a refresh changes nothing.
CREATE TABLE rollup_queue (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id text COLLATE "C" NOT NULL,
    bucket   timestamptz NOT NULL
);

CREATE TABLE mv_metrics_5m (
    series_id bigint NOT NULL,
    bucket    timestamptz NOT NULL,
    avg       double precision NOT NULL,
    min       double precision NOT NULL,
    max       double precision NOT NULL,
    count     bigint NOT NULL,
    sum       double precision NOT NULL,
    last      double precision NOT NULL,
    last_ts   timestamptz NOT NULL,
    PRIMARY KEY (series_id, bucket)
);
-- Retention and v_top_metrics read by time.
CREATE INDEX mv_metrics_5m_bucket ON mv_metrics_5m (bucket);

CREATE TABLE mv_metrics_1h (LIKE mv_metrics_5m INCLUDING ALL);

-- The latest sample of every series written in the last 15 minutes: one index probe per
-- series into the partitions of that window (pruned at executor start-up by now()).
CREATE VIEW v_recent_values AS
SELECT r.agent_id, r.name, r.labels, l.ts AS time, l.value
FROM series r
CROSS JOIN LATERAL (
    SELECT s.ts, s.value FROM samples s
    WHERE s.series_id = r.id AND s.ts > now() - interval '15 minutes'
    ORDER BY s.ts DESC LIMIT 1) l;

-- The busiest metrics of the last hour, from the 5-minute rollups (not the samples).
CREATE VIEW v_top_metrics AS
SELECT r.agent_id, r.name, sum(m.count)::bigint AS samples, avg(m.avg) AS avg_value
FROM mv_metrics_5m m JOIN series r ON r.id = m.series_id
WHERE m.bucket > now() - interval '1 hour'
GROUP BY r.agent_id, r.name
ORDER BY samples DESC;
