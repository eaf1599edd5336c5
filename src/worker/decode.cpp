#include "decode.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <google/protobuf/arena.h>

#include "sentinel/proto/text.hpp"

#include "proto/sentinel.pb.h"

namespace sentinel::worker {
namespace {

// The bound as Prometheus writes it in `le`.
std::string bound_text(double bound) {
  if (std::isinf(bound)) return "+Inf";
  return fmt::format("{}", bound);
}

class Converter {
 public:
  Converter(std::int64_t now, const SampleWindow& window, Decoded& out)
      : from_(now - window.max_age_ms), to_(now + window.max_ahead_ms), out_(out) {}

  // An error message, or empty when the metric was converted.
  std::string add(const v1::Metric& metric) {
    if (metric.name().empty()) return "a metric has no name";
    if (auto problem = proto::metric_text_problem(metric)) return *problem;
    store::Labels labels;
    for (const auto& label : metric.labels()) {
      if (label.name().empty())
        return fmt::format("metric {} has a label without a name", metric.name());
      if (!labels.emplace(label.name(), label.value()).second)
        return fmt::format("metric {} repeats label {}", metric.name(), label.name());
    }
    if (metric.timestamp_ms() < from_ || metric.timestamp_ms() > to_) {
      ++out_.dropped;
      return {};
    }
    switch (metric.value_case()) {
      case v1::Metric::kDoubleValue:
        push(metric.name(), std::move(labels), metric.timestamp_ms(), metric.double_value());
        return {};
      case v1::Metric::kIntValue:
        push(metric.name(), std::move(labels), metric.timestamp_ms(),
             static_cast<double>(metric.int_value()));
        return {};
      case v1::Metric::kHistogram:
        return add_histogram(metric, labels);
      case v1::Metric::VALUE_NOT_SET:
        break;
    }
    return fmt::format("metric {} has no value", metric.name());
  }

 private:
  std::string add_histogram(const v1::Metric& metric, const store::Labels& labels) {
    const auto& histogram = metric.histogram();
    if (histogram.bounds_size() != histogram.counts_size())
      return fmt::format("histogram {} has {} bounds and {} counts", metric.name(),
                         histogram.bounds_size(), histogram.counts_size());
    const auto time = metric.timestamp_ms();
    for (int i = 0; i < histogram.bounds_size(); ++i) {
      auto bucket_labels = labels;
      bucket_labels["le"] = bound_text(histogram.bounds(i));
      push(metric.name() + "_bucket", std::move(bucket_labels), time,
           static_cast<double>(histogram.counts(i)));
    }
    auto inf_labels = labels;
    inf_labels["le"] = "+Inf";
    push(metric.name() + "_bucket", std::move(inf_labels), time,
         static_cast<double>(histogram.count()));
    push(metric.name() + "_sum", labels, time, histogram.sum());
    push(metric.name() + "_count", labels, time, static_cast<double>(histogram.count()));
    return {};
  }

  void push(std::string name, store::Labels labels, std::int64_t time, double value) {
    out_.batch.points.push_back({std::move(name), std::move(labels), time, value});
  }

  std::int64_t from_;
  std::int64_t to_;
  Decoded& out_;
};

}  // namespace

std::variant<Decoded, std::string> decode_batch(std::string_view subject, std::string_view payload,
                                                std::int64_t now, const SampleWindow& window) {
  // The batch's messages (metrics, labels) in a few arena blocks, not a heap allocation each.
  google::protobuf::Arena arena;
  auto& batch = *google::protobuf::Arena::CreateMessage<v1::Batch>(&arena);
  if (!batch.ParseFromArray(payload.data(), static_cast<int>(payload.size())))
    return std::string("the payload is not a serialized sentinel.v1.Batch");
  if (batch.agent_id().empty()) return std::string("the batch has no agent_id");
  // The subject's last token names the agent (sentinel.metrics.<agent_id>).
  if (!subject.ends_with("." + batch.agent_id()))
    return fmt::format("the batch of agent {} came on subject {}", batch.agent_id(), subject);
  if (batch.batch_id() == 0 ||
      batch.batch_id() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return fmt::format("batch_id {} is out of range", batch.batch_id());

  Decoded out;
  out.batch.key = {batch.agent_id(), batch.batch_id()};
  Converter converter(now, window, out);
  for (const auto& metric : batch.metrics()) {
    if (auto error = converter.add(metric); !error.empty()) return error;
  }
  return out;
}

}  // namespace sentinel::worker
