#pragma once
// The `alert` component (worker role): evaluates the alert rules and keeps each alert
// instance's state. Every worker runs it; one of them at a time (the holder of the store lease
// "alerting") evaluates, fed by its own durable bus consumer `sentinel-alerting`. It serves the
// rules, alerts and silences API. See src/alert/README.md.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"

namespace sentinel::alert {

class AlertComponent final : public core::Component {
 public:
  static constexpr std::string_view kName = "alert";

  struct Config {
    std::filesystem::path rules_file;  // empty: rules come from the API only
    core::Duration evaluation_interval = std::chrono::seconds(1);
    // New samples are evaluated at once, but not more often than this.
    core::Duration min_evaluation_gap = std::chrono::milliseconds(50);
    // How often rules, agents, silences and notifiers are read again from the store (an API
    // change on this process is seen at once).
    core::Duration refresh_interval = std::chrono::seconds(5);
    core::Duration lead_retry = std::chrono::seconds(2);  // a standby asks for the lease this often
    std::string consumer = "sentinel-alerting";
    std::size_t fetch_batch = 500;
    static Config parse(core::ConfigSection& section);
  };

  AlertComponent(const Config& config, core::ComponentContext& context);
  ~AlertComponent() override;

  void start() override;
  void stop(core::Deadline deadline) override;
  // SIGHUP: reads the rules file again; a file with errors keeps the previous rules.
  void reload(const Config& config);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::alert
