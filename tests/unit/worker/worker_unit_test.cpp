// The worker's pure parts: decoding bus payloads and parsing query parameters.
#include <catch2/catch.hpp>

#include "decode.hpp"
#include "proto/sentinel.pb.h"
#include "query_params.hpp"

using namespace sentinel;
using namespace sentinel::worker;

namespace {

constexpr std::int64_t kNow = 1'795'450'000'000;

v1::Batch batch_of(const std::string& agent) {
  v1::Batch batch;
  batch.set_agent_id(agent);
  batch.set_batch_id(42);
  auto* gauge = batch.add_metrics();
  gauge->set_name("load1");
  gauge->set_double_value(0.5);
  gauge->set_timestamp_ms(kNow);
  return batch;
}

std::string decode_error(const v1::Batch& batch, const std::string& subject) {
  auto result = decode_batch(subject, batch.SerializeAsString(), kNow, {});
  auto* error = std::get_if<std::string>(&result);
  return error ? *error : "";
}

}  // namespace

TEST_CASE("decode: gauges, counters and histograms become samples", "[worker]") {
  auto batch = batch_of("agt_a");
  auto* counter = batch.add_metrics();
  counter->set_name("requests_total");
  counter->set_int_value(7);
  counter->set_timestamp_ms(kNow);
  auto* label = counter->add_labels();
  label->set_name("code");
  label->set_value("200");
  auto* histogram = batch.add_metrics();
  histogram->set_name("latency");
  histogram->set_timestamp_ms(kNow);
  histogram->mutable_histogram()->add_bounds(0.1);
  histogram->mutable_histogram()->add_counts(3);
  histogram->mutable_histogram()->set_count(5);
  histogram->mutable_histogram()->set_sum(1.5);
  auto* old = batch.add_metrics();
  old->set_name("stale");
  old->set_double_value(1);
  old->set_timestamp_ms(kNow - 100LL * store::kDayMs);

  auto result = decode_batch("sentinel.metrics.agt_a", batch.SerializeAsString(), kNow, {});
  REQUIRE(std::holds_alternative<Decoded>(result));
  const auto& decoded = std::get<Decoded>(result);
  CHECK(decoded.batch.key == store::BatchKey{"agt_a", 42});
  CHECK(decoded.dropped == 1);
  REQUIRE(decoded.batch.points.size() == 6);
  CHECK(decoded.batch.points[1].value == 7);
  CHECK(decoded.batch.points[1].labels.at("code") == "200");
  CHECK(decoded.batch.points[2].name == "latency_bucket");
  CHECK(decoded.batch.points[2].labels.at("le") == "0.1");
  CHECK(decoded.batch.points[3].labels.at("le") == "+Inf");
  CHECK(decoded.batch.points[3].value == 5);
  CHECK(decoded.batch.points[4].name == "latency_sum");
  CHECK(decoded.batch.points[5].name == "latency_count");
}

TEST_CASE("decode: what can never be stored says why", "[worker]") {
  CHECK(std::get<std::string>(decode_batch("s.agt_a", "\xff\xff garbage", kNow, {}))
            .find("not a serialized") != std::string::npos);
  CHECK(decode_error(batch_of(""), "sentinel.metrics.") == "the batch has no agent_id");
  CHECK(decode_error(batch_of("agt_a"), "sentinel.metrics.agt_b").find("came on subject") !=
        std::string::npos);
  auto no_id = batch_of("agt_a");
  no_id.set_batch_id(0);
  CHECK(decode_error(no_id, "sentinel.metrics.agt_a").find("out of range") != std::string::npos);
  auto no_value = batch_of("agt_a");
  no_value.mutable_metrics(0)->clear_double_value();
  CHECK(decode_error(no_value, "sentinel.metrics.agt_a") == "metric load1 has no value");
  // PostgreSQL keeps no NUL in text: a batch holding one would fail every group it is in.
  auto nul_label = batch_of("agt_a");
  auto* label = nul_label.mutable_metrics(0)->add_labels();
  label->set_name("mount");
  label->set_value(std::string("/a\0b", 4));
  CHECK(decode_error(nul_label, "sentinel.metrics.agt_a").find("NUL") != std::string::npos);
  auto nul_name = batch_of("agt_a");
  nul_name.mutable_metrics(0)->set_name(std::string("lo\0ad", 5));
  CHECK(decode_error(nul_name, "sentinel.metrics.agt_a").find("NUL") != std::string::npos);
}

TEST_CASE("query params: times, steps, labels and CSV fields", "[worker]") {
  CHECK(parse_time("1795450000") == 1'795'450'000'000);
  CHECK(parse_time("1795450000.25") == 1'795'450'000'250);
  CHECK(parse_time("2026-11-23T18:00:00Z") == 1'795'456'800'000);
  CHECK(parse_time("2026-11-23T18:00:00.5Z") == 1'795'456'800'500);
  CHECK_FALSE(parse_time("2026-02-30T18:00:00Z"));
  CHECK_FALSE(parse_time("yesterday"));
  CHECK(parse_step("30s") == 30'000);
  CHECK(parse_step("90") == 90'000);
  CHECK_FALSE(parse_step("-5"));
  CHECK(resolution_for(30'000) == store::Resolution::kRaw);
  CHECK(resolution_for(600'000) == store::Resolution::k5m);
  CHECK(resolution_for(7'200'000) == store::Resolution::k1h);
  CHECK(parse_label_filter("cpu=total,mode=") == store::Labels{{"cpu", "total"}, {"mode", ""}});
  CHECK_FALSE(parse_label_filter("=x"));
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,\"b\"\nc") == "\"a,\"\"b\"\"\nc\"");
}
