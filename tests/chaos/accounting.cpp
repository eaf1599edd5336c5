#include "accounting.hpp"

#include <cstdio>
#include <ctime>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "sentinel/agent/synthetic.hpp"

#include "support/process.hpp"

namespace sentinel::chaos {
namespace {

// Runs one query with psql; the rows come back one a line, fields separated by a space.
std::vector<std::string> query(const std::string& store_url, const std::string& sql) {
  std::string output;
  if (test::run_command({"/usr/bin/psql", "-X", "-q", "-A", "-t", "-F", " ", "-v",
                         "ON_ERROR_STOP=1", "-d", store_url, "-c", sql},
                        &output) != 0)
    throw std::runtime_error("psql failed: " + output);
  std::vector<std::string> rows;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) rows.push_back(line);
  return rows;
}

// synthetic_value(seq) is seq times a constant modulo a prime, so a value gives its seq back
// (for seq below the prime) through the constant's inverse, which Fermat gives as c^(p-2).
constexpr std::uint64_t kPrime = 1'000'003;
std::uint64_t seq_of(double value) {
  std::uint64_t inverse = 1, base = 2654435761ULL % kPrime;
  for (std::uint64_t exponent = kPrime - 2; exponent > 0; exponent /= 2) {
    if (exponent & 1) inverse = inverse * base % kPrime;
    base = base * base % kPrime;
  }
  return static_cast<std::uint64_t>(value) * inverse % kPrime;
}

std::string first(const std::vector<std::uint64_t>& seqs) {
  constexpr std::size_t kShown = 20;
  std::vector<std::uint64_t> shown(seqs.begin(), seqs.begin() + std::min(seqs.size(), kShown));
  return fmt::format("{}{}", fmt::join(shown, ","), seqs.size() > kShown ? ",..." : "");
}

// "2023-11-14T22:13:20.000Z", as the webhook writes times, in Unix milliseconds.
std::int64_t unix_ms(const std::string& iso8601) {
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(iso8601.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) != 7)
    throw std::runtime_error("not an ISO 8601 time: " + iso8601);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + millis;
}

// A transition: its instance, state and time.
using TransitionKey = std::tuple<std::string, std::string, std::int64_t>;

std::set<TransitionKey> notified_transitions(const std::string& store_url) {
  std::set<TransitionKey> transitions;
  for (const auto& row :
       query(store_url,
             "SELECT fingerprint, state, (extract(epoch FROM at) * 1000)::bigint "
             "FROM alerts WHERE state IN ('firing', 'resolved') AND NOT silenced")) {
    std::istringstream fields(row);
    TransitionKey key;
    fields >> std::get<0>(key) >> std::get<1>(key) >> std::get<2>(key);
    transitions.insert(std::move(key));
  }
  return transitions;
}

// The outbox rows as deliveries: their payload keeps the times in Unix milliseconds.
std::vector<Delivery> outbox_rows(const std::string& store_url) {
  std::vector<Delivery> rows;
  for (const auto& row :
       query(store_url,
             "SELECT id, p->>'fingerprint', p->>'status', CASE p->>'status' "
             "WHEN 'firing' THEN p->>'starts_at' ELSE p->>'ends_at' END "
             "FROM (SELECT id, payload::jsonb AS p FROM notification_outbox) o")) {
    std::istringstream fields(row);
    Delivery d;
    fields >> d.notification_id >> d.fingerprint >> d.status >> d.at_ms;
    rows.push_back(std::move(d));
  }
  return rows;
}

std::int64_t count_of(const std::string& store_url, const std::string& table) {
  const auto rows = query(store_url, "SELECT count(*) FROM " + table);
  if (rows.empty()) throw std::runtime_error("no answer counting " + table);
  return std::stoll(rows.front());
}

}  // namespace

std::map<std::string, StoredSamples> stored_per_agent(const std::string& store_url) {
  std::map<std::string, StoredSamples> stored;
  for (const auto& row : query(store_url, fmt::format("SELECT a.name, count(*), sum(m.value) "
                                                      "FROM metrics_time m JOIN agents a ON "
                                                      "a.id = m.agent_id WHERE m.name = '{}' "
                                                      "GROUP BY a.name",
                                                      agent::kSyntheticMetric))) {
    std::istringstream fields(row);
    std::string name;
    StoredSamples samples;
    fields >> name >> samples.count >> samples.sum;
    stored[name] = samples;
  }
  return stored;
}

std::vector<double> stored_values(const std::string& store_url, const std::string& agent) {
  std::vector<double> values;
  for (const auto& row :
       query(store_url, fmt::format("SELECT m.value FROM metrics_time m JOIN agents a ON a.id = "
                                    "m.agent_id WHERE m.name = '{}' AND a.name = '{}'",
                                    agent::kSyntheticMetric, agent)))
    values.push_back(std::stod(row));
  return values;
}

bool Verdict::ok() const {
  // Held batches hold at least one sample each, so the drain must have moved the tag past them.
  const bool held_delivered = wal.acked_tag >= wal.tag_held_from + wal.held_batches;
  return stored.count == static_cast<std::int64_t>(wal.acked_tag) && stored.sum == expected_sum &&
         wal.unacked == 0 && held_delivered && missing.empty() && duplicated.empty() &&
         unexpected.empty();
}

std::string Verdict::describe() const {
  auto line = fmt::format(
      "{}: held {} unacked batches after tag {}; drained: acked tag {}, WAL unacked {}; stored {}, "
      "checksum {} (expected {}) {}",
      agent, wal.held_batches, wal.tag_held_from, wal.acked_tag, wal.unacked, stored.count,
      stored.sum, expected_sum, ok() ? "OK" : "MISMATCH");
  if (!missing.empty())
    line += fmt::format("; LOST {} samples: {}", missing.size(), first(missing));
  if (!duplicated.empty())
    line += fmt::format("; STORED TWICE {} samples: {}", duplicated.size(), first(duplicated));
  if (!unexpected.empty())
    line += fmt::format("; {} stored samples beyond the acked tag: {}", unexpected.size(),
                        first(unexpected));
  return line;
}

Verdict judge(std::string agent, const AgentWal& wal, StoredSamples stored,
              const std::function<std::vector<double>()>& values) {
  const auto acked_tag = wal.acked_tag;
  Verdict verdict{std::move(agent), wal, stored};
  for (std::uint64_t seq = 1; seq <= acked_tag; ++seq)
    verdict.expected_sum += agent::synthetic_value(seq);
  const bool matches =
      stored.count == static_cast<std::int64_t>(acked_tag) && stored.sum == verdict.expected_sum;
  if (matches || acked_tag >= kPrime) return verdict;
  std::vector<int> times(acked_tag + 1, 0);
  for (const double value : values()) {
    const auto seq = seq_of(value);
    if (seq >= 1 && seq <= acked_tag)
      ++times[seq];
    else
      verdict.unexpected.push_back(seq);
  }
  for (std::uint64_t seq = 1; seq <= acked_tag; ++seq) {
    if (times[seq] == 0) verdict.missing.push_back(seq);
    if (times[seq] > 1) verdict.duplicated.push_back(seq);
  }
  return verdict;
}

std::string AlertHistory::describe() const {
  return fmt::format("alerts: {} transitions ({} firing), {} recorded twice in a row {}",
                     transitions, firings, repeated, ok() ? "OK" : "MISMATCH");
}

AlertHistory alert_history(const std::string& store_url) {
  const auto rows = query(store_url,
                          "SELECT count(*), count(*) FILTER (WHERE state = 'firing'), "
                          "count(*) FILTER (WHERE state = before) FROM (SELECT state, lag(state) "
                          "OVER (PARTITION BY fingerprint ORDER BY id) AS before FROM alerts "
                          "WHERE state IN ('firing', 'resolved')) transitions");
  AlertHistory history;
  if (rows.empty()) throw std::runtime_error("no answer from the alerts query");
  std::istringstream fields(rows.front());
  fields >> history.transitions >> history.firings >> history.repeated;
  return history;
}

std::vector<Delivery> deliveries_in(const std::vector<std::string>& bodies) {
  std::vector<Delivery> deliveries;
  for (const auto& body : bodies) {
    const auto message = nlohmann::json::parse(body);
    for (const auto& alert : message.at("alerts")) {
      const auto status = alert.at("status").get<std::string>();
      const auto& at = alert.at(status == "firing" ? "starts_at" : "ends_at");
      deliveries.push_back({alert.at("notification_id").get<std::int64_t>(),
                            alert.at("fingerprint").get<std::string>(), status,
                            unix_ms(at.get<std::string>())});
    }
  }
  return deliveries;
}

std::string NotificationCheck::describe() const {
  return fmt::format(
             "notifications: {} transitions: {} received, {} still in the outbox, {} missing, {} "
             "notified twice, {} dead letters; {} redeliveries of one notification {}",
             transitions, received, pending, missing, doubled, dead, redelivered,
             ok() ? "OK" : "MISMATCH") +
         (examples.empty() ? "" : fmt::format("; first: {}", fmt::join(examples, "; ")));
}

NotificationCheck check_notifications(const std::string& store_url,
                                      const std::function<std::vector<Delivery>()>& received) {
  const auto transitions = notified_transitions(store_url);
  const auto pending = outbox_rows(store_url);
  NotificationCheck check;
  check.dead = count_of(store_url, "notifications_dlq");
  std::map<TransitionKey, std::set<std::int64_t>> ids;
  std::set<std::int64_t> seen;
  for (const auto& d : received()) {
    ids[{d.fingerprint, d.status, d.at_ms}].insert(d.notification_id);
    if (!seen.insert(d.notification_id).second) ++check.redelivered;
  }
  std::set<TransitionKey> waiting;
  for (const auto& d : pending) {
    waiting.insert({d.fingerprint, d.status, d.at_ms});
    ids[{d.fingerprint, d.status, d.at_ms}].insert(d.notification_id);
  }
  check.transitions = static_cast<std::int64_t>(transitions.size());
  const auto example = [&](const TransitionKey& t, std::string_view problem,
                           const std::set<std::int64_t>& under) {
    constexpr std::size_t kExamples = 3;
    if (check.examples.size() < kExamples)
      check.examples.push_back(fmt::format("{} {} at {} {} (ids {})", std::get<1>(t),
                                           std::get<0>(t), std::get<2>(t), problem,
                                           fmt::join(under, ",")));
  };
  for (const auto& transition : transitions) {
    const auto it = ids.find(transition);
    if (it == ids.end()) {
      ++check.missing;
      example(transition, "missing", {});
      continue;
    }
    const bool waits = waiting.contains(transition);
    ++(waits ? check.pending : check.received);
    if (it->second.size() > 1) {
      ++check.doubled;
      example(transition, "notified twice", it->second);
    } else if (waits) {
      example(transition, "in the outbox", it->second);
    }
  }
  return check;
}

}  // namespace sentinel::chaos
