// Stream setup: created with the configured settings, updated in place, never destroyed.

#include <thread>

#include <catch2/catch.hpp>

#include "bus_harness.hpp"
#include "jetstream_probe.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using test::BusHarness;
using test::TestStream;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

BusHarness::Settings with(BusHarness::Settings settings, const BusHarness::Settings& more) {
  settings.insert(more.begin(), more.end());
  return settings;
}

}  // namespace

TEST_CASE("the stream is created with the configured settings") {
  TestStream stream(test::shared_nats_url());
  BusHarness harness(with(
      stream.settings(),
      {{"stream.max_age", "1h"}, {"stream.max_bytes", "1GiB"}, {"stream.duplicate_window", "1m"}}));
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  auto facts = test::JetStreamProbe(stream.url).stream(stream.name);
  CHECK(facts.file_storage);
  CHECK(facts.subjects == std::vector<std::string>{stream.prefix + ".>"});
  CHECK(facts.max_age_ns == 3600 * kSecond);
  CHECK(facts.max_bytes == 1LL << 30);
  CHECK(facts.duplicate_window_ns == 60 * kSecond);
  CHECK(facts.replicas == 1);
}

TEST_CASE("changed settings update the stream in place, keeping its messages") {
  TestStream stream(test::shared_nats_url());
  {
    BusHarness first(with(stream.settings(), {{"stream.max_age", "1h"}}));
    REQUIRE(test::eventually([&] { return first.ready(); }));
    auto results = first.publish_all(stream.subject("a"), {"a:1", "a:2", "a:3"});
    for (const auto& result : results)
      CHECK(result.status == bus::PublishStatus::kAccepted);
  }
  BusHarness second(with(
      stream.settings(),
      {{"stream.max_age", "2h"}, {"stream.max_bytes", "2GiB"}, {"stream.duplicate_window", "3m"}}));
  REQUIRE(test::eventually([&] { return second.ready(); }));
  auto facts = test::JetStreamProbe(stream.url).stream(stream.name);
  CHECK(facts.max_age_ns == 7200 * kSecond);
  CHECK(facts.max_bytes == 2LL << 30);
  CHECK(facts.duplicate_window_ns == 180 * kSecond);
  CHECK(facts.messages == 3);
  // The deduplication state survived too.
  CHECK(second.publish(stream.subject("a"), "a:2").status == bus::PublishStatus::kDuplicate);
}

TEST_CASE("a stream that cannot be changed in place keeps the bus unready, and says why") {
  TestStream stream(test::shared_nats_url());
  test::JetStreamProbe probe(stream.url);
  probe.create_memory_stream(stream.name, stream.prefix + ".>");
  BusHarness harness(stream.settings());
  REQUIRE(test::eventually([&] {
    return harness.component().readiness().reason.find("cannot be changed in place") !=
           std::string::npos;
  }));
  CHECK_FALSE(harness.ready());
  CHECK_THAT(harness.component().readiness().reason, Catch::Contains("memory storage"));
  CHECK_FALSE(probe.stream(stream.name).file_storage);  // left as it was
}

TEST_CASE("several processes setting the stream up at once all succeed") {
  TestStream stream(test::shared_nats_url());
  std::vector<std::unique_ptr<BusHarness>> harnesses(3);
  std::vector<std::thread> starters;
  for (auto& harness : harnesses) {
    starters.emplace_back([&] { harness = std::make_unique<BusHarness>(stream.settings()); });
  }
  for (auto& starter : starters)
    starter.join();
  for (auto& harness : harnesses)
    CHECK(test::eventually([&] { return harness->ready(); }));
  CHECK(test::JetStreamProbe(stream.url).stream(stream.name).subjects.size() == 1);
}
