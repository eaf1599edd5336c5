#include "support/component_harness.hpp"

#include <sstream>

namespace sentinel::test {

ComponentHarness::ComponentHarness(const core::ComponentCatalog& catalog,
                                   std::vector<std::string> components,
                                   std::map<std::string, std::string> environment, int threads)
    : lines_(std::make_shared<std::vector<std::string>>()),
      lines_mutex_(std::make_shared<std::mutex>()) {
  core::ConfigInputs inputs;
  inputs.file = "/nonexistent/sentineld.yml";
  inputs.environment = std::move(environment);
  config_ = core::parse_config(catalog, inputs, "/tmp/sentinel-test-data");
  auto sink = std::make_shared<core::LogSink>(
      core::LogLevel::kDebug, core::LogFormat::kText,
      [lines = lines_, mutex = lines_mutex_](std::string_view line) {
        std::lock_guard lock(*mutex);
        lines->emplace_back(line);
      });
  runtime_ = std::make_unique<core::Runtime>(threads, core::Logger(sink, "test"));
  set_ = std::make_unique<core::ComponentSet>(catalog, config_,
                                              core::Services{runtime_->io(), sink, metrics_});
  set_->create(components);
  runtime_->start();
  set_->start(core::Clock::now() + std::chrono::seconds(10));
}

ComponentHarness::~ComponentHarness() {
  stop();
}

bool ComponentHarness::stop(std::chrono::milliseconds timeout) {
  if (stopped_) return true;
  stopped_ = true;
  bool in_time = set_->stop(core::Clock::now() + timeout);
  runtime_->shutdown();
  return in_time;
}

std::vector<std::string> ComponentHarness::log_lines() const {
  std::lock_guard lock(*lines_mutex_);
  return *lines_;
}

double metric_value(std::string_view exposition, std::string_view series) {
  std::istringstream text{std::string(exposition)};
  std::string line;
  while (std::getline(text, line)) {
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

double metric_value(const core::MetricsRegistry& metrics, std::string_view series) {
  return metric_value(metrics.render(), series);
}

}  // namespace sentinel::test
