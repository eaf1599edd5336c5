#pragma once
// Runs a set of components for a test the way the daemon does: parse the configuration, create
// the components with their dependencies, start them on a small event loop, stop them at the end.

#include <memory>
#include <string>
#include <vector>

#include "sentinel/core/metrics.hpp"
#include "sentinel/core/registry.hpp"
#include "sentinel/core/runtime.hpp"

namespace sentinel::test {

class ComponentHarness {
 public:
  // `environment` holds SENTINEL_* settings as the process environment would.
  ComponentHarness(const core::ComponentCatalog& catalog, std::vector<std::string> components,
                   std::map<std::string, std::string> environment = {}, int threads = 2);
  ~ComponentHarness();

  template <class T>
  T& get() {
    return set_->get<T>();
  }
  core::ComponentSet& components() { return *set_; }
  core::MetricsRegistry& metrics() { return metrics_; }
  // Everything logged so far, one line per entry.
  std::vector<std::string> log_lines() const;
  // Stops the components (idempotent); returns whether they stopped by the deadline.
  bool stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  core::ParsedConfig config_;
  core::MetricsRegistry metrics_;
  std::shared_ptr<std::vector<std::string>> lines_;
  std::shared_ptr<std::mutex> lines_mutex_;
  std::unique_ptr<core::Runtime> runtime_;
  std::unique_ptr<core::ComponentSet> set_;
  bool stopped_ = false;
};

// A metric's value from the text exposition, or -1 when the series is absent.
double metric_value(std::string_view exposition, std::string_view series);
double metric_value(const core::MetricsRegistry& metrics, std::string_view series);

}  // namespace sentinel::test
