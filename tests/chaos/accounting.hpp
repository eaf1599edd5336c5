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

struct Verdict {
  std::string agent;
  std::uint64_t acked_tag = 0;
  std::uint64_t wal_unacked = 0;
  StoredSamples stored;
  double expected_sum = 0;
  std::vector<std::uint64_t> missing, duplicated, unexpected;  // sample numbers
  bool ok() const;
  std::string describe() const;  // one line; the diagnosis on a mismatch
};

// Compares what is stored with 1..acked_tag; `values` is called only on a mismatch.
Verdict judge(std::string agent, std::uint64_t acked_tag, std::uint64_t wal_unacked,
              StoredSamples stored, const std::function<std::vector<double>()>& values);

}  // namespace sentinel::chaos
