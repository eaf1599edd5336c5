#include "inproc_fixture.hpp"

#include <catch2/catch.hpp>

namespace sentinel::test {

namespace asio = boost::asio;

InprocFixture::InprocFixture(const Settings& settings) {
  catalog_.add<bus::BusComponent>();
  core::ConfigInputs inputs;
  for (const auto& [key, value] : settings)
    inputs.flags["bus." + key] = value;
  config_ = core::parse_config(catalog_, inputs, "/tmp");
  auto quiet =
      std::make_shared<core::LogSink>(core::LogLevel::kError, core::LogFormat::kText, [](auto) {});
  components_ =
      std::make_unique<core::ComponentSet>(catalog_, config_, core::Services{io, quiet, metrics_});
  std::vector<std::string> names = {"bus"};
  components_->create(names);
  components_->start(core::Clock::now() + std::chrono::seconds(5));
}

InprocFixture::~InprocFixture() {
  components_->stop(core::Clock::now() + std::chrono::seconds(5));
}

std::unique_ptr<bus::Consumer> InprocFixture::consumer(bus::ConsumerOptions options) {
  auto made = spawn(io, bus().consumer(std::move(options)));
  REQUIRE(drive([&] { return made->has_value(); }));
  REQUIRE((*made)->ok());
  return std::move(**made).value();
}

bus::Deliveries InprocFixture::fetch(bus::Consumer& consumer, std::size_t max,
                                     std::chrono::milliseconds wait) {
  auto fetched = spawn(io, consumer.fetch(max, wait));
  REQUIRE(drive([&] { return fetched->has_value(); }));
  REQUIRE((*fetched)->ok());
  return std::move(**fetched).value();
}

Eventual<bus::PublishResult> InprocFixture::publish(std::string id, std::string subject) {
  return spawn(io, bus().publish({std::move(subject), id, "payload of " + id}));
}

}  // namespace sentinel::test
