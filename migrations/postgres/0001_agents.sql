-- The fleet: one row per enrolled agent, with the host facts of its latest heartbeat.
-- Ids sort bytewise (COLLATE "C") so that keyset pages have the same order on every backend.
CREATE TABLE agents (
    id                  text COLLATE "C" PRIMARY KEY,
    name                text NOT NULL,
    hostname            text NOT NULL DEFAULT '',
    hardware_id         text NOT NULL DEFAULT '',
    labels              jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
    enabled             boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL,
    last_seen           timestamptz,
    facts_at            timestamptz,
    os                  text NOT NULL DEFAULT '',
    kernel              text NOT NULL DEFAULT '',
    agent_version       text NOT NULL DEFAULT '',
    cpu_percent         double precision NOT NULL DEFAULT 0,
    memory_percent      double precision NOT NULL DEFAULT 0,
    disk_percent        double precision NOT NULL DEFAULT 0,
    load1               double precision NOT NULL DEFAULT 0,
    load5               double precision NOT NULL DEFAULT 0,
    load15              double precision NOT NULL DEFAULT 0,
    uptime_seconds      bigint NOT NULL DEFAULT 0,
    cpu_count           integer NOT NULL DEFAULT 0,
    wal_backlog_batches bigint NOT NULL DEFAULT 0,
    wal_backlog_bytes   bigint NOT NULL DEFAULT 0
);
