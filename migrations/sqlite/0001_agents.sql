-- The fleet: one row per enrolled agent, with the host facts of its latest heartbeat. Times are
-- Unix milliseconds; labels a JSON object.
CREATE TABLE agents (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    hostname            TEXT NOT NULL DEFAULT '',
    hardware_id         TEXT NOT NULL DEFAULT '',
    labels              TEXT NOT NULL DEFAULT '{}' CHECK (json_type(labels) = 'object'),
    enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at          INTEGER NOT NULL,
    last_seen           INTEGER,
    facts_at            INTEGER,
    os                  TEXT NOT NULL DEFAULT '',
    kernel              TEXT NOT NULL DEFAULT '',
    agent_version       TEXT NOT NULL DEFAULT '',
    cpu_percent         REAL NOT NULL DEFAULT 0,
    memory_percent      REAL NOT NULL DEFAULT 0,
    disk_percent        REAL NOT NULL DEFAULT 0,
    load1               REAL NOT NULL DEFAULT 0,
    load5               REAL NOT NULL DEFAULT 0,
    load15              REAL NOT NULL DEFAULT 0,
    uptime_seconds      INTEGER NOT NULL DEFAULT 0,
    cpu_count           INTEGER NOT NULL DEFAULT 0,
    wal_backlog_batches INTEGER NOT NULL DEFAULT 0,
    wal_backlog_bytes   INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
