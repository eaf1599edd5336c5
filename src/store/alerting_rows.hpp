#pragma once
// What both backends' alerting repositories share: how rows are read from a backend's row
// reader (columns in the order of the SELECTs), and the encodings of lists and cursors.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/alerting.hpp"

#include "agent_rows.hpp"

namespace sentinel::store {

// The alerting repositories of one session, made by each backend's make_alerting().
struct AlertingRepositories {
  std::unique_ptr<AlertRepository> alerts;
  std::unique_ptr<SilenceRepository> silences;
  std::unique_ptr<NotifierRepository> notifiers;
  std::unique_ptr<OutboxRepository> outbox;
};

std::vector<std::string> strings_from_json(std::string_view json);
// Event pages are ordered by id, newest first: the cursor is the last id of a page.
std::string encode_event_cursor(std::int64_t last_id);
// The id below which the next page starts; INT64_MAX for the first page.
std::int64_t decode_event_cursor(std::string_view cursor);
AlertEventPage make_event_page(std::vector<AlertEventRow> rows, std::size_t limit);
// Sealed secrets are bytes; both backends keep them as base64url text.
std::string encode_sealed(std::string_view sealed);
std::string decode_sealed(std::string_view text);

inline constexpr std::string_view kRuleColumns =
    "id, name, source, definition, enabled, created_at, updated_at";
inline constexpr std::string_view kInstanceColumns =
    "fingerprint, rule_id, rule_name, agent_id, labels, annotations, severity, state, value, "
    "pending_since, firing_since, last_breach, resolved_at, last_notified_at, acked_at, "
    "acked_by, ack_note, updated_at";
inline constexpr std::string_view kEventColumns =
    "id, fingerprint, rule_id, rule_name, agent_id, severity, state, previous_state, value, "
    "labels, annotations, silenced, at";
inline constexpr std::string_view kSilenceColumns =
    "id, matchers, starts_at, ends_at, comment, created_by, created_at";
inline constexpr std::string_view kNotifierColumns =
    "id, name, type, settings, sealed_secrets, send_resolved, group_wait_ms, repeat_interval_ms, "
    "enabled, created_at, updated_at";
inline constexpr std::string_view kOutboxColumns =
    "id, notifier_id, group_key, payload, attempts, next_attempt_at, created_at, last_error";
inline constexpr std::string_view kAttemptColumns =
    "outbox_id, notifier_id, attempt, at, result, http_status, error, duration_ms";
inline constexpr std::string_view kDeadLetterColumns =
    "id, notifier_id, group_key, payload, attempts, last_error, created_at, failed_at";

template <class Row>
AlertRuleRow read_rule(Row& row) {
  AlertRuleRow r;
  r.id = row.text();
  r.name = row.text();
  r.source = row.text();
  r.definition = row.text();
  r.enabled = row.boolean();
  r.created_at = row.int64();
  r.updated_at = row.int64();
  return r;
}

template <class Row>
AlertInstanceRow read_instance(Row& row) {
  AlertInstanceRow r;
  r.fingerprint = row.text();
  r.rule_id = row.text();
  r.rule_name = row.text();
  r.agent_id = row.text();
  r.labels = labels_from_json(row.text());
  r.annotations = labels_from_json(row.text());
  r.severity = row.text();
  r.state = row.text();
  r.value = row.float8();
  for (auto* time :
       {&r.pending_since, &r.firing_since, &r.last_breach, &r.resolved_at, &r.last_notified_at})
    *time = row.int64();
  r.acked_at = row.optional_int64();
  r.acked_by = row.text();
  r.ack_note = row.text();
  r.updated_at = row.int64();
  return r;
}

template <class Row>
AlertEventRow read_event(Row& row) {
  AlertEventRow r;
  r.id = row.int64();
  for (auto* text : {&r.fingerprint, &r.rule_id, &r.rule_name, &r.agent_id, &r.severity, &r.state,
                     &r.previous_state})
    *text = row.text();
  r.value = row.float8();
  r.labels = labels_from_json(row.text());
  r.annotations = labels_from_json(row.text());
  r.silenced = row.boolean();
  r.at = row.int64();
  return r;
}

template <class Row>
SilenceRow read_silence(Row& row) {
  SilenceRow r;
  r.id = row.text();
  r.matchers = strings_from_json(row.text());
  r.starts_at = row.int64();
  r.ends_at = row.int64();
  r.comment = row.text();
  r.created_by = row.text();
  r.created_at = row.int64();
  return r;
}

template <class Row>
NotifierRow read_notifier(Row& row) {
  NotifierRow r;
  r.id = row.text();
  r.name = row.text();
  r.type = row.text();
  r.settings = row.text();
  r.sealed_secrets = decode_sealed(row.text());
  r.send_resolved = row.boolean();
  r.group_wait_ms = row.int64();
  r.repeat_interval_ms = row.int64();
  r.enabled = row.boolean();
  r.created_at = row.int64();
  r.updated_at = row.int64();
  return r;
}

template <class Row>
OutboxRow read_outbox(Row& row) {
  OutboxRow r;
  r.id = row.int64();
  r.notifier_id = row.text();
  r.group_key = row.text();
  r.payload = row.text();
  r.attempts = row.int32();
  r.next_attempt_at = row.int64();
  r.created_at = row.int64();
  r.last_error = row.text();
  return r;
}

template <class Row>
DeliveryAttemptRow read_attempt(Row& row) {
  DeliveryAttemptRow r;
  r.outbox_id = row.int64();
  r.notifier_id = row.text();
  r.attempt = row.int32();
  r.at = row.int64();
  r.result = row.text();
  r.http_status = row.int32();
  r.error = row.text();
  r.duration_ms = row.int64();
  return r;
}

template <class Row>
DeadLetterRow read_dead_letter(Row& row) {
  DeadLetterRow r;
  r.id = row.int64();
  r.notifier_id = row.text();
  r.group_key = row.text();
  r.payload = row.text();
  r.attempts = row.int32();
  r.last_error = row.text();
  r.created_at = row.int64();
  r.failed_at = row.int64();
  return r;
}

}  // namespace sentinel::store
