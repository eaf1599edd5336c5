#include "nats_connection.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backend.hpp"
#include "nats_options.hpp"

namespace sentinel::bus {
namespace {

// The C callbacks: each passes the event on and returns at once.

void connection_changed(natsConnection*, void* closure) {
  static_cast<ConnectionListener*>(closure)->on_connection_change();
}

void connection_closed(natsConnection*, void* closure) {
  static_cast<ConnectionListener*>(closure)->on_closed();
}

PublishResult publish_answer(const jsPubAck* ack, const jsPubAckErr* error) {
  if (ack != nullptr) {
    return PublishResult{ack->Duplicate ? PublishStatus::kDuplicate : PublishStatus::kAccepted};
  }
  if (error->Err == NATS_TIMEOUT) return unavailable("no PubAck from JetStream in time");
  if (error->Err == NATS_NO_RESPONDERS) return unavailable("JetStream has no stream for it");
  return unavailable(
      fmt::format("JetStream refused the publish: {}",
                  error->ErrText != nullptr ? error->ErrText : natsStatus_GetText(error->Err)));
}

void publish_answered(jsCtx*, natsMsg* message, jsPubAck* ack, jsPubAckErr* error, void* closure) {
  static_cast<ConnectionListener*>(closure)->on_publish_answer(message, publish_answer(ack, error));
}

std::chrono::milliseconds as_ms(core::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

}  // namespace

NatsConnection::NatsConnection(const BusComponent::Config& config, ConnectionListener& listener)
    : config_(config), listener_(listener), random_(std::random_device{}()) {}

NatsConnection::~NatsConnection() {
  // The context first: it refers to the connection.
  js_.reset();
  connection_.reset();
}

bool NatsConnection::connect() {
  options_ = make_nats_options(config_);
  auto* options = options_.get();
  void* listener = &listener_;
  auto check = [](natsStatus status) {
    if (status != NATS_OK) throw std::runtime_error(nats_error(status));
  };
  check(natsOptions_SetRetryOnFailedConnect(options, true, connection_changed, listener));
  check(natsOptions_SetDisconnectedCB(options, connection_changed, listener));
  check(natsOptions_SetReconnectedCB(options, connection_changed, listener));
  check(natsOptions_SetClosedCB(options, connection_closed, listener));
  check(natsOptions_SetCustomReconnectDelay(options, reconnect_delay, this));

  natsConnection* raw = nullptr;
  const natsStatus status = natsConnection_Connect(&raw, options);
  if (status != NATS_OK && status != NATS_NOT_YET_CONNECTED) {
    throw std::runtime_error(
        fmt::format("cannot connect to {}: {}", fmt::join(config_.url, ", "), nats_error(status)));
  }
  connection_.reset(raw);

  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = as_ms(config_.api_timeout).count();
  js_options.PublishAsync.AckHandler = publish_answered;
  js_options.PublishAsync.AckHandlerClosure = listener;
  js_options.PublishAsync.MaxPending = static_cast<int64_t>(config_.max_pending);
  // The bus bounds pending publishes itself, below this; should nats.c stall anyway, the
  // event loop must not wait long.
  js_options.PublishAsync.StallWait = 1;
  jsCtx* js = nullptr;
  check(natsConnection_JetStream(&js, raw, &js_options));
  js_.reset(js);
  return status == NATS_OK;
}

bool NatsConnection::connected() const {
  return connection_ && natsConnection_Status(connection_.get()) == NATS_CONN_STATUS_CONNECTED;
}

std::string NatsConnection::problem() const {
  // natsConnection_GetLastError's text is the connection's own buffer, handed out after nats.c
  // releases its lock, which its threads rewrite on the next error: only the status is ours.
  const char* unused = nullptr;
  if (connection_) {
    if (const auto status = natsConnection_GetLastError(connection_.get(), &unused);
        status != NATS_OK)
      return fmt::format("{} ({})", natsStatus_GetText(status), fmt::join(config_.url, ", "));
  }
  return fmt::format("no connection to {} yet; retrying", fmt::join(config_.url, ", "));
}

void NatsConnection::close() {
  if (connection_) natsConnection_Close(connection_.get());
  delay_callbacks_.close();
}

int64_t NatsConnection::reconnect_delay(natsConnection*, int attempts, void* closure) {
  auto& self = *static_cast<NatsConnection*>(closure);
  CallbackGate::Pass pass(self.delay_callbacks_);
  if (!pass) return 0;
  const int64_t first = as_ms(self.config_.reconnect_wait).count();
  const int64_t most = as_ms(self.config_.reconnect_wait_max).count();
  const int64_t delay = std::min(first << std::clamp(attempts - 1, 0, 20), most);
  std::lock_guard lock(self.random_mutex_);
  std::uniform_int_distribution<int64_t> jitter(0, delay / 4);
  return delay - jitter(self.random_);
}

}  // namespace sentinel::bus
