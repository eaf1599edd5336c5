// The alerting repositories on PostgreSQL. Wall-clock columns are timestamptz, converted from
// and to Unix milliseconds in SQL; the state machine's own times are bigint milliseconds.

#include <cassert>

#include <fmt/format.h>

#include "alerting_rows.hpp"
#include "postgres/repositories.hpp"

namespace sentinel::store::postgres {
namespace {

// A timestamptz column as Unix milliseconds.
std::string ms(std::string_view column) {
  return fmt::format("(extract(epoch FROM {}) * 1000)::bigint", column);
}

const std::string& rule_select() {
  static const auto sql =
      fmt::format("SELECT id, name, source, definition, enabled, {}, {} FROM alert_rules ",
                  ms("created_at"), ms("updated_at"));
  return sql;
}
const std::string& instance_select() {
  static const auto sql = fmt::format(
      "SELECT fingerprint, rule_id, rule_name, agent_id, labels, annotations, severity, state, "
      "value, pending_since, firing_since, last_breach, resolved_at, last_notified_at, {}, "
      "acked_by, ack_note, {} FROM alert_instances ",
      ms("acked_at"), ms("updated_at"));
  return sql;
}
const std::string& event_select() {
  static const auto sql = fmt::format(
      "SELECT id, fingerprint, rule_id, rule_name, agent_id, severity, state, previous_state, "
      "value, labels, annotations, silenced, {} FROM alerts ",
      ms("at"));
  return sql;
}
const std::string& silence_select() {
  static const auto sql =
      fmt::format("SELECT id, matchers, {}, {}, comment, created_by, {} FROM silences ",
                  ms("starts_at"), ms("ends_at"), ms("created_at"));
  return sql;
}
const std::string& notifier_select() {
  static const auto sql = fmt::format(
      "SELECT id, name, type, settings, sealed_secrets, send_resolved, group_wait_ms, "
      "repeat_interval_ms, enabled, {}, {} FROM notifiers ",
      ms("created_at"), ms("updated_at"));
  return sql;
}
const std::string& outbox_select() {
  static const auto sql = fmt::format(
      "SELECT id, notifier_id, group_key, payload, attempts, {}, {}, last_error "
      "FROM notification_outbox ",
      ms("next_attempt_at"), ms("created_at"));
  return sql;
}

template <class T, class Read>
std::vector<T> read_all(const PgResult& result, Read read) {
  std::vector<T> out;
  for (int i = 0; i < result.rows(); ++i) {
    auto row = result.row(i);
    out.push_back(read(row));
  }
  return out;
}

template <class T, class Read>
std::optional<T> read_one(const PgResult& result, Read read) {
  if (result.rows() == 0) return std::nullopt;
  auto row = result.row(0);
  return read(row);
}

class PgAlerts final : public AlertRepository {
 public:
  explicit PgAlerts(PgConnection& c) : c_(c) {}

  void put_rule(const AlertRuleRow& r) override {
    c_.exec(
        "INSERT INTO alert_rules (id, name, source, definition, enabled, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), to_timestamp($7 / 1000.0))"
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, source = excluded.source,"
        " definition = excluded.definition, enabled = excluded.enabled,"
        " updated_at = excluded.updated_at",
        r.id, r.name, r.source, r.definition, r.enabled, r.created_at, r.updated_at);
  }
  std::optional<AlertRuleRow> get_rule(std::string_view id) override {
    return read_one<AlertRuleRow>(c_.exec(rule_select() + "WHERE id = $1", id),
                                  read_rule<RowReader>);
  }
  std::vector<AlertRuleRow> list_rules() override {
    return read_all<AlertRuleRow>(c_.exec(rule_select() + "ORDER BY name"), read_rule<RowReader>);
  }
  bool delete_rule(std::string_view id) override {
    return c_.exec("DELETE FROM alert_rules WHERE id = $1", id).affected() == 1;
  }
  void replace_file_rules(const std::vector<AlertRuleRow>& rules) override {
    std::vector<std::string> ids;
    for (const auto& rule : rules)
      ids.push_back(rule.id);
    c_.exec(
        "DELETE FROM alert_rules WHERE source = 'file'"
        " AND id NOT IN (SELECT jsonb_array_elements_text($1::jsonb))",
        ids_to_json(ids));
    for (const auto& rule : rules)
      put_rule(rule);
  }

  void put_instance(const AlertInstanceRow& r) override {
    c_.exec(
        "INSERT INTO alert_instances (fingerprint, rule_id, rule_name, agent_id, labels,"
        " annotations, severity, state, value, pending_since, firing_since, last_breach,"
        " resolved_at, last_notified_at, acked_at, acked_by, ack_note, updated_at) VALUES ($1,"
        " $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14,"
        " to_timestamp($15 / 1000.0), $16, $17, to_timestamp($18 / 1000.0))"
        " ON CONFLICT (fingerprint) DO UPDATE SET rule_id = excluded.rule_id,"
        " rule_name = excluded.rule_name, agent_id = excluded.agent_id, labels = excluded.labels,"
        " annotations = excluded.annotations, severity = excluded.severity,"
        " state = excluded.state, value = excluded.value,"
        " pending_since = excluded.pending_since, firing_since = excluded.firing_since,"
        " last_breach = excluded.last_breach, resolved_at = excluded.resolved_at,"
        " last_notified_at = excluded.last_notified_at, updated_at = excluded.updated_at,"
        " acked_at = CASE WHEN alert_instances.firing_since = excluded.firing_since"
        "   THEN alert_instances.acked_at END,"
        " acked_by = CASE WHEN alert_instances.firing_since = excluded.firing_since"
        "   THEN alert_instances.acked_by ELSE '' END,"
        " ack_note = CASE WHEN alert_instances.firing_since = excluded.firing_since"
        "   THEN alert_instances.ack_note ELSE '' END",
        r.fingerprint, r.rule_id, r.rule_name, r.agent_id, labels_to_json(r.labels),
        labels_to_json(r.annotations), r.severity, r.state, r.value, r.pending_since,
        r.firing_since, r.last_breach, r.resolved_at, r.last_notified_at, r.acked_at, r.acked_by,
        r.ack_note, r.updated_at);
  }
  bool delete_instance(std::string_view fingerprint) override {
    return c_.exec("DELETE FROM alert_instances WHERE fingerprint = $1", fingerprint).affected() ==
           1;
  }
  std::optional<AlertInstanceRow> get_instance(std::string_view fingerprint) override {
    return read_one<AlertInstanceRow>(
        c_.exec(instance_select() + "WHERE fingerprint = $1", fingerprint),
        read_instance<RowReader>);
  }
  std::vector<AlertInstanceRow> list_instances() override {
    return read_all<AlertInstanceRow>(c_.exec(instance_select() + "ORDER BY fingerprint"),
                                      read_instance<RowReader>);
  }
  bool acknowledge(std::string_view fingerprint, std::string_view by, std::string_view note,
                   std::int64_t at) override {
    return c_.exec(
                 "UPDATE alert_instances SET acked_at = to_timestamp($2 / 1000.0), acked_by = $3,"
                 " ack_note = $4 WHERE fingerprint = $1",
                 fingerprint, at, by, note)
               .affected() == 1;
  }

  std::int64_t append_event(const AlertEventRow& e) override {
    auto result = c_.exec(
        "INSERT INTO alerts (fingerprint, rule_id, rule_name, agent_id, severity, state,"
        " previous_state, value, labels, annotations, silenced, at) VALUES ($1, $2, $3, $4, $5,"
        " $6, $7, $8, $9::jsonb, $10::jsonb, $11, to_timestamp($12 / 1000.0)) RETURNING id",
        e.fingerprint, e.rule_id, e.rule_name, e.agent_id, e.severity, e.state, e.previous_state,
        e.value, labels_to_json(e.labels), labels_to_json(e.annotations), e.silenced, e.at);
    return result.row(0).int64();
  }
  AlertEventPage list_events(const AlertEventFilter& f, const PageRequest& page) override {
    assert(page.limit > 0);
    auto result = c_.exec(
        event_select() +
            "WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR severity = $2)"
            " AND ($3::text IS NULL OR agent_id = $3) AND ($4::text IS NULL OR rule_id = $4)"
            " AND ($5::bigint IS NULL OR at >= to_timestamp($5 / 1000.0))"
            " AND ($6::bigint IS NULL OR at <= to_timestamp($6 / 1000.0)) AND id < $7"
            " ORDER BY id DESC LIMIT $8",
        f.state, f.severity, f.agent_id, f.rule_id, f.from, f.to, decode_event_cursor(page.cursor),
        page.limit + 1);
    return make_event_page(read_all<AlertEventRow>(result, read_event<RowReader>), page.limit);
  }

 private:
  PgConnection& c_;
};

class PgSilences final : public SilenceRepository {
 public:
  explicit PgSilences(PgConnection& c) : c_(c) {}

  void create(const SilenceRow& s) override { insert(s, ""); }
  void put(const SilenceRow& s) override {
    static const auto suffix = upsert_suffix(kSilenceColumns, 1);
    insert(s, suffix);
  }
  std::vector<SilenceRow> list(std::optional<std::int64_t> now) override {
    return read_all<SilenceRow>(
        c_.exec(silence_select() + "WHERE $1::bigint IS NULL OR ends_at > to_timestamp($1 / 1000.0)"
                                   " ORDER BY starts_at, id",
                now),
        read_silence<RowReader>);
  }
  std::optional<SilenceRow> get(std::string_view id) override {
    return read_one<SilenceRow>(c_.exec(silence_select() + "WHERE id = $1", id),
                                read_silence<RowReader>);
  }
  bool expire(std::string_view id, std::int64_t now) override {
    // A silence that has not begun yet ends where it would have begun.
    return c_.exec(
                 "UPDATE silences SET ends_at = greatest(starts_at + interval '1 millisecond',"
                 " least(ends_at, to_timestamp($2 / 1000.0))) WHERE id = $1",
                 id, now)
               .affected() == 1;
  }

 private:
  void insert(const SilenceRow& s, std::string_view suffix) {
    c_.exec(
        fmt::format("INSERT INTO silences ({}) VALUES ($1, $2::jsonb, to_timestamp($3 / 1000.0),"
                    " to_timestamp($4 / 1000.0), $5, $6, to_timestamp($7 / 1000.0)){}",
                    kSilenceColumns, suffix),
        s.id, ids_to_json(s.matchers), s.starts_at, s.ends_at, s.comment, s.created_by,
        s.created_at);
  }

  PgConnection& c_;
};

class PgNotifiers final : public NotifierRepository {
 public:
  explicit PgNotifiers(PgConnection& c) : c_(c) {}

  void put(const NotifierRow& n) override {
    c_.exec(
        "INSERT INTO notifiers (id, name, type, settings, sealed_secrets, send_resolved,"
        " group_wait_ms, repeat_interval_ms, enabled, created_at, updated_at) VALUES ($1, $2, $3,"
        " $4, $5, $6, $7, $8, $9, to_timestamp($10 / 1000.0), to_timestamp($11 / 1000.0))"
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type,"
        " settings = excluded.settings, sealed_secrets = excluded.sealed_secrets,"
        " send_resolved = excluded.send_resolved, group_wait_ms = excluded.group_wait_ms,"
        " repeat_interval_ms = excluded.repeat_interval_ms, enabled = excluded.enabled,"
        " updated_at = excluded.updated_at",
        n.id, n.name, n.type, n.settings, encode_sealed(n.sealed_secrets), n.send_resolved,
        n.group_wait_ms, n.repeat_interval_ms, n.enabled, n.created_at, n.updated_at);
  }
  std::optional<NotifierRow> get(std::string_view id) override {
    return read_one<NotifierRow>(c_.exec(notifier_select() + "WHERE id = $1", id),
                                 read_notifier<RowReader>);
  }
  std::vector<NotifierRow> list() override {
    return read_all<NotifierRow>(c_.exec(notifier_select() + "ORDER BY name"),
                                 read_notifier<RowReader>);
  }
  bool remove(std::string_view id) override {
    return c_.exec("DELETE FROM notifiers WHERE id = $1", id).affected() == 1;
  }

 private:
  PgConnection& c_;
};

class PgOutbox final : public OutboxRepository {
 public:
  explicit PgOutbox(PgConnection& c) : c_(c) {}

  std::int64_t enqueue(const OutboxRow& r) override {
    return c_
        .exec(
            "INSERT INTO notification_outbox (notifier_id, group_key, payload, attempts,"
            " next_attempt_at, created_at, last_error) VALUES ($1, $2, $3, $4,"
            " to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0), $7) RETURNING id",
            r.notifier_id, r.group_key, r.payload, r.attempts, r.next_attempt_at, r.created_at,
            r.last_error)
        .row(0)
        .int64();
  }
  std::vector<OutboxRow> due(std::int64_t now, std::size_t limit) override {
    return read_all<OutboxRow>(
        c_.exec(outbox_select() + "WHERE next_attempt_at <= to_timestamp($1 / 1000.0)"
                                  " ORDER BY next_attempt_at, id LIMIT $2",
                now, limit),
        read_outbox<RowReader>);
  }
  std::vector<OutboxRow> pending() override {
    return read_all<OutboxRow>(c_.exec(outbox_select() + "ORDER BY id"), read_outbox<RowReader>);
  }
  bool reschedule(std::int64_t id, int attempts, std::int64_t next_attempt_at,
                  std::string_view last_error) override {
    return c_.exec(
                 "UPDATE notification_outbox SET attempts = $2,"
                 " next_attempt_at = to_timestamp($3 / 1000.0), last_error = $4 WHERE id = $1",
                 id, attempts, next_attempt_at, last_error)
               .affected() == 1;
  }
  bool complete(std::int64_t id) override {
    return c_.exec("DELETE FROM notification_outbox WHERE id = $1", id).affected() == 1;
  }
  void record_attempt(const DeliveryAttemptRow& a) override {
    c_.exec(
        "INSERT INTO notification_history (outbox_id, notifier_id, attempt, at, result,"
        " http_status, error, duration_ms) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), $5,"
        " $6, $7, $8)",
        a.outbox_id, a.notifier_id, a.attempt, a.at, a.result, a.http_status, a.error,
        a.duration_ms);
  }
  std::vector<DeliveryAttemptRow> history(std::int64_t outbox_id) override {
    return read_all<DeliveryAttemptRow>(
        c_.exec(fmt::format("SELECT outbox_id, notifier_id, attempt, {}, result, http_status,"
                            " error, duration_ms FROM notification_history WHERE outbox_id = $1"
                            " ORDER BY id",
                            ms("at")),
                outbox_id),
        read_attempt<RowReader>);
  }
  bool move_to_dead_letters(std::int64_t id, std::string_view last_error,
                            std::int64_t at) override {
    return c_.exec(
                 "WITH moved AS (DELETE FROM notification_outbox WHERE id = $1 RETURNING *)"
                 " INSERT INTO notifications_dlq (id, notifier_id, group_key, payload, attempts,"
                 " last_error, created_at, failed_at) SELECT id, notifier_id, group_key, payload,"
                 " attempts, $2, created_at, to_timestamp($3 / 1000.0) FROM moved",
                 id, last_error, at)
               .affected() == 1;
  }
  std::vector<DeadLetterRow> dead_letters(std::size_t limit) override {
    return read_all<DeadLetterRow>(
        c_.exec(fmt::format("SELECT id, notifier_id, group_key, payload, attempts, last_error,"
                            " {}, {} FROM notifications_dlq ORDER BY failed_at DESC, id DESC"
                            " LIMIT $1",
                            ms("created_at"), ms("failed_at")),
                limit),
        read_dead_letter<RowReader>);
  }
  bool replay(std::int64_t id, std::int64_t now) override {
    return c_.exec(
                 "WITH moved AS (DELETE FROM notifications_dlq WHERE id = $1 RETURNING *)"
                 " INSERT INTO notification_outbox (id, notifier_id, group_key, payload, attempts,"
                 " next_attempt_at, created_at, last_error) SELECT id, notifier_id, group_key,"
                 " payload, 0, to_timestamp($2 / 1000.0), created_at, '' FROM moved",
                 id, now)
               .affected() == 1;
  }
  bool drop(std::int64_t id) override {
    return c_.exec("DELETE FROM notifications_dlq WHERE id = $1", id).affected() == 1;
  }
  std::int64_t dead_letter_count() override {
    return c_.exec("SELECT count(*) FROM notifications_dlq").row(0).int64();
  }
  std::optional<std::int64_t> oldest_pending() override {
    return c_.exec("SELECT " + ms("min(created_at)") + " FROM notification_outbox")
        .row(0)
        .optional_int64();
  }

 private:
  PgConnection& c_;
};

}  // namespace

AlertingRepositories make_alerting(PgConnection& connection) {
  return {std::make_unique<PgAlerts>(connection), std::make_unique<PgSilences>(connection),
          std::make_unique<PgNotifiers>(connection), std::make_unique<PgOutbox>(connection)};
}

}  // namespace sentinel::store::postgres
