#pragma once
// An in-process bus made through the `bus` component, and a single-threaded way to drive it:
// coroutines run on an io_context that the test advances itself, so the order of events is
// the test's.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/core/registry.hpp"

namespace sentinel::test {

// The eventual value of a coroutine spawned with spawn().
template <class T>
using Eventual = std::shared_ptr<std::optional<T>>;

template <class T>
boost::asio::awaitable<void> store_result(boost::asio::awaitable<T> task, Eventual<T> out) {
  out->emplace(co_await std::move(task));
}

template <class T>
Eventual<T> spawn(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  auto out = std::make_shared<std::optional<T>>();
  boost::asio::co_spawn(io, store_result(std::move(task), out), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
  });
  return out;
}

class InprocFixture {
 public:
  // `settings`: keys of the bus section and their values, e.g. {"publish_timeout", "200ms"}.
  using Settings = std::map<std::string, std::string>;
  explicit InprocFixture(const Settings& settings = {});
  ~InprocFixture();

  bus::Bus& bus() { return components_->get<bus::BusComponent>().bus(); }
  bus::BusComponent& component() { return components_->get<bus::BusComponent>(); }
  std::string metrics_text() const { return metrics_.render(); }

  // Runs handlers until `done` holds; false when the loop ran out of work first.
  template <class Done>
  bool drive(Done done) {
    io.restart();
    while (!done()) {
      if (io.run_one() == 0) return false;
    }
    return true;
  }
  // Runs what is ready now, without waiting for timers.
  void settle() {
    io.restart();
    io.poll();
  }

  std::unique_ptr<bus::Consumer> consumer(bus::ConsumerOptions options);
  bus::Deliveries fetch(bus::Consumer& consumer, std::size_t max, std::chrono::milliseconds wait);
  Eventual<bus::PublishResult> publish(std::string id, std::string subject = "sentinel.metrics.a");

  boost::asio::io_context io;

 private:
  core::MetricsRegistry metrics_;
  core::ComponentCatalog catalog_;
  core::ParsedConfig config_;
  std::unique_ptr<core::ComponentSet> components_;
};

}  // namespace sentinel::test
