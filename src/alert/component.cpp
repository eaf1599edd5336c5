#include "sentinel/alert/component.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "sentinel/alert/rules_file.hpp"
#include "sentinel/bus/bus_component.hpp"
#include "sentinel/core/task_group.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/store/component.hpp"

#include "api.hpp"
#include "leader.hpp"

namespace sentinel::alert {

namespace asio = boost::asio;

AlertComponent::Config AlertComponent::Config::parse(core::ConfigSection& section) {
  Config c;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  section.read("rules_file", c.rules_file);
  section.read("evaluation_interval", c.evaluation_interval, {milliseconds(100), minutes(10)});
  section.read("min_evaluation_gap", c.min_evaluation_gap, {milliseconds(0), minutes(1)});
  section.read("refresh_interval", c.refresh_interval, {milliseconds(100), minutes(10)});
  section.read("lead_retry", c.lead_retry, {milliseconds(100), minutes(1)});
  section.read("consumer", c.consumer);
  section.read("fetch_batch", c.fetch_batch, core::Range<std::size_t>{1, 10'000});
  if (c.consumer.empty()) section.fail("consumer", "a durable consumer name");
  return c;
}

class AlertComponent::Impl {
 public:
  Impl(const Config& config, core::ComponentContext& context)
      : config_(config),
        log_(context.logger("alert")),
        store_(context.get<store::StoreComponent>()),
        bus_(context.get<bus::BusComponent>()),
        metrics_(context.metrics()),
        strand_(asio::make_strand(context.io())),
        tasks_(log_),
        api_([this]() -> store::Store& { return store_.store(); }, shared_.refresh_requested) {
    api_.add_routes(context.get<http::Server>().router());
  }

  void start() {
    shared_.file_rules = load_file(config_.rules_file);
    tasks_.spawn(strand_, lead(), "alert leadership");
  }

  void stop(core::Deadline deadline) {
    tasks_.cancel();
    if (!tasks_.wait(deadline)) log_.error("the alert leader did not stop by the deadline");
    metrics_.leader.set(0);
  }

  void reload(const Config& config) {
    try {
      auto rules = load_file(config.rules_file);
      asio::post(strand_, [this, rules = std::move(rules)]() mutable {
        shared_.file_rules = std::move(rules);
        shared_.file_rules_changed = true;
        shared_.refresh_requested = true;
      });
      log_.info("rules file reloaded");
    } catch (const std::exception& e) {
      log_.error("rules file not reloaded, the previous rules stay: {}", e.what());
    }
  }

 private:
  static std::vector<Rule> load_file(const std::filesystem::path& file) {
    if (file.empty()) return {};
    auto loaded = load_rules_file(file);
    if (auto* errors = std::get_if<RulesFileErrors>(&loaded)) {
      std::string text;
      for (const auto& error : errors->errors)
        text += "\n  " + error;
      throw std::runtime_error("invalid rules file:" + text);
    }
    return std::get<std::vector<Rule>>(std::move(loaded));
  }

  // Standby until the lease is ours, lead until it is lost, and again.
  asio::awaitable<void> lead() {
    asio::steady_timer timer(strand_);
    for (;;) {
      auto lease = co_await store_.store().try_lead("alerting");
      if (lease && *lease) {
        metrics_.leader.set(1);
        try {
          Leader leader(config_, store_.store(), bus_.bus(), shared_, metrics_, log_);
          co_await leader.run(**lease);
        } catch (const boost::system::system_error& e) {
          if (e.code() == asio::error::operation_aborted) throw;  // stopping
          log_.error("alert leader failed: {}", e.what());
        } catch (const std::exception& e) {
          log_.error("alert leader failed: {}", e.what());
        }
        metrics_.leader.set(0);
      } else if (!lease) {
        log_.warn("cannot ask for the alerting lease: {}", lease.error().message);
      }
      timer.expires_after(config_.lead_retry);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  Config config_;
  core::Logger log_;
  store::StoreComponent& store_;
  bus::BusComponent& bus_;
  AlertMetrics metrics_;
  asio::strand<asio::io_context::executor_type> strand_;
  core::TaskGroup tasks_;
  SharedState shared_;
  AlertApi api_;
};

AlertComponent::AlertComponent(const Config& config, core::ComponentContext& context)
    : impl_(std::make_unique<Impl>(config, context)) {}

AlertComponent::~AlertComponent() = default;

void AlertComponent::start() {
  impl_->start();
}
void AlertComponent::stop(core::Deadline deadline) {
  impl_->stop(deadline);
}
void AlertComponent::reload(const Config& config) {
  impl_->reload(config);
}

}  // namespace sentinel::alert
