// The well-formedness of a batch, checked after authentication: what fails here is REJECTED
// (parked by the agent), never retried.

#include <fmt/format.h>

#include "sentinel/proto/text.hpp"

#include "handlers.hpp"

namespace sentinel::gateway {

std::optional<std::string> batch_problem(const v1::Batch& batch, std::string_view agent_id,
                                         const BatchLimits& limits) {
  if (batch.agent_id() != agent_id) {
    return fmt::format("the batch names agent {}, its envelope {}", batch.agent_id(), agent_id);
  }
  if (batch.batch_id() == 0) return std::string("batch_id must be at least 1");
  if (static_cast<std::size_t>(batch.metrics_size()) > limits.max_metrics) {
    return fmt::format("{} metrics, more than the limit of {}", batch.metrics_size(),
                       limits.max_metrics);
  }
  for (const auto& metric : batch.metrics()) {
    if (metric.name().empty() || metric.name().size() > limits.max_name_bytes) {
      return fmt::format("metric name of {} bytes (1 to {} allowed)", metric.name().size(),
                         limits.max_name_bytes);
    }
    if (static_cast<std::size_t>(metric.labels_size()) > limits.max_labels) {
      return fmt::format("{} has {} labels, more than the limit of {}", metric.name(),
                         metric.labels_size(), limits.max_labels);
    }
    if (auto problem = proto::metric_text_problem(metric)) return problem;
    for (const auto& label : metric.labels()) {
      if (label.name().empty() || label.name().size() > limits.max_label_name_bytes ||
          label.value().size() > limits.max_label_value_bytes) {
        return fmt::format("{} has an oversized label (names up to {} bytes, values up to {})",
                           metric.name(), limits.max_label_name_bytes,
                           limits.max_label_value_bytes);
      }
    }
  }
  return std::nullopt;
}

}  // namespace sentinel::gateway
