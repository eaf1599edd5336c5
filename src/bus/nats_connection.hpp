#pragma once
// The connection to NATS and its JetStream context. It connects in the background and retries
// forever with a growing, jittered delay. nats.c reports events on its own threads; they reach
// the ConnectionListener, whose implementation must only hand them over to its own executor.

#include <mutex>
#include <random>
#include <string>

#include "sentinel/bus/bus_component.hpp"

#include "callback_gate.hpp"
#include "nats_handles.hpp"

namespace sentinel::bus {

class ConnectionListener {
 public:
  // The connection came up or went down (read connected() for which).
  virtual void on_connection_change() = 0;
  // The connection is closed for good: no callback follows.
  virtual void on_closed() = 0;
  // JetStream's answer to an asynchronous publish of `message` (whose ownership comes back).
  virtual void on_publish_answer(natsMsg* message, PublishResult result) = 0;

 protected:
  ~ConnectionListener() = default;
};

class NatsConnection {
 public:
  NatsConnection(const BusComponent::Config& config, ConnectionListener& listener);
  ~NatsConnection();
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;

  // Starts connecting; returns whether the first attempt succeeded. Throws std::runtime_error
  // for settings nats.c refuses.
  bool connect();
  bool connected() const;
  jsCtx* jetstream() const { return js_.get(); }
  // Why the connection is down, for readiness and logs.
  std::string problem() const;
  // Closes the connection; the listener's on_closed() follows. Once it returns, nats.c no
  // longer asks this object for a reconnect delay.
  void close();

 private:
  static int64_t reconnect_delay(natsConnection* connection, int attempts, void* closure);

  const BusComponent::Config& config_;
  ConnectionListener& listener_;
  OptionsHandle options_;
  ConnectionHandle connection_;
  JetStreamHandle js_;
  CallbackGate delay_callbacks_;
  std::mutex random_mutex_;
  std::minstd_rand random_;  // jitter, so that many clients do not reconnect in step
};

}  // namespace sentinel::bus
