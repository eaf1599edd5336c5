#include <zlib.h>
#include <zstd.h>

#include <catch2/catch.hpp>

#include "sentinel/gateway/auth.hpp"

#include "body_decoder.hpp"
#include "credential_cache.hpp"
#include "handlers.hpp"
#include "rate_limiter.hpp"

using namespace sentinel;
using namespace sentinel::gateway;

namespace {

http::Request protobuf_request(std::string body, std::string encoding = {}) {
  http::Request request;
  request.method = http::Method::kPost;
  request.headers.set("Content-Type", "application/x-protobuf");
  if (!encoding.empty()) request.headers.set("Content-Encoding", encoding);
  request.body = std::move(body);
  return request;
}

int status_of(const std::variant<std::string, http::Response>& decoded) {
  const auto* response = std::get_if<http::Response>(&decoded);
  return response ? response->status : 200;
}

std::string zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 1));
  return out;
}

std::string gzip(const std::string& data) {
  uLongf size = compressBound(data.size()) + 32;
  std::string out(size, '\0');
  z_stream stream{};
  deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

v1::Batch batch_of(int metrics) {
  v1::Batch batch;
  batch.set_agent_id("agt_1");
  batch.set_batch_id(1);
  for (int i = 0; i < metrics; ++i) {
    auto* metric = batch.add_metrics();
    metric->set_name("m");
    auto* label = metric->add_labels();
    label->set_name("l");
    label->set_value("v");
  }
  return batch;
}

}  // namespace

TEST_CASE("decode_body: identity, zstd and gzip decode to the same bytes") {
  const std::string payload(100'000, 'p');
  for (const auto& [encoding, body] : {std::pair<std::string, std::string>{"", payload},
                                       {"identity", payload},
                                       {"zstd", zstd(payload)},
                                       {"gzip", gzip(payload)}}) {
    CAPTURE(encoding);
    auto decoded = decode_body(protobuf_request(body, encoding), 1 << 20);
    REQUIRE(std::holds_alternative<std::string>(decoded));
    CHECK(std::get<std::string>(decoded) == payload);
  }
}

TEST_CASE("decode_body: the cap holds whatever the frame claims") {
  const std::string zeros(4 << 20, '\0');
  CHECK(status_of(decode_body(protobuf_request(zstd(zeros), "zstd"), 1 << 20)) == 413);
  CHECK(status_of(decode_body(protobuf_request(gzip(zeros), "gzip"), 1 << 20)) == 413);
  CHECK(status_of(decode_body(protobuf_request(zeros), 1 << 20)) == 413);
  CHECK(status_of(decode_body(protobuf_request(zstd(zeros), "zstd"), 4 << 20)) == 200);
}

TEST_CASE("decode_body: wrong types, unknown encodings and corrupt data") {
  CHECK(status_of(decode_body(protobuf_request("x", "br"), 1024)) == 415);
  auto json = protobuf_request("{}");
  json.headers.set("Content-Type", "application/json");
  CHECK(status_of(decode_body(json, 1024)) == 415);
  auto with_params = protobuf_request("x");
  with_params.headers.set("Content-Type", "application/x-protobuf; proto=sentinel.v1.PushRequest");
  CHECK(status_of(decode_body(with_params, 1024)) == 200);
  CHECK(status_of(decode_body(protobuf_request("not zstd", "zstd"), 1024)) == 400);
  CHECK(status_of(decode_body(protobuf_request("not gzip", "gzip"), 1024)) == 400);
  const auto truncated = zstd(std::string(10'000, 'a')).substr(0, 8);
  CHECK(status_of(decode_body(protobuf_request(truncated, "zstd"), 1 << 20)) == 400);
}

TEST_CASE("batch_problem: the limits of docs/protocol.md") {
  const BatchLimits limits{.max_metrics = 3,
                           .max_name_bytes = 10,
                           .max_labels = 2,
                           .max_label_name_bytes = 5,
                           .max_label_value_bytes = 5};
  CHECK_FALSE(batch_problem(batch_of(3), "agt_1", limits));
  CHECK(batch_problem(batch_of(4), "agt_1", limits));
  CHECK(batch_problem(batch_of(1), "agt_2", limits));
  auto batch = batch_of(1);
  batch.mutable_metrics(0)->set_name(std::string(11, 'n'));
  CHECK(batch_problem(batch, "agt_1", limits));
  batch = batch_of(1);
  batch.mutable_metrics(0)->mutable_labels(0)->set_value("123456");
  CHECK(batch_problem(batch, "agt_1", limits));
  batch = batch_of(1);
  for (int i = 0; i < 2; ++i)
    batch.mutable_metrics(0)->add_labels()->set_name("x");
  CHECK(batch_problem(batch, "agt_1", limits));
  batch = batch_of(1);
  batch.set_batch_id(0);
  CHECK(batch_problem(batch, "agt_1", limits));
  // No store keeps NUL in text (PostgreSQL refuses it).
  batch = batch_of(1);
  batch.mutable_metrics(0)->mutable_labels(0)->set_value(std::string("a\0b", 3));
  CHECK(batch_problem(batch, "agt_1", limits).value_or("").find("NUL") != std::string::npos);
  batch = batch_of(1);
  batch.mutable_metrics(0)->set_name(std::string("m\0", 2));
  CHECK(batch_problem(batch, "agt_1", limits).value_or("").find("NUL") != std::string::npos);
}

TEST_CASE("RateLimiter: a burst, then a wait named in whole milliseconds") {
  RateLimiter limiter(1, 2);
  CHECK_FALSE(limiter.take("a"));
  CHECK_FALSE(limiter.take("a"));
  auto wait = limiter.take("a");
  REQUIRE(wait);
  CHECK(wait->count() > 0);
  CHECK(wait->count() <= 1000);
  CHECK_FALSE(limiter.take("b"));  // buckets are per key
  RateLimiter off(0, 1);
  for (int i = 0; i < 100; ++i)
    CHECK_FALSE(off.take("a"));
}

TEST_CASE("roles: admin satisfies every role, the others only their own") {
  CHECK(role_satisfies("admin", "viewer"));
  CHECK(role_satisfies("admin", "agent-enroller"));
  CHECK(role_satisfies("viewer", "viewer"));
  CHECK_FALSE(role_satisfies("viewer", "admin"));
  CHECK_FALSE(role_satisfies("agent-enroller", "viewer"));
  CHECK_FALSE(role_satisfies("viewer", "agent-enroller"));
  CHECK(valid_role("agent-enroller"));
  CHECK_FALSE(valid_role("root"));
  CHECK(token_hash("abc") == token_hash("abc"));
  CHECK(token_hash("abc") != token_hash("abd"));
}

TEST_CASE("CredentialCache: an answer read before an invalidation is not kept") {
  CredentialCache<int> cache(std::chrono::hours(1), 100);
  CHECK_FALSE(cache.find("a"));
  cache.put("a", 1, cache.stamp());
  CHECK(cache.find("a") == 1);

  const auto before_revoke = cache.stamp();  // a lookup reads the store ...
  cache.invalidate("a");                     // ... while a change invalidates ...
  cache.put("a", 1, before_revoke);          // ... and its answer comes back
  CHECK_FALSE(cache.find("a"));
  cache.put("a", 2, cache.stamp());
  CHECK(cache.find("a") == 2);

  const auto before_clear = cache.stamp();
  cache.clear();
  cache.put("b", 3, before_clear);
  CHECK_FALSE(cache.find("b"));
}

TEST_CASE("CredentialCache: entries expire after the ttl; a full cache starts over") {
  CredentialCache<int> expired(std::chrono::milliseconds(0), 100);
  expired.put("a", 1, expired.stamp());
  CHECK_FALSE(expired.find("a"));

  CredentialCache<int> small(std::chrono::hours(1), 2);
  small.put("a", 1, small.stamp());
  small.put("b", 2, small.stamp());
  small.put("c", 3, small.stamp());
  CHECK_FALSE(small.find("a"));
  CHECK_FALSE(small.find("b"));
  CHECK(small.find("c") == 3);
}
