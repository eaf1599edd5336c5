#pragma once
// The alerting's tables: rules, the state of each active alert instance, the append-only log of
// its transitions, silences, notifiers (secrets sealed by the caller), and the notification
// outbox with its history and dead letters. Times are Unix milliseconds; JSON columns are passed
// as JSON text, which the alert and notify subsystems own the shape of.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/agents.hpp"

namespace sentinel::store {

using StringMap = std::map<std::string, std::string>;

struct AlertRuleRow {
  std::string id;
  std::string name;
  std::string source;      // "api" or "file"
  std::string definition;  // the rule as JSON text
  bool enabled = true;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  bool operator==(const AlertRuleRow&) const = default;
};

// One row per instance that is not Ok (pending, firing or resolved-but-not-yet-forgotten).
struct AlertInstanceRow {
  std::string fingerprint;
  std::string rule_id;
  std::string rule_name;
  std::string agent_id;
  StringMap labels;
  StringMap annotations;
  std::string severity;
  std::string state;  // "pending", "firing", "resolved"
  double value = 0;
  std::int64_t pending_since = 0;
  std::int64_t firing_since = 0;
  std::int64_t last_breach = 0;
  std::int64_t resolved_at = 0;
  std::int64_t last_notified_at = 0;
  std::optional<std::int64_t> acked_at;
  std::string acked_by;
  std::string ack_note;
  std::int64_t updated_at = 0;
  bool operator==(const AlertInstanceRow&) const = default;
};

// One transition of one instance, appended to `alerts`.
struct AlertEventRow {
  std::int64_t id = 0;  // assigned by the store
  std::string fingerprint;
  std::string rule_id;
  std::string rule_name;
  std::string agent_id;
  std::string severity;
  std::string state;  // the state entered
  std::string previous_state;
  double value = 0;
  StringMap labels;
  StringMap annotations;
  bool silenced = false;
  std::int64_t at = 0;
  bool operator==(const AlertEventRow&) const = default;
};

// Every set field must match; time bounds are inclusive.
struct AlertEventFilter {
  std::optional<std::string> state;
  std::optional<std::string> severity;
  std::optional<std::string> agent_id;
  std::optional<std::string> rule_id;
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> to;
};

struct AlertEventPage {
  std::vector<AlertEventRow> events;  // newest first
  std::string next_cursor;            // empty on the last page
};

class AlertRepository {
 public:
  virtual ~AlertRepository() = default;

  // Rules. put_rule inserts or replaces by id; a second rule with the same name is "conflict".
  virtual void put_rule(const AlertRuleRow& rule) = 0;
  virtual std::optional<AlertRuleRow> get_rule(std::string_view id) = 0;
  virtual std::vector<AlertRuleRow> list_rules() = 0;  // ordered by name
  virtual bool delete_rule(std::string_view id) = 0;
  // Makes the file rules exactly `rules`: puts them and deletes the file rules not among them.
  virtual void replace_file_rules(const std::vector<AlertRuleRow>& rules) = 0;

  // Instances. put_instance inserts or replaces by fingerprint, except the acknowledgement, which
  // only acknowledge() sets: an update keeps it while firing_since is unchanged and clears it
  // when a new episode begins, so an evaluation never undoes an acknowledgement it had not seen.
  virtual void put_instance(const AlertInstanceRow& instance) = 0;
  virtual bool delete_instance(std::string_view fingerprint) = 0;
  virtual std::optional<AlertInstanceRow> get_instance(std::string_view fingerprint) = 0;
  virtual std::vector<AlertInstanceRow> list_instances() = 0;  // ordered by fingerprint
  virtual bool acknowledge(std::string_view fingerprint, std::string_view by, std::string_view note,
                           std::int64_t at) = 0;

  // The transition log.
  virtual std::int64_t append_event(const AlertEventRow& event) = 0;
  // Throws StoreError "invalid_argument" for a cursor this store did not hand out.
  virtual AlertEventPage list_events(const AlertEventFilter& filter, const PageRequest& page) = 0;
};

struct SilenceRow {
  std::string id;
  std::vector<std::string> matchers;  // label matchers as text, `name="value"`
  std::int64_t starts_at = 0;
  std::int64_t ends_at = 0;
  std::string comment;
  std::string created_by;
  std::int64_t created_at = 0;
  bool operator==(const SilenceRow&) const = default;
};

class SilenceRepository {
 public:
  virtual ~SilenceRepository() = default;
  virtual void create(const SilenceRow& silence) = 0;
  // Inserts `silence` or replaces the one with its id (`sentineld import`).
  virtual void put(const SilenceRow& silence) = 0;
  // Silences whose end is after `now` (current and future), or all when `now` is unset.
  virtual std::vector<SilenceRow> list(std::optional<std::int64_t> now) = 0;
  virtual std::optional<SilenceRow> get(std::string_view id) = 0;
  // Ends a silence now; false when no silence has the id.
  virtual bool expire(std::string_view id, std::int64_t now) = 0;
};

struct NotifierRow {
  std::string id;
  std::string name;
  std::string type;            // "webhook", "slack", ...
  std::string settings;        // JSON text without secrets
  std::string sealed_secrets;  // the secrets' JSON, sealed by the caller (bytes)
  bool send_resolved = true;
  std::int64_t group_wait_ms = 0;
  std::int64_t repeat_interval_ms = 0;
  bool enabled = true;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  bool operator==(const NotifierRow&) const = default;
};

class NotifierRepository {
 public:
  virtual ~NotifierRepository() = default;
  // Inserts or replaces by id; a second notifier with the same name is "conflict".
  virtual void put(const NotifierRow& notifier) = 0;
  virtual std::optional<NotifierRow> get(std::string_view id) = 0;
  virtual std::vector<NotifierRow> list() = 0;  // ordered by name
  virtual bool remove(std::string_view id) = 0;
};

// A notification waiting to be sent (or retried).
struct OutboxRow {
  std::int64_t id = 0;  // assigned by the store
  std::string notifier_id;
  std::string group_key;  // rule and notifier: grouped notifications share it
  std::string payload;    // JSON text
  int attempts = 0;
  std::int64_t next_attempt_at = 0;
  std::int64_t created_at = 0;
  std::string last_error;
  bool operator==(const OutboxRow&) const = default;
};

struct DeliveryAttemptRow {
  std::int64_t outbox_id = 0;
  std::string notifier_id;
  int attempt = 0;
  std::int64_t at = 0;
  std::string result;  // "sent", "failed", "dead"
  int http_status = 0;
  std::string error;
  std::int64_t duration_ms = 0;
  bool operator==(const DeliveryAttemptRow&) const = default;
};

struct DeadLetterRow {
  std::int64_t id = 0;  // the outbox id it had
  std::string notifier_id;
  std::string group_key;
  std::string payload;
  int attempts = 0;
  std::string last_error;
  std::int64_t created_at = 0;
  std::int64_t failed_at = 0;
  bool operator==(const DeadLetterRow&) const = default;
};

class OutboxRepository {
 public:
  virtual ~OutboxRepository() = default;
  virtual std::int64_t enqueue(const OutboxRow& row) = 0;
  // Rows due at `now`, oldest first.
  virtual std::vector<OutboxRow> due(std::int64_t now, std::size_t limit) = 0;
  virtual std::vector<OutboxRow> pending() = 0;  // everything in the outbox, oldest first
  // After a failed attempt: count it and schedule the next.
  virtual bool reschedule(std::int64_t id, int attempts, std::int64_t next_attempt_at,
                          std::string_view last_error) = 0;
  // After a successful send.
  virtual bool complete(std::int64_t id) = 0;
  virtual void record_attempt(const DeliveryAttemptRow& attempt) = 0;
  virtual std::vector<DeliveryAttemptRow> history(std::int64_t outbox_id) = 0;
  // Moves the row to the dead letters; false when it is not in the outbox.
  virtual bool move_to_dead_letters(std::int64_t id, std::string_view last_error,
                                    std::int64_t at) = 0;
  virtual std::vector<DeadLetterRow> dead_letters(std::size_t limit) = 0;  // newest first
  // Puts a dead letter back in the outbox, due at `now` with its attempts reset.
  virtual bool replay(std::int64_t id, std::int64_t now) = 0;
  virtual bool drop(std::int64_t id) = 0;
  virtual std::int64_t dead_letter_count() = 0;
  // The creation time of the oldest row in the outbox, if any.
  virtual std::optional<std::int64_t> oldest_pending() = 0;
};

}  // namespace sentinel::store
