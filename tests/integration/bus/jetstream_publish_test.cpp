// Publishing to JetStream: PubAck, deduplication, pipelining and back-pressure.

#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "bus_harness.hpp"
#include "jetstream_probe.hpp"
#include "support/nats_server.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using bus::PublishStatus;
using test::BusHarness;
using test::TestStream;

TEST_CASE("published messages are fetched with their id and payload, and gone once acked") {
  TestStream stream(test::shared_nats_url());
  BusHarness harness(stream.settings());
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i)
    ids.push_back(fmt::format("agent-1:{}", i));
  for (const auto& result : harness.publish_all(stream.subject("agent-1"), ids))
    REQUIRE(result.status == PublishStatus::kAccepted);

  auto consumer = harness.consumer(stream.durable("ingest"));
  std::set<std::string> seen;
  REQUIRE(test::eventually([&] {
    for (auto& delivery : harness.fetch(*consumer, 100, 500ms)) {
      CHECK(delivery->subject() == stream.subject("agent-1"));
      CHECK(delivery->payload() == "payload of " + std::string(delivery->message_id()));
      CHECK(delivery->delivery_count() == 1);
      CHECK(delivery->stream_sequence() > 0);
      seen.emplace(delivery->message_id());
      delivery->ack();
    }
    return seen.size() == ids.size();
  }));
  CHECK(seen == std::set<std::string>(ids.begin(), ids.end()));
  CHECK(test::eventually([&] {
    auto info = harness.info(*consumer);
    return info.pending == 0 && info.ack_pending == 0;
  }));
  CHECK_THAT(harness.metrics_text(),
             Catch::Contains("sentinel_bus_publishes_total{result=\"accepted\"} 200"));
}

TEST_CASE("the same message id published three times lands once") {
  TestStream stream(test::shared_nats_url());
  BusHarness harness(stream.settings());
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  CHECK(harness.publish(stream.subject("a"), "a:42").status == PublishStatus::kAccepted);
  CHECK(harness.publish(stream.subject("a"), "a:42").status == PublishStatus::kDuplicate);
  CHECK(harness.publish(stream.subject("a"), "a:42").status == PublishStatus::kDuplicate);
  CHECK(test::JetStreamProbe(stream.url).stream(stream.name).messages == 1);
}

TEST_CASE("over max_pending, a publish is refused at once with a retry hint") {
  test::NatsServerProcess server;
  TestStream stream(server.url());
  auto settings = stream.settings();
  settings["max_pending"] = "2";
  BusHarness harness(settings);
  REQUIRE(test::eventually([&] { return harness.ready(); }));

  server.pause();  // holds the connection, answers nothing: the PubAcks wait
  std::vector<bus::PublishResult> first_two;
  std::thread waiting([&] {
    first_two = harness.publish_all(stream.subject("a"), {"a:1", "a:2"});
  });
  REQUIRE(test::eventually([&] {
    return harness.metrics_text().find("sentinel_bus_pending_publishes 2") != std::string::npos;
  }));
  const auto asked = core::Clock::now();
  auto refused = harness.publish(stream.subject("a"), "a:3");
  CHECK(core::Clock::now() - asked < 1s);
  CHECK(refused.status == PublishStatus::kUnavailable);
  CHECK_THAT(refused.detail, Catch::Contains("bus.max_pending"));
  CHECK(refused.retry_after > 0ms);

  server.resume();
  waiting.join();
  REQUIRE(first_two.size() == 2);
  CHECK(first_two[0].status == PublishStatus::kAccepted);
  CHECK(first_two[1].status == PublishStatus::kAccepted);
}

TEST_CASE("a publish whose PubAck does not come in time is unavailable") {
  test::NatsServerProcess server;
  TestStream stream(server.url());
  auto settings = stream.settings();
  settings["publish_timeout"] = "300ms";
  BusHarness harness(settings);
  REQUIRE(test::eventually([&] { return harness.ready(); }));
  server.pause();
  auto result = harness.publish(stream.subject("a"), "a:1");
  server.resume();
  CHECK(result.status == PublishStatus::kUnavailable);
  CHECK_THAT(result.detail, Catch::Contains("no PubAck"));
  // The retry is answered, and it is stored once however the first attempt ended.
  auto retry = harness.publish(stream.subject("a"), "a:1");
  CHECK(retry.status != PublishStatus::kUnavailable);
  CHECK(test::JetStreamProbe(stream.url).stream(stream.name).messages == 1);
}
