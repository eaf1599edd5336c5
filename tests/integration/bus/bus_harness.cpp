#include "bus_harness.hpp"

#include <cstdlib>
#include <random>

#include <fmt/format.h>

namespace sentinel::test {

using namespace std::chrono_literals;

std::string shared_nats_url() {
  const char* url = std::getenv("SENTINEL_TEST_NATS_URL");
  if (url == nullptr || *url == '\0') {
    FAIL(
        "SENTINEL_TEST_NATS_URL is not set: run under scripts/services.sh "
        "(eval \"$(scripts/services.sh start)\")");
  }
  return url;
}

std::string unique_name(std::string_view prefix) {
  std::random_device random;
  return fmt::format("{}{:08x}", prefix, random());
}

TestStream::TestStream(std::string server_url)
    : url(std::move(server_url)), name(unique_name("TEST_")), prefix(unique_name("test")) {}

std::map<std::string, std::string> TestStream::settings() const {
  return {{"url", url}, {"stream.name", name}, {"stream.subjects", prefix + ".>"}};
}

bus::ConsumerOptions TestStream::durable(std::string durable_name) const {
  bus::ConsumerOptions options;
  options.durable_name = std::move(durable_name);
  options.filter_subject = prefix + ".>";
  return options;
}

BusHarness::BusHarness(const Settings& settings) : work_(io_.get_executor()) {
  catalog_.add<bus::BusComponent>();
  core::ConfigInputs inputs;
  for (const auto& [key, value] : settings)
    inputs.flags["bus." + key] = value;
  config_ = core::parse_config(catalog_, inputs, "/tmp");
  auto sink = std::make_shared<core::LogSink>(core::LogLevel::kWarn, core::LogFormat::kText);
  components_ =
      std::make_unique<core::ComponentSet>(catalog_, config_, core::Services{io_, sink, metrics_});
  std::vector<std::string> names = {"bus"};
  components_->create(names);
  loop_ = std::thread([this] { io_.run(); });
  components_->start(core::Clock::now() + 10s);
}

BusHarness::~BusHarness() {
  stop();
  work_.reset();
  loop_.join();
}

void BusHarness::stop() {
  if (stopped_) return;
  stopped_ = true;
  components_->stop(core::Clock::now() + 10s);
}

bus::PublishResult BusHarness::publish(const std::string& subject, const std::string& id) {
  return run(bus().publish({subject, id, "payload of " + id}));
}

std::vector<bus::PublishResult> BusHarness::publish_all(const std::string& subject,
                                                        const std::vector<std::string>& ids) {
  std::vector<std::future<bus::PublishResult>> answers;
  for (const auto& id : ids) {
    auto promise = std::make_shared<std::promise<bus::PublishResult>>();
    answers.push_back(promise->get_future());
    boost::asio::co_spawn(io_, deliver(bus().publish({subject, id, "payload of " + id}), promise),
                          boost::asio::detached);
  }
  std::vector<bus::PublishResult> results;
  for (auto& answer : answers) {
    REQUIRE(answer.wait_for(30s) == std::future_status::ready);
    results.push_back(answer.get());
  }
  return results;
}

std::unique_ptr<bus::Consumer> BusHarness::consumer(bus::ConsumerOptions options) {
  auto made = run(bus().consumer(std::move(options)));
  if (!made) FAIL(made.error().message);
  return std::move(made).value();
}

bus::Deliveries BusHarness::fetch(bus::Consumer& consumer, std::size_t max,
                                  std::chrono::milliseconds wait) {
  auto fetched = run(consumer.fetch(max, wait));
  if (!fetched) FAIL(fetched.error().message);
  return std::move(fetched).value();
}

bus::ConsumerInfo BusHarness::info(bus::Consumer& consumer) {
  auto info = run(consumer.info());
  if (!info) FAIL(info.error().message);
  return info.value();
}

}  // namespace sentinel::test
