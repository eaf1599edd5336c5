#pragma once
// Self-metrics: counters, gauges and histograms with labels, rendered in the Prometheus text
// exposition format 0.0.4. Values are atomics, so hot paths update them without locks; a family
// locks only to find or create the child for a label set, and callers on hot paths keep the
// reference they got.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::core {

class Counter {
 public:
  void inc(double amount = 1);
  // Mirrors a monotonic total kept elsewhere, such as the kernel's CPU time of the process.
  void set_total(double total) { value_.store(total, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double amount);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1 slots
  std::atomic<double> sum_{0};
};

// Buckets for latencies in seconds, from 0.5 ms to 10 s.
std::vector<double> latency_buckets();

enum class MetricType { kCounter, kGauge, kHistogram };

class FamilyBase {
 public:
  FamilyBase(MetricType type, std::string name, std::string help, std::vector<std::string> labels);
  virtual ~FamilyBase() = default;
  MetricType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  void render(std::string& out) const;

 protected:
  virtual void render_children(std::string& out) const = 0;
  std::string label_text(const std::vector<std::string>& values, std::string_view extra = {}) const;

 private:
  MetricType type_;
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

template <class Metric>
class Family final : public FamilyBase {
 public:
  Family(MetricType type, std::string name, std::string help, std::vector<std::string> labels,
         std::function<std::unique_ptr<Metric>()> make)
      : FamilyBase(type, std::move(name), std::move(help), std::move(labels)),
        make_(std::move(make)) {}

  // The child for these label values, in the order of the family's label names.
  Metric& with(const std::vector<std::string>& values);

 private:
  void render_children(std::string& out) const override;

  std::function<std::unique_ptr<Metric>()> make_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

class MetricsRegistry;

// Keeps a scrape-time callback registered for as long as the owner lives.
class CollectorHandle {
 public:
  CollectorHandle() = default;
  CollectorHandle(MetricsRegistry* registry, std::uint64_t id) : registry_(registry), id_(id) {}
  CollectorHandle(CollectorHandle&& other) noexcept;
  CollectorHandle& operator=(CollectorHandle&& other) noexcept;
  ~CollectorHandle();

 private:
  MetricsRegistry* registry_ = nullptr;
  std::uint64_t id_ = 0;
};

class MetricsRegistry {
 public:
  // Registering a name twice returns the first family when type and labels agree (two instances
  // of one component share it) and throws std::logic_error otherwise.
  Family<Counter>& counter_family(std::string name, std::string help,
                                  std::vector<std::string> labels);
  Family<Gauge>& gauge_family(std::string name, std::string help, std::vector<std::string> labels);
  Family<Histogram>& histogram_family(std::string name, std::string help,
                                      std::vector<std::string> labels, std::vector<double> bounds);

  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::vector<double> bounds);

  // Runs `collect` before each render, for values read on demand (process stats, queue sizes).
  // It runs under the registry lock: it may update metrics but must not register new ones.
  [[nodiscard]] CollectorHandle on_collect(std::function<void()> collect);

  std::string render() const;

 private:
  friend class CollectorHandle;
  template <class Metric>
  Family<Metric>& family(MetricType type, std::string name, std::string help,
                         std::vector<std::string> labels,
                         std::function<std::unique_ptr<Metric>()> make);
  void remove_collector(std::uint64_t id);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_;
  std::map<std::uint64_t, std::function<void()>> collectors_;
  std::uint64_t next_collector_id_ = 1;
};

// Standard process_* metrics read from /proc/self (RSS, CPU seconds, open fds, start time), named
// as every Prometheus client library names them.
class ProcessMetrics {
 public:
  explicit ProcessMetrics(MetricsRegistry& registry);

 private:
  void collect();

  Gauge& resident_;
  Gauge& virtual_;
  Counter& cpu_seconds_;
  Gauge& open_fds_;
  Gauge& max_fds_;
  Gauge& start_time_;
  CollectorHandle handle_;
};

}  // namespace sentinel::core
