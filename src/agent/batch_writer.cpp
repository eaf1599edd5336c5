#include "agent/batch_writer.hpp"

#include <algorithm>

namespace sentinel::agent {

std::size_t BatchWriter::write(std::vector<v1::Metric> metrics, std::int64_t time_ms,
                               std::string_view source) {
  std::size_t written = 0;
  for (std::size_t start = 0; start < metrics.size(); start += max_metrics_) {
    const std::size_t end = std::min(metrics.size(), start + max_metrics_);
    v1::Batch batch;
    if (credentials_.enrolled()) batch.set_agent_id(credentials_.agent_id());
    batch.set_batch_id(wal_.next_id());
    batch.set_created_at_ms(time_ms);
    (*batch.mutable_meta())["source"] = std::string(source);
    batch.mutable_metrics()->Reserve(static_cast<int>(end - start));
    std::uint64_t seq_start = 0, seq_end = 0;
    for (std::size_t i = start; i < end; ++i) {
      if (const auto seq = metrics[i].seq(); seq != 0) {
        seq_start = seq_start == 0 ? seq : std::min(seq_start, seq);
        seq_end = std::max(seq_end, seq);
      }
      *batch.add_metrics() = std::move(metrics[i]);
    }
    batch.set_seq_start(seq_start);
    batch.set_seq_end(seq_end);
    const auto tag = seq_end != 0 ? seq_end : wal_.last_tag();
    if (wal_.append(batch.SerializeAsString(), time_ms, tag).ok()) {
      ++written;
      metrics_.batches_written.inc();
      metrics_.samples_written.inc(static_cast<double>(end - start));
    }
  }
  wal_.enforce_caps(time_ms);
  metrics_.mirror(wal_);
  return written;
}

}  // namespace sentinel::agent
