#pragma once
// The chaos suite's verdict, from the database: per agent, every sample its generator produced
// and its WAL acknowledged (seq 1..acked tag) is stored exactly once. The count and the sum of
// values (a checksum: agent::synthetic_value) must both match; on a mismatch the stored values
// are mapped back to their sample numbers to name exactly which were lost or stored twice.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sentinel::chaos {

struct StoredSamples {
  std::int64_t count = 0;
  double sum = 0;
};

// The synthetic samples stored per agent name (the name of its bootstrap token).
std::map<std::string, StoredSamples> stored_per_agent(const std::string& store_url);

// The values stored for one agent, one per row.
std::vector<double> stored_values(const std::string& store_url, const std::string& agent);

// An agent's WAL as `wal inspect` saw it when the load ended (the agent killed while cut off
// from the gateways, holding samples) and after the drain.
struct AgentWal {
  std::uint64_t held_batches = 0;   // unacked when the load ended
  std::uint64_t tag_held_from = 0;  // the acked tag then
  std::uint64_t acked_tag = 0;      // after the drain
  std::uint64_t unacked = 0;        // after the drain: must be 0
};

struct Verdict {
  std::string agent;
  AgentWal wal;
  StoredSamples stored;
  double expected_sum = 0;
  std::vector<std::uint64_t> missing, duplicated, unexpected;  // sample numbers
  bool ok() const;
  std::string describe() const;  // one line; the diagnosis on a mismatch
};

// Compares what is stored with 1..acked tag and checks that what the agent held when the load
// ended came out of its WAL; `values` is called only on a mismatch.
Verdict judge(std::string agent, const AgentWal& wal, StoredSamples stored,
              const std::function<std::vector<double>()>& values);

}  // namespace sentinel::chaos
