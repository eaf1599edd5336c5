#pragma once
// Turns samples into WAL records: batches of at most max_batch_metrics samples, numbered by the
// WAL, stamped with the agent id once it is known, then the WAL's caps applied.

#include <string_view>
#include <vector>

#include "agent/agent_metrics.hpp"
#include "agent/identity/credentials.hpp"
#include "agent/wal/wal.hpp"
#include "proto/sentinel.pb.h"

namespace sentinel::agent {

class BatchWriter {
 public:
  BatchWriter(wal::Wal& wal, Credentials& credentials, AgentMetrics& metrics,
              std::size_t max_batch_metrics)
      : wal_(wal), credentials_(credentials), metrics_(metrics), max_metrics_(max_batch_metrics) {}

  // Appends `metrics` as one or more batches; `source` goes to Batch.meta["source"]. Returns the
  // number of batches written (a failed append is counted by the WAL and logged there).
  std::size_t write(std::vector<v1::Metric> metrics, std::int64_t time_ms, std::string_view source);

 private:
  wal::Wal& wal_;
  Credentials& credentials_;
  AgentMetrics& metrics_;
  std::size_t max_metrics_;
};

}  // namespace sentinel::agent
