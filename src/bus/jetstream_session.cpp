#include "jetstream_session.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backend.hpp"
#include "jetstream_setup.hpp"

namespace sentinel::bus {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto kStreamRetryFirst = 1s;
constexpr auto kStreamRetryMost = 30s;
// How long the destructor waits for nats.c to confirm a close nobody asked for in stop().
constexpr auto kCloseGrace = 5s;

PublisherSettings publisher_settings(const BusComponent::Config& config) {
  return {config.stream.name, config.max_pending, config.publish_timeout};
}

}  // namespace

NatsSession::NatsSession(BusComponent::Config config, asio::io_context& io, BusMetrics metrics,
                         core::Logger log)
    : config_(std::move(config)),
      strand_(asio::make_strand(io)),
      log_(std::move(log)),
      metrics_(metrics),
      connection_(config_, *this),
      publisher_(publisher_settings(config_), metrics),
      pool_(config_.fetch_threads),
      tasks_(log_),
      readiness_(std::make_shared<const core::Readiness>(core::Readiness{false, "not started"})) {
  metrics_.connected().set(0);
}

NatsSession::~NatsSession() {
  if (!started_ || stopping_) return;
  // Started but never stopped: close, so that nats.c calls back no more.
  const auto deadline = core::Clock::now() + kCloseGrace;
  stopping_ = true;
  tasks_.cancel();
  disconnect(deadline);
  tasks_.wait(deadline);
}

void NatsSession::start() {
  const bool connected = connection_.connect();
  readiness_ = std::make_shared<const core::Readiness>(core::Readiness{
      false, connected ? fmt::format("setting up stream {}", config_.stream.name) : unreachable()});
  started_ = true;
  if (!connected) {
    log_.warn("NATS is not reachable at {} yet; connecting in the background",
              fmt::join(config_.url, ", "));
  }
  // Events nats.c sent before `started_` were dropped; this catches up with the present.
  asio::post(strand_, [self = shared_from_this()] { self->refresh(); });
}

void NatsSession::stop(core::Deadline deadline) {
  stopping_ = true;
  tasks_.cancel();
  if (!publisher_.wait_drained(deadline))
    log_.warn("{} publishes still await their PubAck at the deadline", publisher_.pending());
  disconnect(deadline);
  asio::post(strand_, [self = shared_from_this()] { self->publisher_.abandon("the bus stopped"); });
  pool_.join();  // blocking calls return early on a closed connection
  tasks_.wait(deadline);
  metrics_.connected().set(0);
  readiness_ = std::make_shared<const core::Readiness>(core::Readiness{false, "stopped"});
}

void NatsSession::disconnect(core::Deadline deadline) {
  connection_.close();
  {
    std::unique_lock lock(closed_mutex_);
    if (!closed_signal_.wait_until(lock, deadline, [this] { return closed_; }))
      log_.warn("nats.c did not confirm the close by the deadline");
  }
  callbacks_.close();
}

void NatsSession::publish(OutgoingMessage message, Handler<PublishResult> handler) {
  asio::post(strand_, [self = shared_from_this(), message = std::move(message),
                       handler = std::move(handler)]() mutable {
    if (self->stopping_) {
      complete(std::move(handler), unavailable("the bus is stopping"));
    } else if (!self->connection_.connected()) {
      complete(std::move(handler), unavailable(self->unreachable()));
    } else {
      self->publisher_.publish(self->connection_.jetstream(), message, std::move(handler));
    }
  });
}

core::Result<jsCtx*> NatsSession::jetstream() const {
  if (stopping_) return core::Error{"unavailable", "the bus is stopping", true};
  if (!started_ || !connection_.connected()) return core::Error{"unavailable", unreachable(), true};
  return connection_.jetstream();
}

std::string NatsSession::unreachable() const {
  return fmt::format("nats unreachable: {}", connection_.problem());
}

void NatsSession::on_connection_change() {
  CallbackGate::Pass pass(callbacks_);
  if (!pass) return;
  asio::post(strand_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->refresh();
  });
}

void NatsSession::on_closed() {
  CallbackGate::Pass pass(callbacks_);
  if (!pass) return;
  std::lock_guard lock(closed_mutex_);
  closed_ = true;
  closed_signal_.notify_all();
}

void NatsSession::on_publish_answer(natsMsg* message, PublishResult result) {
  CallbackGate::Pass pass(callbacks_);
  if (!pass) {
    natsMsg_Destroy(message);
    return;
  }
  asio::post(strand_, [weak = weak_from_this(), message, result = std::move(result)]() mutable {
    if (auto self = weak.lock()) {
      self->publisher_.answer(message, std::move(result));
    } else {
      natsMsg_Destroy(message);
    }
  });
}

void NatsSession::refresh() {
  if (!started_ || stopping_) return;
  const bool was_connected = connected_;
  connected_ = connection_.connected();
  metrics_.connected().set(connected_ ? 1 : 0);
  if (connected_ && !was_connected) {
    log_.info("connected to NATS");
    if (ever_connected_) metrics_.reconnects().inc();
    ever_connected_ = true;
  } else if (!connected_ && was_connected) {
    log_.warn("lost the connection to NATS ({}); reconnecting", connection_.problem());
  }
  // Again after every reconnection: a server that lost its store lost the stream too.
  if (connected_) keep_stream();
  update_readiness();
}

void NatsSession::keep_stream() {
  if (setting_up_stream_) return;
  setting_up_stream_ = true;
  tasks_.spawn(strand_, set_up_stream(), "bus stream setup");
}

asio::awaitable<void> NatsSession::set_up_stream() {
  asio::steady_timer pause(strand_);
  core::Duration retry = kStreamRetryFirst;
  while (connected_ && !stopping_) {
    // Named, not a temporary in the co_await: see README.md (GCC 12).
    auto work = [js = connection_.jetstream(), &settings = config_.stream] {
      return ensure_stream(js, settings);
    };
    auto outcome = co_await pool_.run(std::move(work));
    if (outcome) {
      if (*outcome != SetupOutcome::kUnchanged) {
        log_.info("stream {} {}", config_.stream.name,
                  *outcome == SetupOutcome::kCreated ? "created" : "updated to the configuration");
      }
      stream_ready_ = true;
      stream_problem_.clear();
      update_readiness();
      break;
    }
    if (stream_problem_ != outcome.error().message) log_.error("{}", outcome.error().message);
    stream_ready_ = false;
    stream_problem_ = outcome.error().message;
    update_readiness();
    pause.expires_after(retry);
    co_await pause.async_wait(asio::use_awaitable);
    retry = std::min<core::Duration>(retry * 2, kStreamRetryMost);
  }
  setting_up_stream_ = false;
}

void NatsSession::update_readiness() {
  core::Readiness readiness;
  if (!connected_) {
    readiness = {false, unreachable()};
  } else if (!stream_ready_) {
    readiness = {false, stream_problem_.empty()
                            ? fmt::format("setting up stream {}", config_.stream.name)
                            : stream_problem_};
  }
  readiness_ = std::make_shared<const core::Readiness>(std::move(readiness));
}

}  // namespace sentinel::bus
