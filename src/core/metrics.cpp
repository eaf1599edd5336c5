#include "sentinel/core/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace sentinel::core {
namespace {

void atomic_add(std::atomic<double>& target, double amount) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + amount, std::memory_order_relaxed)) {
  }
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void render_sample(std::string& out, const std::string& name, const std::string& labels,
                   double value) {
  out += name;
  out += labels;
  out += ' ';
  out += format_value(value);
  out += '\n';
}

}  // namespace

void Counter::inc(double amount) {
  atomic_add(value_, amount);
}

void Gauge::add(double amount) {
  atomic_add(value_, amount);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::observe(double value) {
  auto slot = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[static_cast<std::size_t>(slot)].fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, value);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snap{bounds_, {}, sum_.load(std::memory_order_relaxed)};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snap.cumulative_counts.push_back(running);
  }
  return snap;
}

std::vector<double> latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

FamilyBase::FamilyBase(MetricType type, std::string name, std::string help,
                       std::vector<std::string> labels)
    : type_(type),
      name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(labels)) {}

void FamilyBase::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, escape(help_, false), name_,
                     type_name(type_));
  render_children(out);
}

std::string FamilyBase::label_text(const std::vector<std::string>& values,
                                   std::string_view extra) const {
  if (values.empty() && extra.empty()) return {};
  std::string text = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ',';
    text += fmt::format("{}=\"{}\"", label_names_[i], escape(values[i], true));
  }
  if (!extra.empty()) {
    if (!values.empty()) text += ',';
    text += extra;
  }
  return text + "}";
}

template <class Metric>
Metric& Family<Metric>::with(const std::vector<std::string>& values) {
  if (values.size() != label_names().size()) {
    throw std::logic_error(fmt::format("metric {} takes {} labels, got {}", name(),
                                       label_names().size(), values.size()));
  }
  std::lock_guard lock(mutex_);
  auto& child = children_[values];
  if (!child) child = make_();
  return *child;
}

template <>
void Family<Counter>::render_children(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [labels, metric] : children_) {
    render_sample(out, name(), label_text(labels), metric->value());
  }
}

template <>
void Family<Gauge>::render_children(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [labels, metric] : children_) {
    render_sample(out, name(), label_text(labels), metric->value());
  }
}

template <>
void Family<Histogram>::render_children(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [labels, metric] : children_) {
    auto snap = metric->snapshot();
    for (std::size_t i = 0; i <= snap.bounds.size(); ++i) {
      auto le = i < snap.bounds.size() ? format_value(snap.bounds[i]) : std::string("+Inf");
      render_sample(out, name() + "_bucket", label_text(labels, fmt::format("le=\"{}\"", le)),
                    static_cast<double>(snap.cumulative_counts[i]));
    }
    render_sample(out, name() + "_sum", label_text(labels), snap.sum);
    render_sample(out, name() + "_count", label_text(labels),
                  static_cast<double>(snap.cumulative_counts.back()));
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

CollectorHandle::CollectorHandle(CollectorHandle&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

CollectorHandle& CollectorHandle::operator=(CollectorHandle&& other) noexcept {
  if (this != &other) {
    if (registry_ != nullptr) registry_->remove_collector(id_);
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

CollectorHandle::~CollectorHandle() {
  if (registry_ != nullptr) registry_->remove_collector(id_);
}

template <class Metric>
Family<Metric>& MetricsRegistry::family(MetricType type, std::string name, std::string help,
                                        std::vector<std::string> labels,
                                        std::function<std::unique_ptr<Metric>()> make) {
  std::lock_guard lock(mutex_);
  auto& slot = families_[name];
  if (!slot) {
    slot = std::make_unique<Family<Metric>>(type, name, std::move(help), std::move(labels),
                                            std::move(make));
  } else if (slot->type() != type || slot->label_names() != labels) {
    throw std::logic_error(fmt::format("metric {} registered twice with different shapes", name));
  }
  return static_cast<Family<Metric>&>(*slot);
}

Family<Counter>& MetricsRegistry::counter_family(std::string name, std::string help,
                                                 std::vector<std::string> labels) {
  return family<Counter>(MetricType::kCounter, std::move(name), std::move(help), std::move(labels),
                         [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& MetricsRegistry::gauge_family(std::string name, std::string help,
                                             std::vector<std::string> labels) {
  return family<Gauge>(MetricType::kGauge, std::move(name), std::move(help), std::move(labels),
                       [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& MetricsRegistry::histogram_family(std::string name, std::string help,
                                                     std::vector<std::string> labels,
                                                     std::vector<double> bounds) {
  return family<Histogram>(MetricType::kHistogram, std::move(name), std::move(help),
                           std::move(labels),
                           [bounds] { return std::make_unique<Histogram>(bounds); });
}

Counter& MetricsRegistry::counter(std::string name, std::string help) {
  return counter_family(std::move(name), std::move(help), {}).with({});
}

Gauge& MetricsRegistry::gauge(std::string name, std::string help) {
  return gauge_family(std::move(name), std::move(help), {}).with({});
}

Histogram& MetricsRegistry::histogram(std::string name, std::string help,
                                      std::vector<double> bounds) {
  return histogram_family(std::move(name), std::move(help), {}, std::move(bounds)).with({});
}

CollectorHandle MetricsRegistry::on_collect(std::function<void()> collect) {
  std::lock_guard lock(mutex_);
  auto id = next_collector_id_++;
  collectors_.emplace(id, std::move(collect));
  return CollectorHandle(this, id);
}

void MetricsRegistry::remove_collector(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  collectors_.erase(id);
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, collect] : collectors_)
    collect();
  std::string out;
  for (const auto& [name, family] : families_)
    family->render(out);
  return out;
}

}  // namespace sentinel::core
