// The publishing side of the in-process bus: when a publish is answered, and with what.

#include <catch2/catch.hpp>

#include "inproc_fixture.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using bus::PublishStatus;
using test::InprocFixture;

namespace {

bus::ConsumerOptions durable(std::string name) {
  bus::ConsumerOptions options;
  options.durable_name = std::move(name);
  return options;
}

// A consumer no publisher waits for, like the alert leader.
bus::ConsumerOptions watching(std::string name) {
  auto options = durable(std::move(name));
  options.confirms_publish = false;
  return options;
}

}  // namespace

TEST_CASE("a publish is accepted only once every confirming consumer has acked it") {
  InprocFixture f;
  auto ingest = f.consumer(durable("ingest"));
  auto alerting = f.consumer(durable("alerting"));
  auto published = f.publish("agent-1:1");

  auto for_ingest = f.fetch(*ingest, 10, 1s);
  auto for_alerting = f.fetch(*alerting, 10, 1s);
  REQUIRE(for_ingest.size() == 1);
  REQUIRE(for_alerting.size() == 1);
  CHECK(for_ingest[0]->message_id() == "agent-1:1");
  CHECK(for_ingest[0]->payload() == "payload of agent-1:1");
  CHECK(for_ingest[0]->subject() == "sentinel.metrics.a");
  CHECK(for_ingest[0]->delivery_count() == 1);

  for_ingest[0]->ack();
  f.settle();
  CHECK_FALSE(published->has_value());
  for_alerting[0]->ack();
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kAccepted);
  CHECK_THAT(f.metrics_text(),
             Catch::Contains("sentinel_bus_publishes_total{result=\"accepted\"} 1"));
}

TEST_CASE("a publish does not wait for a consumer that does not confirm publishes") {
  InprocFixture f(InprocFixture::Settings{{"stream.duplicate_window", "10s"}});
  auto ingest = f.consumer(durable("ingest"));
  auto alerting = f.consumer(watching("alerting"));
  auto published = f.publish("agent-1:1");

  auto for_ingest = f.fetch(*ingest, 10, 1s);
  REQUIRE(for_ingest.size() == 1);
  for_ingest[0]->ack();
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kAccepted);

  // The message stays for the other consumer, which settles it in its own time.
  auto for_alerting = f.fetch(*alerting, 10, 1s);
  REQUIRE(for_alerting.size() == 1);
  CHECK(for_alerting[0]->message_id() == "agent-1:1");
  for_alerting[0]->nak(0ms);
  auto again = f.fetch(*alerting, 10, 1s);
  REQUIRE(again.size() == 1);
  CHECK(again[0]->delivery_count() == 2);

  // A repeat of a confirmed message is a duplicate at once, unsettled copy or not.
  auto repeat = f.publish("agent-1:1");
  REQUIRE(f.drive([&] { return repeat->has_value(); }));
  CHECK((*repeat)->status == PublishStatus::kDuplicate);
  CHECK(f.fetch(*ingest, 10, 0ms).empty());
}

TEST_CASE("when no matching consumer confirms publishes, a publish waits for them all") {
  InprocFixture f;
  auto alerting = f.consumer(watching("alerting"));
  auto published = f.publish("agent-1:1");
  auto deliveries = f.fetch(*alerting, 10, 1s);
  REQUIRE(deliveries.size() == 1);
  f.settle();
  CHECK_FALSE(published->has_value());
  deliveries[0]->ack();
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kAccepted);
}

TEST_CASE("a durable cannot change whether it confirms publishes") {
  InprocFixture f;
  f.consumer(durable("ingest"));
  auto made = test::spawn(f.io, f.bus().consumer(watching("ingest")));
  REQUIRE(f.drive([&] { return made->has_value(); }));
  REQUIRE_FALSE((*made)->ok());
  CHECK((*made)->error().code == "conflict");
  CHECK_THAT((*made)->error().message, Catch::Contains("consumer ingest exists and confirms"));
}

TEST_CASE("a message id seen within the duplicate window is answered kDuplicate") {
  InprocFixture f(InprocFixture::Settings{{"stream.duplicate_window", "200ms"}});
  auto ingest = f.consumer(durable("ingest"));
  auto first = f.publish("agent-1:7");
  auto repeat_while_pending = f.publish("agent-1:7");
  auto deliveries = f.fetch(*ingest, 10, 1s);
  REQUIRE(deliveries.size() == 1);
  f.settle();
  CHECK_FALSE(repeat_while_pending->has_value());  // waits for the first copy's outcome

  deliveries[0]->ack();
  REQUIRE(f.drive([&] { return first->has_value() && repeat_while_pending->has_value(); }));
  CHECK((*first)->status == PublishStatus::kAccepted);
  CHECK((*repeat_while_pending)->status == PublishStatus::kDuplicate);

  auto repeat_after_ack = f.publish("agent-1:7");
  REQUIRE(f.drive([&] { return repeat_after_ack->has_value(); }));
  CHECK((*repeat_after_ack)->status == PublishStatus::kDuplicate);
  CHECK(f.fetch(*ingest, 10, 0ms).empty());

  // Once the window has passed, the id is new again.
  CHECK(test::eventually([&] {
    auto again = f.publish("agent-1:7");
    f.settle();
    return !again->has_value();  // stored and waiting for the consumer
  }));
  CHECK(f.fetch(*ingest, 10, 1s).size() == 1);
}

TEST_CASE("with no consumer at all a publish is unavailable at once") {
  InprocFixture f;
  auto published = f.publish("agent-1:1");
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kUnavailable);
  CHECK((*published)->detail == "no consumer");
  CHECK((*published)->retry_after > 0ms);
}

TEST_CASE("a consumer gets only the subjects its filter matches") {
  InprocFixture f;
  auto options = durable("one-agent");
  options.filter_subject = "sentinel.metrics.a";
  auto consumer = f.consumer(options);
  auto other = f.publish("agent-2:1", "sentinel.metrics.b");
  auto matching = f.publish("agent-1:1", "sentinel.metrics.a");
  REQUIRE(f.drive([&] { return other->has_value(); }));
  CHECK((*other)->detail == "no consumer");
  auto deliveries = f.fetch(*consumer, 10, 1s);
  REQUIRE(deliveries.size() == 1);
  CHECK(deliveries[0]->message_id() == "agent-1:1");
}

TEST_CASE("a full queue answers kUnavailable with a retry hint") {
  InprocFixture f(InprocFixture::Settings{{"inproc_queue_size", "2"}});
  auto ingest = f.consumer(durable("ingest"));
  auto first = f.publish("a:1");
  auto second = f.publish("a:2");
  auto third = f.publish("a:3");
  REQUIRE(f.drive([&] { return third->has_value(); }));
  CHECK((*third)->status == PublishStatus::kUnavailable);
  CHECK((*third)->detail == "the in-process queue is full");
  CHECK((*third)->retry_after > 0ms);
  CHECK_FALSE(first->has_value());
  CHECK_FALSE(second->has_value());
  CHECK_THAT(f.metrics_text(), Catch::Contains("sentinel_bus_pending_publishes 2"));
}

TEST_CASE("a publish not acked in time is unavailable; its retry waits for the queued copy") {
  InprocFixture f(InprocFixture::Settings{{"publish_timeout", "100ms"}});
  auto ingest = f.consumer(durable("ingest"));
  auto published = f.publish("a:1");
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kUnavailable);
  CHECK_THAT((*published)->detail, Catch::Contains("no ack from the consumers within"));

  auto retry = f.publish("a:1");
  auto deliveries = f.fetch(*ingest, 10, 1s);
  REQUIRE(deliveries.size() == 1);  // the timed-out copy was kept, not lost or doubled
  deliveries[0]->ack();
  REQUIRE(f.drive([&] { return retry->has_value(); }));
  CHECK((*retry)->status == PublishStatus::kDuplicate);
}

TEST_CASE("stop answers waiting publishers and turns readiness off") {
  InprocFixture f;
  auto ingest = f.consumer(durable("ingest"));
  auto published = f.publish("a:1");
  f.settle();
  CHECK(f.component().readiness().ready);
  f.component().stop(core::Clock::now() + 1s);
  REQUIRE(f.drive([&] { return published->has_value(); }));
  CHECK((*published)->status == PublishStatus::kUnavailable);
  CHECK_FALSE(f.component().readiness().ready);
  auto after = f.publish("a:2");
  REQUIRE(f.drive([&] { return after->has_value(); }));
  CHECK((*after)->status == PublishStatus::kUnavailable);
}
