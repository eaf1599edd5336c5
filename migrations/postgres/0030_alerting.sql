-- Alerting: rules, the state of active alert instances, the log of their transitions, silences,
-- notifiers and the notification outbox with its history and dead letters. Rule definitions,
-- notifier settings and payloads are JSON kept as written (text), since their readers parse them.
CREATE TABLE alert_rules (
    id          text COLLATE "C" PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    source      text NOT NULL CHECK (source IN ('api', 'file')),
    definition  text NOT NULL CHECK (jsonb_typeof(definition::jsonb) = 'object'),
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- One row per instance that is not Ok; its fingerprint hashes the rule id and the series.
CREATE TABLE alert_instances (
    fingerprint      text COLLATE "C" PRIMARY KEY,
    rule_id          text NOT NULL,
    rule_name        text NOT NULL,
    agent_id         text NOT NULL DEFAULT '',
    labels           jsonb NOT NULL DEFAULT '{}',
    annotations      jsonb NOT NULL DEFAULT '{}',
    severity         text NOT NULL,
    state            text NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
    value            double precision NOT NULL DEFAULT 0,
    pending_since    bigint NOT NULL DEFAULT 0,
    firing_since     bigint NOT NULL DEFAULT 0,
    last_breach      bigint NOT NULL DEFAULT 0,
    resolved_at      bigint NOT NULL DEFAULT 0,
    last_notified_at bigint NOT NULL DEFAULT 0,
    acked_at         timestamptz,
    acked_by         text NOT NULL DEFAULT '',
    ack_note         text NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL
);
CREATE INDEX alert_instances_rule ON alert_instances (rule_id);

-- Append-only: every transition of every instance.
CREATE TABLE alerts (
    id             bigserial PRIMARY KEY,
    fingerprint    text NOT NULL,
    rule_id        text NOT NULL,
    rule_name      text NOT NULL,
    agent_id       text NOT NULL DEFAULT '',
    severity       text NOT NULL,
    state          text NOT NULL,
    previous_state text NOT NULL,
    value          double precision NOT NULL DEFAULT 0,
    labels         jsonb NOT NULL DEFAULT '{}',
    annotations    jsonb NOT NULL DEFAULT '{}',
    silenced       boolean NOT NULL DEFAULT false,
    at             timestamptz NOT NULL
);
CREATE INDEX alerts_at ON alerts (at);
CREATE INDEX alerts_fingerprint ON alerts (fingerprint);

CREATE TABLE silences (
    id          text COLLATE "C" PRIMARY KEY,
    matchers    jsonb NOT NULL CHECK (jsonb_typeof(matchers) = 'array'),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
    comment     text NOT NULL DEFAULT '',
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL
);

-- Secrets (tokens, passwords, webhook keys) are sealed with the master key before they get here.
CREATE TABLE notifiers (
    id                 text COLLATE "C" PRIMARY KEY,
    name               text NOT NULL UNIQUE,
    type               text NOT NULL,
    settings           text NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings::jsonb) = 'object'),
    sealed_secrets     text NOT NULL DEFAULT '',  -- base64url
    send_resolved      boolean NOT NULL DEFAULT true,
    group_wait_ms      bigint NOT NULL DEFAULT 0,
    repeat_interval_ms bigint NOT NULL DEFAULT 0,
    enabled            boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

-- Written in the transaction of the state change that caused it; sent by the notify component.
CREATE TABLE notification_outbox (
    id              bigserial PRIMARY KEY,
    notifier_id     text NOT NULL,
    group_key       text NOT NULL,
    payload         text NOT NULL CHECK (jsonb_typeof(payload::jsonb) IS NOT NULL),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at);

CREATE TABLE notification_history (
    id           bigserial PRIMARY KEY,
    outbox_id    bigint NOT NULL,
    notifier_id  text NOT NULL,
    attempt      integer NOT NULL,
    at           timestamptz NOT NULL,
    result       text NOT NULL,
    http_status  integer NOT NULL DEFAULT 0,
    error        text NOT NULL DEFAULT '',
    duration_ms  bigint NOT NULL DEFAULT 0
);
CREATE INDEX notification_history_outbox ON notification_history (outbox_id);

CREATE TABLE notifications_dlq (
    id          bigint PRIMARY KEY,
    notifier_id text NOT NULL,
    group_key   text NOT NULL,
    payload     text NOT NULL,
    attempts    integer NOT NULL,
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    failed_at   timestamptz NOT NULL
);

CREATE VIEW v_active_alerts AS
    SELECT fingerprint, rule_id, rule_name, agent_id, severity, state, value, labels, annotations,
           pending_since, firing_since, acked_at, acked_by, ack_note, updated_at
    FROM alert_instances WHERE state IN ('pending', 'firing');
