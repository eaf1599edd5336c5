#include "accounting.hpp"

#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

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

}  // namespace sentinel::chaos
