#pragma once
// A store seeded with one of everything `sentineld export` carries, and a snapshot of what the
// repositories and query reads return, for the transfer tests (transfer_test.cpp, cli_test.cpp).

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "sentinel/store/ingest.hpp"

#include "backends.hpp"
#include "transfer.hpp"

namespace sentinel::store::test {

inline constexpr std::int64_t kTransferNow = 1'795'450'000'000;  // 2026-11-24T14:46:40Z
inline constexpr std::int64_t kOldSamples = kTransferNow - 3 * kDayMs;

template <class Work>
auto must(OpenStore& store, Work work) {
  auto result = store.run(work);
  if (!result) FAIL(result.error().code << ": " << result.error().message);
  return std::move(*result);
}

// Ten points of two series per batch, 10 s apart, starting at `first_time`.
IngestBatch transfer_batch(const std::string& agent, std::uint64_t id, std::int64_t first_time);
// Ingests the batches and refreshes the rollups, as a worker would.
void ingest(OpenStore& store, std::vector<IngestBatch> batches);

// Two agents with keys (one expired), tokens, a rule, a silence, a notifier, an acknowledged
// firing alert and 60 samples (20 of them at kOldSamples). Returns the agents.
std::vector<Agent> seed(OpenStore& store);

// What the repositories and the query reads return, with series named by their key (each store
// numbers them itself); agent keys valid at kTransferNow.
struct Snapshot {
  std::vector<Agent> agents;
  std::vector<AgentKey> keys;
  std::vector<Hashed<BootstrapToken>> bootstrap_tokens;
  std::vector<Hashed<ApiToken>> api_tokens;
  std::vector<AlertRuleRow> rules;
  std::vector<SilenceRow> silences;
  std::vector<NotifierRow> notifiers;
  std::vector<AlertInstanceRow> instances;
  std::vector<BatchKey> batches;
  std::map<std::string, std::vector<std::pair<std::int64_t, double>>> samples;
  // 5-minute rollups: start, min, max, count
  std::map<std::string, std::vector<std::tuple<std::int64_t, double, double, std::int64_t>>>
      rollups;
  bool operator==(const Snapshot&) const = default;
};
Snapshot snapshot(OpenStore& store);
std::size_t sample_count(const Snapshot& snapshot);

// The archive of `store`, as `sentineld export` writes it.
std::string export_text(OpenStore& store, std::optional<std::int64_t> since = std::nullopt);
ImportReport import_text(OpenStore& store, const std::string& text,
                         std::size_t rows_per_transaction = 20'000);

}  // namespace sentinel::store::test
