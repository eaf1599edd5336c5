#include "sentinel/notify/component.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/core/task_group.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/store/component.hpp"

#include "api.hpp"
#include "dispatcher.hpp"

namespace sentinel::notify {

namespace asio = boost::asio;

NotifyComponent::Config NotifyComponent::Config::parse(core::ConfigSection& section) {
  Config c;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  section.read("poll_interval", c.poll_interval, {milliseconds(10), minutes(1)});
  section.read("batch", c.batch, core::Range<std::size_t>{1, 10'000});
  section.read("max_attempts", c.max_attempts, core::Range<int>{1, 100});
  section.read("retry_initial", c.retry_initial, {milliseconds(10), minutes(10)});
  section.read("retry_max", c.retry_max, {milliseconds(10), std::chrono::hours(24)});
  section.read("timeout", c.timeout, {milliseconds(100), minutes(5)});
  section.read("lead_retry", c.lead_retry, {milliseconds(100), minutes(1)});
  if (c.retry_max < c.retry_initial) section.fail("retry_max", "at least retry_initial");
  return c;
}

class NotifyComponent::Impl {
 public:
  Impl(const Config& config, core::ComponentContext& context)
      : config_(config),
        log_(context.logger("notify")),
        store_(context.get<store::StoreComponent>()),
        metrics_(context.metrics()),
        strand_(asio::make_strand(context.io())),
        tasks_(log_),
        codec_(context.process().master_key.reveal()),
        sender_(strand_),
        api_([this]() -> store::Store& { return store_.store(); }, codec_, config_.timeout) {
    api_.add_routes(context.get<http::Server>().router());
  }

  void start() { tasks_.spawn(strand_, lead(), "notify sender"); }

  void stop(core::Deadline deadline) {
    tasks_.cancel();
    if (!tasks_.wait(deadline)) log_.error("the notification sender did not stop by the deadline");
    metrics_.leader.set(0);
  }

 private:
  // Standby until the lease is ours, send until it is lost, and again.
  asio::awaitable<void> lead() {
    asio::steady_timer timer(strand_);
    for (;;) {
      auto lease = co_await store_.store().try_lead("notify");
      if (lease && *lease) {
        metrics_.leader.set(1);
        try {
          Dispatcher dispatcher(config_, store_.store(), codec_, sender_, metrics_, log_);
          co_await dispatcher.run(**lease);
        } catch (const boost::system::system_error& e) {
          if (e.code() == asio::error::operation_aborted) throw;  // stopping
          log_.error("notification sender failed: {}", e.what());
        } catch (const std::exception& e) {
          log_.error("notification sender failed: {}", e.what());
        }
        metrics_.leader.set(0);
      } else if (!lease) {
        log_.warn("cannot ask for the notify lease: {}", lease.error().message);
      }
      timer.expires_after(config_.lead_retry);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  Config config_;
  core::Logger log_;
  store::StoreComponent& store_;
  NotifyMetrics metrics_;
  asio::strand<asio::io_context::executor_type> strand_;
  core::TaskGroup tasks_;
  NotifierCodec codec_;
  Sender sender_;
  NotifyApi api_;
};

NotifyComponent::NotifyComponent(const Config& config, core::ComponentContext& context)
    : impl_(std::make_unique<Impl>(config, context)) {}

NotifyComponent::~NotifyComponent() = default;

void NotifyComponent::start() {
  impl_->start();
}
void NotifyComponent::stop(core::Deadline deadline) {
  impl_->stop(deadline);
}

}  // namespace sentinel::notify
