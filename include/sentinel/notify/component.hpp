#pragma once
// The `notify` component (worker role): sends the notifications the alerting writes to the
// outbox, with retries, history and dead letters, and serves /api/v1/notifiers and
// /api/v1/notifications/dlq. One worker at a time sends (the holder of the store lease
// "notify"). See src/notify/README.md.

#include <memory>
#include <string_view>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"

namespace sentinel::notify {

class NotifyComponent final : public core::Component {
 public:
  static constexpr std::string_view kName = "notify";

  struct Config {
    core::Duration poll_interval = std::chrono::milliseconds(100);
    std::size_t batch = 200;  // outbox rows read per pass
    int max_attempts = 8;     // then the notification goes to the dead letters
    core::Duration retry_initial = std::chrono::seconds(1);
    core::Duration retry_max = std::chrono::minutes(5);
    core::Duration timeout = std::chrono::seconds(10);  // per request, unless the notifier says
    core::Duration lead_retry = std::chrono::seconds(2);
    static Config parse(core::ConfigSection& section);
  };

  NotifyComponent(const Config& config, core::ComponentContext& context);
  ~NotifyComponent() override;

  void start() override;
  void stop(core::Deadline deadline) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::notify
