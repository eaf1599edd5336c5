-- Alerting: rules, the state of active alert instances, the log of their transitions, silences,
-- notifiers and the notification outbox with its history and dead letters. Times are Unix
-- milliseconds; JSON columns hold JSON text.
CREATE TABLE alert_rules (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    source      TEXT NOT NULL CHECK (source IN ('api', 'file')),
    definition  TEXT NOT NULL CHECK (json_type(definition) = 'object'),
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One row per instance that is not Ok; its fingerprint hashes the rule id and the series.
CREATE TABLE alert_instances (
    fingerprint      TEXT PRIMARY KEY,
    rule_id          TEXT NOT NULL,
    rule_name        TEXT NOT NULL,
    agent_id         TEXT NOT NULL DEFAULT '',
    labels           TEXT NOT NULL DEFAULT '{}',
    annotations      TEXT NOT NULL DEFAULT '{}',
    severity         TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
    value            REAL NOT NULL DEFAULT 0,
    pending_since    INTEGER NOT NULL DEFAULT 0,
    firing_since     INTEGER NOT NULL DEFAULT 0,
    last_breach      INTEGER NOT NULL DEFAULT 0,
    resolved_at      INTEGER NOT NULL DEFAULT 0,
    last_notified_at INTEGER NOT NULL DEFAULT 0,
    acked_at         INTEGER,
    acked_by         TEXT NOT NULL DEFAULT '',
    ack_note         TEXT NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX alert_instances_rule ON alert_instances (rule_id);

-- Append-only: every transition of every instance.
CREATE TABLE alerts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint    TEXT NOT NULL,
    rule_id        TEXT NOT NULL,
    rule_name      TEXT NOT NULL,
    agent_id       TEXT NOT NULL DEFAULT '',
    severity       TEXT NOT NULL,
    state          TEXT NOT NULL,
    previous_state TEXT NOT NULL,
    value          REAL NOT NULL DEFAULT 0,
    labels         TEXT NOT NULL DEFAULT '{}',
    annotations    TEXT NOT NULL DEFAULT '{}',
    silenced       INTEGER NOT NULL DEFAULT 0 CHECK (silenced IN (0, 1)),
    at             INTEGER NOT NULL
) STRICT;
CREATE INDEX alerts_at ON alerts (at);
CREATE INDEX alerts_fingerprint ON alerts (fingerprint);

CREATE TABLE silences (
    id          TEXT PRIMARY KEY,
    matchers    TEXT NOT NULL CHECK (json_type(matchers) = 'array'),
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL CHECK (ends_at > starts_at),
    comment     TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Secrets (tokens, passwords, webhook keys) are sealed with the master key before they get here.
CREATE TABLE notifiers (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    type               TEXT NOT NULL,
    settings           TEXT NOT NULL DEFAULT '{}',
    sealed_secrets     TEXT NOT NULL DEFAULT '',  -- base64url
    send_resolved      INTEGER NOT NULL DEFAULT 1 CHECK (send_resolved IN (0, 1)),
    group_wait_ms      INTEGER NOT NULL DEFAULT 0,
    repeat_interval_ms INTEGER NOT NULL DEFAULT 0,
    enabled            INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Written in the transaction of the state change that caused it; sent by the notify component.
CREATE TABLE notification_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notifier_id     TEXT NOT NULL,
    group_key       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at);

CREATE TABLE notification_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id    INTEGER NOT NULL,
    notifier_id  TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    result       TEXT NOT NULL,
    http_status  INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    duration_ms  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX notification_history_outbox ON notification_history (outbox_id);

CREATE TABLE notifications_dlq (
    id          INTEGER PRIMARY KEY,
    notifier_id TEXT NOT NULL,
    group_key   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    failed_at   INTEGER NOT NULL
) STRICT;

CREATE VIEW v_active_alerts AS
    SELECT fingerprint, rule_id, rule_name, agent_id, severity, state, value, labels, annotations,
           pending_since, firing_since, acked_at, acked_by, ack_note, updated_at
    FROM alert_instances WHERE state IN ('pending', 'firing');
