#pragma once
// The JetStream side of the bus, shared by the bus and its consumers: the connection, the
// stream kept in line with the configuration, publishing, and the threads for blocking calls.
//
// Threading: nats.c's callbacks (ConnectionListener) only post onto the session's strand;
// connection state, the stream setup and the pending publishes live on that strand. readiness()
// reads an atomic; start() and stop() run on the main thread.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/core/task_group.hpp"

#include "blocking_pool.hpp"
#include "bus_metrics.hpp"
#include "callback_gate.hpp"
#include "jetstream_publisher.hpp"
#include "nats_connection.hpp"

namespace sentinel::bus {

class NatsSession final : public ConnectionListener,
                          public std::enable_shared_from_this<NatsSession> {
 public:
  NatsSession(BusComponent::Config config, boost::asio::io_context& io, BusMetrics metrics,
              core::Logger log);
  ~NatsSession();

  // Connects, or keeps trying in the background when NATS is down; throws for bad settings.
  void start();
  // Waits for pending PubAcks until `deadline`, then closes the connection.
  void stop(core::Deadline deadline);
  core::Readiness readiness() const { return *readiness_.load(); }

  void publish(OutgoingMessage message, Handler<PublishResult> handler);

  BlockingPool& blocking() { return pool_; }
  // On any thread: the JetStream context while connected, else the error to report.
  core::Result<jsCtx*> jetstream() const;
  const std::string& stream() const { return config_.stream.name; }
  BusMetrics& metrics() { return metrics_; }
  const core::Logger& log() const { return log_; }

 private:
  void on_connection_change() override;
  void on_closed() override;
  void on_publish_answer(natsMsg* message, PublishResult result) override;

  // Closes the connection and returns once nats.c calls back no more.
  void disconnect(core::Deadline deadline);
  void refresh();
  void keep_stream();
  boost::asio::awaitable<void> set_up_stream();
  void update_readiness();
  std::string unreachable() const;

  const BusComponent::Config config_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  core::Logger log_;
  BusMetrics metrics_;
  NatsConnection connection_;
  Publisher publisher_;
  BlockingPool pool_;  // after the connection: its threads end before the connection does
  core::TaskGroup tasks_;

  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<std::shared_ptr<const core::Readiness>> readiness_;
  // On the strand:
  bool connected_ = false;
  bool ever_connected_ = false;
  bool setting_up_stream_ = false;
  bool stream_ready_ = false;
  std::string stream_problem_;

  CallbackGate callbacks_;
  std::mutex closed_mutex_;
  std::condition_variable closed_signal_;
  bool closed_ = false;
};

}  // namespace sentinel::bus
