#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/core/task_group.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/gateway/gateway.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/store/session.hpp"

#include "admin.hpp"
#include "handlers.hpp"
#include "presence.hpp"

namespace sentinel::gateway {
namespace {

namespace asio = boost::asio;
constexpr auto kPurgeInterval = std::chrono::minutes(1);

// The daemon fills in a dev master key when none is configured (core::resolve_master_key), so an
// empty one here is a set-up error, not a state to serve in.
std::string required_master_key(const core::ProcessConfig& process) {
  if (process.master_key.empty()) {
    throw std::invalid_argument(
        "the gateway needs master_key (SENTINEL_MASTER_KEY): agent secrets are sealed with it");
  }
  return process.master_key.reveal();
}

}  // namespace

Gateway::Config Gateway::Config::parse(core::ConfigSection& section) {
  using namespace std::chrono_literals;
  using core::Duration;
  using core::Range;
  Config c;
  section.read("replay_window", c.replay_window, Range<Duration>{1s, 1h});
  section.read("max_request_bytes", c.max_request_bytes,
               Range<core::ByteSize>{{1024}, {1ULL << 30}});
  section.read("max_batches", c.max_batches, Range<std::size_t>{1, 100'000});
  auto batch = section.child("batch");
  batch.read("max_metrics", c.batch.max_metrics, Range<std::size_t>{1, 1'000'000});
  batch.read("max_name_bytes", c.batch.max_name_bytes, Range<std::size_t>{1, 65'536});
  batch.read("max_labels", c.batch.max_labels, Range<std::size_t>{0, 1024});
  batch.read("max_label_name_bytes", c.batch.max_label_name_bytes, Range<std::size_t>{1, 65'536});
  batch.read("max_label_value_bytes", c.batch.max_label_value_bytes,
             Range<std::size_t>{1, 1 << 20});
  auto limits = section.child("rate_limit");
  limits.read("agent_rate", c.rate_limit.agent_rate, Range<double>{0, 1e6});
  limits.read("agent_burst", c.rate_limit.agent_burst, Range<double>{1, 1e6});
  limits.read("ip_rate", c.rate_limit.ip_rate, Range<double>{0, 1e6});
  limits.read("ip_burst", c.rate_limit.ip_burst, Range<double>{1, 1e6});
  section.read("rotation_grace", c.rotation_grace, Range<Duration>{0ms, Duration(24h) * 365});
  section.read("key_cache_ttl", c.key_cache_ttl, Range<Duration>{0ms, 10min});
  section.read("stale_after", c.stale_after, Range<Duration>{1s, 24h});
  section.read("offline_after", c.offline_after, Range<Duration>{1s, Duration(24h) * 30});
  section.read("presence_interval", c.presence_interval, Range<Duration>{100ms, 1h});
  section.read("retry_after", c.retry_after, Range<Duration>{1s, 10min});
  if (c.offline_after < c.stale_after) section.fail("offline_after", "at least stale_after");
  return c;
}

class Gateway::Impl {
 public:
  Impl(const Config& config, core::ComponentContext& context)
      : config_(config),
        log_(context.logger(kName)),
        strand_(asio::make_strand(context.io())),
        tasks_(log_),
        services_(config_, context.get<store::StoreComponent>().store(),
                  context.get<bus::BusComponent>().bus(), required_master_key(context.process()),
                  context.metrics(), asio::make_strand(context.io()), tasks_),
        presence_(services_) {
    auto& router = context.get<http::Server>().router();
    add_agent_endpoints(router);
    add_agent_routes(router, services_);
    add_token_routes(router, services_, context.get<Auth>());
    add_openapi_route(router);
  }

  void start() {
    tasks_.spawn(strand_, presence_.run(), "gateway presence");
    tasks_.spawn(strand_, purge_expired(), "gateway purge");
  }

  void stop(core::Deadline deadline) {
    services_.events.close();
    tasks_.cancel();
    if (!tasks_.wait(deadline)) log_.warn("gateway tasks did not stop by the deadline");
  }

 private:
  void add_agent_endpoints(http::Router& router) {
    using http::Method;
    // A push may be as large as the decompressed limit; its body is checked again after
    // decompression.
    const http::RouteOptions agent{
        .role = {}, .body_limit = config_.max_request_bytes.bytes, .summary = {}};
    auto with_summary = [&](std::string summary) {
      auto options = agent;
      options.summary = std::move(summary);
      return options;
    };
    router.add(Method::kPost, "/v1/push", bound(handle_push),
               with_summary("Signed batches from an agent (protobuf PushRequest)."));
    router.add(Method::kPost, "/v1/heartbeat", bound(handle_heartbeat),
               with_summary("A signed heartbeat with host facts (protobuf SignedHeartbeat)."));
    router.add(Method::kPost, "/v1/agents/enroll", bound(handle_enroll),
               with_summary("Enrolment with a bootstrap token (protobuf EnrollRequest)."));
  }

  template <class Handler>
  http::Handler bound(Handler handler) {
    return [this, handler](http::Request& request) { return handler(services_, request); };
  }

  // Nonces are remembered only as long as the replay window could let them through, enrolments
  // only as long as an agent may repeat them.
  asio::awaitable<void> purge_expired() {
    asio::steady_timer timer(strand_);
    for (;;) {
      timer.expires_after(kPurgeInterval);
      co_await timer.async_wait(asio::use_awaitable);
      const auto now = core::unix_ms();
      auto purged = co_await services_.store.run(
          [&](store::Session& session) { return session.credentials().purge_expired(now); });
      if (!purged) {
        log_.warn("cannot purge expired nonces and enrolments: {}", purged.error().message);
      }
    }
  }

  Config config_;
  core::Logger log_;
  asio::strand<asio::io_context::executor_type> strand_;
  core::TaskGroup tasks_;
  Services services_;
  PresenceMonitor presence_;
};

Gateway::Gateway(const Config& config, core::ComponentContext& context)
    : impl_(std::make_unique<Impl>(config, context)) {}

Gateway::~Gateway() = default;

void Gateway::start() {
  impl_->start();
}

void Gateway::stop(core::Deadline deadline) {
  impl_->stop(deadline);
}

}  // namespace sentinel::gateway
