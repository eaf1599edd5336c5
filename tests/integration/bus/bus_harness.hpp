#pragma once
// The `bus` component against a real nats-server, run on an event loop thread of its own, with
// blocking helpers for the test's thread. Each test names its own stream and subjects (see
// unique_name), so tests can share one server and run in parallel.

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/core/registry.hpp"

#include "jetstream_probe.hpp"

namespace sentinel::test {

// The nats-server that scripts/services.sh started; fails the test when there is none.
std::string shared_nats_url();

// A name no other test uses: "<prefix><8 hex digits>".
std::string unique_name(std::string_view prefix);

// A stream and subject prefix of the test's own on a server, deleted when the test ends.
struct TestStream {
  explicit TestStream(std::string server_url);

  std::map<std::string, std::string> settings() const;  // url, stream.name, stream.subjects
  std::string subject(std::string_view agent) const { return prefix + "." + std::string(agent); }
  bus::ConsumerOptions durable(std::string name) const;

  std::string url;
  std::string name;
  std::string prefix;

 private:
  StreamCleanup cleanup_{url, name};
};

class BusHarness {
 public:
  using Settings = std::map<std::string, std::string>;

  // `settings`: keys of the bus section, e.g. {"url", "nats://..."}, {"stream.name", "T1"}.
  explicit BusHarness(const Settings& settings);
  ~BusHarness();

  bus::Bus& bus() { return component().bus(); }
  bus::BusComponent& component() { return components_->get<bus::BusComponent>(); }
  bool ready() { return component().readiness().ready; }
  std::string metrics_text() const { return metrics_.render(); }
  // Stops the component, as the registry would.
  void stop();

  // Runs `task` on the harness's loop and waits for its value.
  template <class T>
  T run(boost::asio::awaitable<T> task, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    boost::asio::co_spawn(io_, deliver(std::move(task), promise), boost::asio::detached);
    REQUIRE(future.wait_for(timeout) == std::future_status::ready);
    return future.get();
  }

  bus::PublishResult publish(const std::string& subject, const std::string& id);
  // Publishes them all at once, so that they are in flight together, and waits for every answer.
  std::vector<bus::PublishResult> publish_all(const std::string& subject,
                                              const std::vector<std::string>& ids);
  std::unique_ptr<bus::Consumer> consumer(bus::ConsumerOptions options);
  bus::Deliveries fetch(bus::Consumer& consumer, std::size_t max, std::chrono::milliseconds wait);
  bus::ConsumerInfo info(bus::Consumer& consumer);

 private:
  template <class T>
  static boost::asio::awaitable<void> deliver(boost::asio::awaitable<T> task,
                                              std::shared_ptr<std::promise<T>> promise) {
    try {
      promise->set_value(co_await std::move(task));
    } catch (const std::exception&) {
      promise->set_exception(std::current_exception());
    }
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread loop_;
  core::MetricsRegistry metrics_;
  core::ComponentCatalog catalog_;
  core::ParsedConfig config_;
  std::unique_ptr<core::ComponentSet> components_;
  bool stopped_ = false;
};

}  // namespace sentinel::test
