#include <algorithm>

#include "sentinel/proto/text.hpp"

#include "agent/collectors/collector.hpp"

namespace sentinel::agent {

void MetricSink::add(std::string_view name, Labels labels, v1::MetricType type, double value,
                     std::int64_t time_ms, std::uint64_t seq) {
  for (const auto& static_label : static_labels_) {
    auto same = [&](const auto& label) { return label.first == static_label.first; };
    if (std::none_of(labels.begin(), labels.end(), same)) labels.push_back(static_label);
  }
  std::sort(labels.begin(), labels.end());
  auto& metric = out_.emplace_back();
  metric.set_name(std::string(name));
  for (auto& [key, label_value] : labels) {
    auto* label = metric.add_labels();
    label->set_name(std::move(key));
    // Values come from the system (mount points, device names): keep the sample with its value
    // made storable rather than have the whole batch refused.
    label->set_value(proto::storable_text(std::move(label_value)));
  }
  metric.set_type(type);
  metric.set_double_value(value);
  metric.set_timestamp_ms(time_ms != 0 ? time_ms : time_ms_);
  metric.set_seq(seq);
}

}  // namespace sentinel::agent
