// The alerting repositories on SQLite: times are stored in Unix milliseconds already, so every
// column reads as it is.

#include <cassert>

#include <fmt/format.h>

#include "alerting_rows.hpp"
#include "sqlite/repositories.hpp"

namespace sentinel::store::sqlite {
namespace {

std::string select(std::string_view columns, std::string_view table, std::string_view rest) {
  return fmt::format("SELECT {} FROM {} {}", columns, table, rest);
}

template <class T, class Read>
std::vector<T> read_all(Statement rows, Read read) {
  std::vector<T> out;
  while (rows.step()) {
    auto row = rows.row();
    out.push_back(read(row));
  }
  return out;
}

template <class T, class Read>
std::optional<T> read_one(Statement rows, Read read) {
  if (!rows.step()) return std::nullopt;
  auto row = rows.row();
  return read(row);
}

class SqliteAlerts final : public AlertRepository {
 public:
  explicit SqliteAlerts(Database& db) : db_(db) {}

  void put_rule(const AlertRuleRow& r) override {
    db_.query(
           "INSERT INTO alert_rules (id, name, source, definition, enabled, created_at, "
           "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET "
           "name = excluded.name, source = excluded.source, definition = excluded.definition, "
           "enabled = excluded.enabled, updated_at = excluded.updated_at",
           r.id, r.name, r.source, r.definition, r.enabled, r.created_at, r.updated_at)
        .run();
  }
  std::optional<AlertRuleRow> get_rule(std::string_view id) override {
    return read_one<AlertRuleRow>(
        db_.query(select(kRuleColumns, "alert_rules", "WHERE id = ?1"), id), read_rule<RowReader>);
  }
  std::vector<AlertRuleRow> list_rules() override {
    return read_all<AlertRuleRow>(db_.query(select(kRuleColumns, "alert_rules", "ORDER BY name")),
                                  read_rule<RowReader>);
  }
  bool delete_rule(std::string_view id) override {
    return db_.query("DELETE FROM alert_rules WHERE id = ?1", id).run() == 1;
  }
  void replace_file_rules(const std::vector<AlertRuleRow>& rules) override {
    std::vector<std::string> ids;
    for (const auto& rule : rules)
      ids.push_back(rule.id);
    db_.query(
           "DELETE FROM alert_rules WHERE source = 'file' AND id NOT IN "
           "(SELECT value FROM json_each(?1))",
           ids_to_json(ids))
        .run();
    for (const auto& rule : rules)
      put_rule(rule);
  }

  void put_instance(const AlertInstanceRow& r) override {
    static const auto sql = fmt::format(
        "INSERT INTO alert_instances ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13, ?14, ?15, ?16, ?17, ?18) ON CONFLICT (fingerprint) DO UPDATE SET "
        "rule_id = excluded.rule_id, rule_name = excluded.rule_name, agent_id = excluded.agent_id, "
        "labels = excluded.labels, annotations = excluded.annotations, "
        "severity = excluded.severity, state = excluded.state, value = excluded.value, "
        "pending_since = excluded.pending_since, firing_since = excluded.firing_since, "
        "last_breach = excluded.last_breach, resolved_at = excluded.resolved_at, "
        "last_notified_at = excluded.last_notified_at, updated_at = excluded.updated_at, "
        "acked_at = CASE WHEN alert_instances.firing_since = excluded.firing_since "
        "THEN alert_instances.acked_at END, "
        "acked_by = CASE WHEN alert_instances.firing_since = excluded.firing_since "
        "THEN alert_instances.acked_by ELSE '' END, "
        "ack_note = CASE WHEN alert_instances.firing_since = excluded.firing_since "
        "THEN alert_instances.ack_note ELSE '' END",
        kInstanceColumns);
    db_.query(sql, r.fingerprint, r.rule_id, r.rule_name, r.agent_id, labels_to_json(r.labels),
              labels_to_json(r.annotations), r.severity, r.state, r.value, r.pending_since,
              r.firing_since, r.last_breach, r.resolved_at, r.last_notified_at, r.acked_at,
              r.acked_by, r.ack_note, r.updated_at)
        .run();
  }
  bool delete_instance(std::string_view fingerprint) override {
    return db_.query("DELETE FROM alert_instances WHERE fingerprint = ?1", fingerprint).run() == 1;
  }
  std::optional<AlertInstanceRow> get_instance(std::string_view fingerprint) override {
    return read_one<AlertInstanceRow>(
        db_.query(select(kInstanceColumns, "alert_instances", "WHERE fingerprint = ?1"),
                  fingerprint),
        read_instance<RowReader>);
  }
  std::vector<AlertInstanceRow> list_instances() override {
    return read_all<AlertInstanceRow>(
        db_.query(select(kInstanceColumns, "alert_instances", "ORDER BY fingerprint")),
        read_instance<RowReader>);
  }
  bool acknowledge(std::string_view fingerprint, std::string_view by, std::string_view note,
                   std::int64_t at) override {
    return db_.query(
                  "UPDATE alert_instances SET acked_at = ?2, acked_by = ?3, ack_note = ?4 "
                  "WHERE fingerprint = ?1",
                  fingerprint, at, by, note)
               .run() == 1;
  }

  std::int64_t append_event(const AlertEventRow& e) override {
    auto rows = db_.query(
        "INSERT INTO alerts (fingerprint, rule_id, rule_name, agent_id, severity, state, "
        "previous_state, value, labels, annotations, silenced, at) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
        e.fingerprint, e.rule_id, e.rule_name, e.agent_id, e.severity, e.state, e.previous_state,
        e.value, labels_to_json(e.labels), labels_to_json(e.annotations), e.silenced, e.at);
    rows.step();
    const auto id = rows.row().int64();
    rows.run();
    return id;
  }
  AlertEventPage list_events(const AlertEventFilter& f, const PageRequest& page) override {
    assert(page.limit > 0);
    auto rows =
        db_.query(select(kEventColumns, "alerts",
                         "WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR severity = ?2)"
                         " AND (?3 IS NULL OR agent_id = ?3) AND (?4 IS NULL OR rule_id = ?4)"
                         " AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at <= ?6) AND id < ?7"
                         " ORDER BY id DESC LIMIT ?8"),
                  f.state, f.severity, f.agent_id, f.rule_id, f.from, f.to,
                  decode_event_cursor(page.cursor), page.limit + 1);
    return make_event_page(read_all<AlertEventRow>(std::move(rows), read_event<RowReader>),
                           page.limit);
  }

 private:
  Database& db_;
};

class SqliteSilences final : public SilenceRepository {
 public:
  explicit SqliteSilences(Database& db) : db_(db) {}

  void create(const SilenceRow& s) override { insert(s, ""); }
  void put(const SilenceRow& s) override {
    static const auto suffix = upsert_suffix(kSilenceColumns, 1);
    insert(s, suffix);
  }
  std::vector<SilenceRow> list(std::optional<std::int64_t> now) override {
    return read_all<SilenceRow>(
        db_.query(select(kSilenceColumns, "silences",
                         "WHERE ?1 IS NULL OR ends_at > ?1 ORDER BY starts_at, id"),
                  now),
        read_silence<RowReader>);
  }
  std::optional<SilenceRow> get(std::string_view id) override {
    return read_one<SilenceRow>(db_.query(select(kSilenceColumns, "silences", "WHERE id = ?1"), id),
                                read_silence<RowReader>);
  }
  bool expire(std::string_view id, std::int64_t now) override {
    // A silence that has not begun yet ends where it would have begun.
    return db_.query(
                  "UPDATE silences SET ends_at = max(starts_at + 1, min(ends_at, ?2)) WHERE id = "
                  "?1",
                  id, now)
               .run() == 1;
  }

 private:
  void insert(const SilenceRow& s, std::string_view suffix) {
    db_.query(fmt::format("INSERT INTO silences ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7){}",
                          kSilenceColumns, suffix),
              s.id, ids_to_json(s.matchers), s.starts_at, s.ends_at, s.comment, s.created_by,
              s.created_at)
        .run();
  }

  Database& db_;
};

class SqliteNotifiers final : public NotifierRepository {
 public:
  explicit SqliteNotifiers(Database& db) : db_(db) {}

  void put(const NotifierRow& n) override {
    db_.query(
           "INSERT INTO notifiers (id, name, type, settings, sealed_secrets, send_resolved, "
           "group_wait_ms, repeat_interval_ms, enabled, created_at, updated_at) VALUES (?1, ?2, "
           "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (id) DO UPDATE SET name = "
           "excluded.name, type = excluded.type, settings = excluded.settings, sealed_secrets = "
           "excluded.sealed_secrets, send_resolved = excluded.send_resolved, group_wait_ms = "
           "excluded.group_wait_ms, repeat_interval_ms = excluded.repeat_interval_ms, enabled = "
           "excluded.enabled, updated_at = excluded.updated_at",
           n.id, n.name, n.type, n.settings, encode_sealed(n.sealed_secrets), n.send_resolved,
           n.group_wait_ms, n.repeat_interval_ms, n.enabled, n.created_at, n.updated_at)
        .run();
  }
  std::optional<NotifierRow> get(std::string_view id) override {
    return read_one<NotifierRow>(
        db_.query(select(kNotifierColumns, "notifiers", "WHERE id = ?1"), id),
        read_notifier<RowReader>);
  }
  std::vector<NotifierRow> list() override {
    return read_all<NotifierRow>(db_.query(select(kNotifierColumns, "notifiers", "ORDER BY name")),
                                 read_notifier<RowReader>);
  }
  bool remove(std::string_view id) override {
    return db_.query("DELETE FROM notifiers WHERE id = ?1", id).run() == 1;
  }

 private:
  Database& db_;
};

class SqliteOutbox final : public OutboxRepository {
 public:
  explicit SqliteOutbox(Database& db) : db_(db) {}

  std::int64_t enqueue(const OutboxRow& r) override {
    auto rows = db_.query(
        "INSERT INTO notification_outbox (notifier_id, group_key, payload, attempts, "
        "next_attempt_at, created_at, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "RETURNING id",
        r.notifier_id, r.group_key, r.payload, r.attempts, r.next_attempt_at, r.created_at,
        r.last_error);
    rows.step();
    const auto id = rows.row().int64();
    rows.run();
    return id;
  }
  std::vector<OutboxRow> due(std::int64_t now, std::size_t limit) override {
    return read_all<OutboxRow>(
        db_.query(select(kOutboxColumns, "notification_outbox",
                         "WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2"),
                  now, limit),
        read_outbox<RowReader>);
  }
  std::vector<OutboxRow> pending() override {
    return read_all<OutboxRow>(
        db_.query(select(kOutboxColumns, "notification_outbox", "ORDER BY id")),
        read_outbox<RowReader>);
  }
  bool reschedule(std::int64_t id, int attempts, std::int64_t next_attempt_at,
                  std::string_view last_error) override {
    return db_.query(
                  "UPDATE notification_outbox SET attempts = ?2, next_attempt_at = ?3, "
                  "last_error = ?4 WHERE id = ?1",
                  id, attempts, next_attempt_at, last_error)
               .run() == 1;
  }
  bool complete(std::int64_t id) override {
    return db_.query("DELETE FROM notification_outbox WHERE id = ?1", id).run() == 1;
  }
  void record_attempt(const DeliveryAttemptRow& a) override {
    db_.query(fmt::format("INSERT INTO notification_history ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                          "?7, ?8)",
                          kAttemptColumns),
              a.outbox_id, a.notifier_id, a.attempt, a.at, a.result, a.http_status, a.error,
              a.duration_ms)
        .run();
  }
  std::vector<DeliveryAttemptRow> history(std::int64_t outbox_id) override {
    return read_all<DeliveryAttemptRow>(db_.query(select(kAttemptColumns, "notification_history",
                                                         "WHERE outbox_id = ?1 ORDER BY id"),
                                                  outbox_id),
                                        read_attempt<RowReader>);
  }
  bool move_to_dead_letters(std::int64_t id, std::string_view last_error,
                            std::int64_t at) override {
    const auto moved = db_.query(
                              "INSERT INTO notifications_dlq (id, notifier_id, group_key, "
                              "payload, attempts, last_error, created_at, failed_at) SELECT id, "
                              "notifier_id, group_key, payload, attempts, ?2, created_at, ?3 FROM "
                              "notification_outbox WHERE id = ?1",
                              id, last_error, at)
                           .run();
    if (moved == 0) return false;
    return complete(id);
  }
  std::vector<DeadLetterRow> dead_letters(std::size_t limit) override {
    return read_all<DeadLetterRow>(db_.query(select(kDeadLetterColumns, "notifications_dlq",
                                                    "ORDER BY failed_at DESC, id DESC LIMIT ?1"),
                                             limit),
                                   read_dead_letter<RowReader>);
  }
  bool replay(std::int64_t id, std::int64_t now) override {
    const auto moved = db_.query(
                              "INSERT INTO notification_outbox (id, notifier_id, group_key, "
                              "payload, attempts, next_attempt_at, created_at, last_error) SELECT "
                              "id, notifier_id, group_key, payload, 0, ?2, created_at, '' FROM "
                              "notifications_dlq WHERE id = ?1",
                              id, now)
                           .run();
    if (moved == 0) return false;
    return drop(id);
  }
  bool drop(std::int64_t id) override {
    return db_.query("DELETE FROM notifications_dlq WHERE id = ?1", id).run() == 1;
  }
  std::int64_t dead_letter_count() override {
    auto rows = db_.query("SELECT count(*) FROM notifications_dlq");
    rows.step();
    const auto n = rows.row().int64();
    rows.run();
    return n;
  }
  std::optional<std::int64_t> oldest_pending() override {
    auto rows = db_.query("SELECT min(created_at) FROM notification_outbox");
    rows.step();
    auto value = rows.row().optional_int64();
    rows.run();
    return value;
  }

 private:
  Database& db_;
};

}  // namespace

AlertingRepositories make_alerting(Database& db) {
  return {std::make_unique<SqliteAlerts>(db), std::make_unique<SqliteSilences>(db),
          std::make_unique<SqliteNotifiers>(db), std::make_unique<SqliteOutbox>(db)};
}

}  // namespace sentinel::store::sqlite
