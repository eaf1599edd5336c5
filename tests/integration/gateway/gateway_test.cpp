#include "sentinel/gateway/gateway.hpp"

#include <arpa/inet.h>
#include <future>
#include <netinet/in.h>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <catch2/catch.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/proto/signing.hpp"

#include "backends.hpp"
#include "gateway_harness.hpp"
#include "support/nats_server.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using test::GatewayHarness;
using test::SimAgent;

namespace {

std::string zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
  return out;
}

std::string gzip(const std::string& data) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// A server-sent event stream read from a plain socket, as a browser's EventSource would.
class EventStream {
 public:
  EventStream(std::uint16_t port, const std::string& token) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    timeval timeout{0, 100'000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const auto request =
        "GET /api/v1/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + token + "\r\n\r\n";
    REQUIRE(write(fd_, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  }
  ~EventStream() { close(fd_); }

  // Everything received so far, after reading what is waiting.
  const std::string& text() {
    char buffer[4096];
    for (ssize_t n; (n = read(fd_, buffer, sizeof buffer)) > 0;)
      text_.append(buffer, static_cast<std::size_t>(n));
    return text_;
  }

 private:
  int fd_;
  std::string text_;
};

v1::BatchStatus only_status(const test::HttpReply& reply) {
  auto response = test::parse_push(reply);
  REQUIRE(response.results_size() == 1);
  return response.results(0).status();
}

// Sends each of `batches` in a push of its own, all at once from threads of their own; the
// replies in the same order.
std::vector<test::HttpReply> push_at_once(GatewayHarness& gateway,
                                          const std::vector<v1::SignedBatch>& batches) {
  std::vector<std::future<test::HttpReply>> pending;
  for (const auto& batch : batches) {
    pending.push_back(
        std::async(std::launch::async, [&gateway, &batch] { return gateway.push({batch}); }));
  }
  std::vector<test::HttpReply> replies;
  for (auto& reply : pending)
    replies.push_back(reply.get());
  return replies;
}

}  // namespace

TEST_CASE("gateway: a push lands in JetStream once with its Msg-Id, however often it is sent") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url());
  const auto agent = gateway.enroll("web-01");
  const auto batch = agent.batch(7);
  CHECK(only_status(gateway.push({agent.sign(batch)})) == v1::BATCH_STATUS_ACCEPTED);
  // Resent as the agent resends: same bytes, a fresh signature each time.
  CHECK(only_status(gateway.push({agent.sign(batch)})) == v1::BATCH_STATUS_DUPLICATE);
  CHECK(only_status(gateway.push({agent.sign(batch)})) == v1::BATCH_STATUS_DUPLICATE);
  CHECK(test::stored_message_ids(gateway.bus(), "check") ==
        std::vector<std::string>{agent.agent_id + ":7"});
  CHECK(gateway.metric("sentinel_gateway_batches_total{result=\"accepted\"}") == 1);
  CHECK(gateway.metric("sentinel_gateway_batches_total{result=\"duplicate\"}") == 2);
}

TEST_CASE("gateway: compressed pushes are accepted, bombs and unknown encodings are not") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url(), {}, {{"SENTINEL_GATEWAY_MAX_REQUEST_BYTES", "1MiB"}});
  const auto agent = gateway.enroll("web-02");
  const auto body = test::push_body({agent.sign(agent.batch(1)), agent.sign(agent.batch(2))});
  auto reply = gateway.post_protobuf("/v1/push", zstd(body), {{"Content-Encoding", "zstd"}});
  CHECK(test::parse_push(reply).results_size() == 2);
  reply = gateway.post_protobuf("/v1/push", gzip(test::push_body({agent.sign(agent.batch(3))})),
                                {{"Content-Encoding", "gzip"}});
  CHECK(only_status(reply) == v1::BATCH_STATUS_ACCEPTED);

  const std::string zeros(8 * 1024 * 1024, '\0');
  for (const auto& [encoding, bomb] : {std::pair{"zstd", zstd(zeros)}, {"gzip", gzip(zeros)}}) {
    CAPTURE(encoding);
    REQUIRE(bomb.size() < 1024 * 1024);
    reply = gateway.post_protobuf("/v1/push", bomb, {{"Content-Encoding", encoding}});
    CHECK(reply.status == 413);
    CHECK(test::error_code(reply) == "body_too_large");
  }
  reply = gateway.post_protobuf("/v1/push", body, {{"Content-Encoding", "br"}});
  CHECK(reply.status == 415);
  CHECK(test::error_code(reply) == "unsupported_media_type");
  reply = gateway.request("POST", "/v1/push", body, {{"Content-Type", "application/json"}});
  CHECK(reply.status == 415);
  CHECK(test::error_code(reply) == "unsupported_media_type");
  reply = gateway.post_protobuf("/v1/push", "\xff\xff\xff garbage");
  CHECK(reply.status == 400);
  CHECK(test::error_code(reply) == "malformed_request");
  reply = gateway.post_protobuf("/v1/push", "corrupt", {{"Content-Encoding", "zstd"}});
  CHECK(reply.status == 400);
  reply = gateway.post_protobuf("/v1/push", std::string(2 * 1024 * 1024, 'x'));
  CHECK(reply.status == 413);
}

TEST_CASE("gateway: each authentication failure is a 401 with its code, and counted") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url(), {}, {{"SENTINEL_GATEWAY_KEY_CACHE_TTL", "0s"}});
  const auto agent = gateway.enroll("web-03");
  auto expect = [&](const test::HttpReply& reply, const std::string& code) {
    CAPTURE(code, reply.body);
    CHECK(reply.status == 401);
    CHECK(test::error_code(reply) == code);
  };

  auto stranger = agent;
  stranger.agent_id = "agt_nobody";
  expect(gateway.push({stranger.sign(stranger.batch(1))}), "unknown_agent");

  auto wrong_key = agent;
  wrong_key.key_id = "key_nope";
  expect(gateway.push({wrong_key.sign(agent.batch(1))}), "unknown_key");

  auto forged = agent.sign(agent.batch(1));
  forged.set_batch(agent.batch(2).SerializeAsString());  // payload changed after signing
  expect(gateway.push({forged}), "bad_signature");

  expect(gateway.push({agent.sign(agent.batch(1), core::unix_ms() - 301'000)}), "stale_timestamp");
  expect(gateway.push({agent.sign(agent.batch(1), core::unix_ms() + 301'000)}), "stale_timestamp");

  const auto once = agent.sign(agent.batch(1));
  CHECK(only_status(gateway.push({once})) == v1::BATCH_STATUS_ACCEPTED);
  expect(gateway.push({once}), "replayed_nonce");

  const auto admin = gateway.api_token("admin");
  auto patched =
      gateway.api("PATCH", "/api/v1/agents/" + agent.agent_id, admin, {{"enabled", false}});
  REQUIRE(patched.status == 200);
  expect(gateway.push({agent.sign(agent.batch(2))}), "agent_disabled");
  expect(gateway.post_protobuf("/v1/heartbeat", agent.heartbeat({}).SerializeAsString()),
         "agent_disabled");

  CHECK(gateway.metric("sentinel_gateway_auth_failures_total{reason=\"bad_signature\"}") == 1);
  CHECK(gateway.metric("sentinel_gateway_auth_failures_total{reason=\"stale_timestamp\"}") == 2);
  CHECK(gateway.metric("sentinel_gateway_auth_failures_total{reason=\"replayed_nonce\"}") == 1);
}

TEST_CASE("gateway: of concurrent copies of a push one is accepted, the others are replays") {
  test::NatsServerProcess nats;
  const bool postgres = GENERATE(false, true);
  std::optional<store::test::PostgresBackend> schema;  // nonces written to PostgreSQL
  if (postgres) schema.emplace();
  GatewayHarness gateway(nats.url(), postgres ? schema->options().postgres_url : "");
  const auto agent = gateway.enroll("web-05");
  constexpr int kCopies = 12;
  std::vector<v1::SignedBatch> batches(kCopies, agent.sign(agent.batch(1)));
  for (int i = 0; i < kCopies; ++i)
    batches.push_back(agent.sign(agent.batch(static_cast<std::uint64_t>(i) + 2)));

  const auto replies = push_at_once(gateway, batches);
  int accepted = 0;
  for (int i = 0; i < kCopies; ++i) {
    if (replies[i].status == 200) {
      ++accepted;
      CHECK(only_status(replies[i]) == v1::BATCH_STATUS_ACCEPTED);
    } else {
      CHECK(test::error_code(replies[i]) == "replayed_nonce");
    }
  }
  CHECK(accepted == 1);
  for (std::size_t i = kCopies; i < replies.size(); ++i)
    CHECK(only_status(replies[i]) == v1::BATCH_STATUS_ACCEPTED);
  CHECK(gateway.metric("sentinel_gateway_auth_failures_total{reason=\"replayed_nonce\"}") ==
        kCopies - 1);
}

TEST_CASE("gateway: malformed batches are rejected one by one, the rest is stored") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url(), {},
                         {{"SENTINEL_GATEWAY_BATCH_MAX_METRICS", "5"},
                          {"SENTINEL_GATEWAY_BATCH_MAX_LABEL_VALUE_BYTES", "16"}});
  const auto agent = gateway.enroll("web-04");
  auto oversized = agent.batch(2);
  oversized.mutable_metrics(0)->mutable_labels(0)->set_value(std::string(17, 'v'));
  auto other_agent = agent.batch(4);
  other_agent.set_agent_id("agt_other");
  auto reply = gateway.push({agent.sign(agent.batch(1)), agent.sign(oversized),
                             agent.sign(agent.batch(3, 6)), agent.sign(other_agent),
                             agent.sign(agent.batch(5))});
  const auto response = test::parse_push(reply);
  REQUIRE(response.results_size() == 5);
  const std::vector<v1::BatchStatus> expected{v1::BATCH_STATUS_ACCEPTED, v1::BATCH_STATUS_REJECTED,
                                              v1::BATCH_STATUS_REJECTED, v1::BATCH_STATUS_REJECTED,
                                              v1::BATCH_STATUS_ACCEPTED};
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i, response.results(i).message());
    CHECK(response.results(i).status() == expected[i]);
    CHECK(response.results(i).batch_id() == static_cast<std::uint64_t>(i + 1));
  }
  CHECK_THAT(response.results(2).message(), Catch::Contains("more than the limit of 5"));
  auto ids = test::stored_message_ids(gateway.bus(), "check");
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{agent.agent_id + ":1", agent.agent_id + ":5"});

  // A push mixing agents is malformed as a whole.
  auto mixed = agent.sign(agent.batch(6));
  mixed.set_agent_id("agt_other");
  reply = gateway.push({agent.sign(agent.batch(7)), mixed});
  CHECK(reply.status == 400);
  reply = gateway.push({});
  CHECK(reply.status == 400);
}

TEST_CASE("gateway: enrolment needs a live bootstrap token and never overwrites an agent") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url());
  auto enroll = [&](const std::string& token) {
    v1::EnrollRequest request;
    request.set_bootstrap_token(token);
    request.set_hostname("db-01.example");
    return gateway.post_protobuf("/v1/agents/enroll", request.SerializeAsString());
  };
  const auto token = gateway.bootstrap_token("db-01");
  auto first = enroll(token);
  REQUIRE(first.status == 200);
  v1::EnrollResponse enrolled;
  REQUIRE(enrolled.ParseFromString(first.body));
  CHECK(enrolled.secret().size() == 32);

  auto reused = enroll(token);
  CHECK(reused.status == 401);
  CHECK(test::error_code(reused) == "invalid_bootstrap_token");
  CHECK(enroll("sbt_made_up").status == 401);
  const auto expired = gateway.bootstrap_token("db-02", 1, 1ms);
  // Only once its expiry (whole milliseconds) has surely passed: an enrolment within that
  // millisecond succeeds, and used the token up (the test then counted two enrolments).
  const auto minted = core::unix_ms();
  REQUIRE(test::eventually([&] { return core::unix_ms() >= minted + 2; }));
  CHECK(enroll(expired).status == 401);

  // Same name again: refused, and the token is not used up by the refusal.
  const auto again = gateway.bootstrap_token("db-01", 2);
  auto exists = enroll(again);
  CHECK(exists.status == 409);
  CHECK(test::error_code(exists) == "agent_exists");
  const auto admin = gateway.api_token("admin");
  auto listed = nlohmann::json::parse(gateway.api("GET", "/api/v1/bootstrap-tokens", admin).body);
  CHECK(listed["bootstrap_tokens"][0]["uses_left"] == 2);
  CHECK(gateway.metric("sentinel_gateway_enrolments_total{result=\"ok\"}") == 1);
}

TEST_CASE("gateway: an enrolment repeated with its enrollment_id gets the same agent and key") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url());
  auto enroll = [&](const std::string& token, const std::string& enrollment_id) {
    v1::EnrollRequest request;
    request.set_bootstrap_token(token);
    request.set_hostname("cache-01.example");
    request.set_enrollment_id(enrollment_id);
    return gateway.post_protobuf("/v1/agents/enroll", request.SerializeAsString());
  };
  auto answer = [](const test::HttpReply& reply) {
    v1::EnrollResponse response;
    REQUIRE(response.ParseFromString(reply.body));
    return test::SimAgent{response.agent_id(), response.key_id(), response.secret()};
  };
  const auto token = gateway.bootstrap_token("cache-01");  // one use
  const std::string id = "enrolment-id-of-cache-01";
  auto first = enroll(token, id);
  REQUIRE(first.status == 200);
  const auto agent = answer(first);

  // The answer was lost: the same request again, with the token used up.
  auto repeated = enroll(token, id);
  REQUIRE(repeated.status == 200);
  const auto again = answer(repeated);
  CHECK(again.agent_id == agent.agent_id);
  CHECK(again.key_id == agent.key_id);
  CHECK(again.secret == agent.secret);
  CHECK(gateway.metric("sentinel_gateway_enrolments_total{result=\"repeated\"}") == 1);

  // Another id is a new enrolment, which the spent token refuses; so are malformed ids.
  CHECK(enroll(token, "another-enrolment-id").status == 401);
  for (const auto* malformed :
       {"short", "has spaces in the enrolment id", "é-not-base64url-at-all"}) {
    auto refused = enroll(token, malformed);
    CHECK(refused.status == 400);
    CHECK(test::error_code(refused) == "malformed_request");
  }

  // Once the agent has been seen it holds its key: the id no longer hands it out.
  REQUIRE(gateway.post_protobuf("/v1/heartbeat", agent.heartbeat({}).SerializeAsString()).status ==
          200);
  auto completed = enroll(token, id);
  CHECK(completed.status == 409);
  CHECK(test::error_code(completed) == "enrollment_completed");
  const auto admin = gateway.api_token("admin");
  auto agents = nlohmann::json::parse(gateway.api("GET", "/api/v1/agents", admin).body);
  CHECK(agents["agents"].size() == 1);
}

TEST_CASE("gateway: heartbeats persist last_seen and facts, shown by the admin API") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url(), {}, {{"SENTINEL_GATEWAY_PRESENCE_INTERVAL", "100ms"}});
  const auto agent = gateway.enroll("app-01");
  v1::HostFacts facts;
  facts.set_os("linux");
  facts.set_kernel("6.1.0");
  facts.set_cpu_count(8);
  facts.set_memory_percent(42.5);
  auto reply = gateway.post_protobuf("/v1/heartbeat", agent.heartbeat(facts).SerializeAsString());
  REQUIRE(reply.status == 200);
  v1::HeartbeatResponse response;
  REQUIRE(response.ParseFromString(reply.body));
  CHECK(std::abs(response.server_time_ms() - core::unix_ms()) < 10'000);
  CHECK_FALSE(response.has_rotation());

  const auto viewer = gateway.api_token("viewer");
  auto got = gateway.api("GET", "/api/v1/agents/" + agent.agent_id, viewer);
  REQUIRE(got.status == 200);
  auto json = nlohmann::json::parse(got.body);
  CHECK(json["status"] == "online");
  CHECK(json["facts"]["kernel"] == "6.1.0");
  CHECK(json["facts"]["cpu_count"] == 8);
  auto online =
      nlohmann::json::parse(gateway.api("GET", "/api/v1/agents?status=online", viewer).body);
  CHECK(online["agents"].size() == 1);
  auto offline =
      nlohmann::json::parse(gateway.api("GET", "/api/v1/agents?status=offline", viewer).body);
  CHECK(offline["agents"].empty());
  auto fleet = nlohmann::json::parse(gateway.api("GET", "/api/v1/fleet", viewer).body);
  CHECK(fleet["by_status"]["online"] == 1);
  CHECK(gateway.api("GET", "/api/v1/agents?status=bogus", viewer).status == 400);
  CHECK(test::eventually(
      [&] { return gateway.metric("sentinel_gateway_agents{status=\"online\"}") == 1; }));

  // The dashboard's stream: open, then a heartbeat arrives as an event naming the agent.
  EventStream events(gateway.components().get<http::Server>().endpoint().port, viewer);
  REQUIRE(test::eventually([&] { return events.text().find(": connected") != std::string::npos; }));
  CHECK_THAT(events.text(), Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(events.text(), Catch::Contains("text/event-stream"));
  REQUIRE(
      gateway.post_protobuf("/v1/heartbeat", agent.heartbeat(facts).SerializeAsString()).status ==
      200);
  CHECK(test::eventually([&] {
    return events.text().find("event: heartbeat\ndata: {\"agent_id\":\"" + agent.agent_id) !=
           std::string::npos;
  }));
  CHECK(gateway.api("GET", "/api/v1/agents/agt_none", viewer).status == 404);
}

TEST_CASE("gateway: key rotation hands the new key over and keeps the old one for its grace") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url());
  auto agent = gateway.enroll("rot-01");
  const auto admin = gateway.api_token("admin");
  auto rotated = gateway.api("POST", "/api/v1/agents/" + agent.agent_id + "/rotate-key", admin,
                             {{"grace", "1h"}});
  REQUIRE(rotated.status == 200);
  const auto new_key = nlohmann::json::parse(rotated.body)["key_id"].get<std::string>();

  // The old key still works and the answer carries the new one, sealed under the old.
  auto response = test::parse_push(gateway.push({agent.sign(agent.batch(1))}));
  CHECK(response.results(0).status() == v1::BATCH_STATUS_ACCEPTED);
  REQUIRE(response.has_rotation());
  CHECK(response.rotation().key_id() == new_key);
  CHECK(response.rotation().previous_key_expires_at_ms() > core::unix_ms() + 3'500'000);
  auto secret =
      proto::open_rotated_secret(agent.secret, new_key, response.rotation().sealed_secret());
  REQUIRE(secret);

  auto renewed = agent;
  renewed.key_id = new_key;
  renewed.secret = *secret;
  response = test::parse_push(gateway.push({renewed.sign(renewed.batch(2))}));
  CHECK(response.results(0).status() == v1::BATCH_STATUS_ACCEPTED);
  CHECK_FALSE(response.has_rotation());
  // Heartbeats with the old key are told too.
  auto beat = gateway.post_protobuf("/v1/heartbeat", agent.heartbeat({}).SerializeAsString());
  v1::HeartbeatResponse heartbeat;
  REQUIRE(heartbeat.ParseFromString(beat.body));
  CHECK(heartbeat.rotation().key_id() == new_key);

  // Without grace the old key is refused at once.
  rotated = gateway.api("POST", "/api/v1/agents/" + agent.agent_id + "/rotate-key", admin,
                        {{"grace", "0s"}});
  REQUIRE(rotated.status == 200);
  auto refused = gateway.push({renewed.sign(renewed.batch(3))});
  CHECK(refused.status == 401);
  CHECK(test::error_code(refused) == "unknown_key");
}

TEST_CASE("gateway: every /api/v1 route needs a token of the right role") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url(), {}, {{"SENTINEL_AUTH_CACHE_TTL", "0s"}});
  const auto admin = gateway.api_token("admin");
  const auto viewer = gateway.api_token("viewer");
  const auto enroller = gateway.api_token("agent-enroller");
  auto expect = [&](const test::HttpReply& reply, int status, const std::string& code) {
    CAPTURE(reply.body);
    CHECK(reply.status == status);
    CHECK(test::error_code(reply) == code);
  };
  expect(gateway.request("GET", "/api/v1/agents"), 401, "missing_token");
  expect(gateway.api("GET", "/api/v1/agents", "stk_forged"), 401, "unknown_token");
  expect(gateway.api("GET", "/api/v1/version", "stk_forged"), 401, "unknown_token");
  expect(gateway.api("GET", "/api/v1/tokens", viewer), 403, "forbidden");
  expect(gateway.api("POST", "/api/v1/bootstrap-tokens", viewer, {{"name", "x"}}), 403,
         "forbidden");
  CHECK(gateway.api("GET", "/api/v1/agents", viewer).status == 200);
  CHECK(gateway.api("GET", "/api/v1/agents", admin).status == 200);
  auto minted = gateway.api("POST", "/api/v1/bootstrap-tokens", enroller,
                            {{"name", "web-09"}, {"ttl", "10m"}, {"uses", 3}});
  CHECK(minted.status == 201);
  CHECK(nlohmann::json::parse(minted.body)["token"].get<std::string>().starts_with("sbt_"));
  CHECK(gateway.request("GET", "/healthz").status == 200);
  CHECK(gateway.request("GET", "/metrics").status == 200);

  const auto expiring = gateway.api_token("viewer", 1ms);
  REQUIRE(test::eventually([&] {
    return test::error_code(gateway.api("GET", "/api/v1/agents", expiring)) == "expired_token";
  }));

  auto created = gateway.api("POST", "/api/v1/tokens", admin, {{"name", "ci"}, {"role", "viewer"}});
  REQUIRE(created.status == 201);
  const auto ci = nlohmann::json::parse(created.body);
  const auto ci_token = ci["token"].get<std::string>();
  CHECK(gateway.api("GET", "/api/v1/fleet", ci_token).status == 200);
  CHECK(gateway.api("DELETE", "/api/v1/tokens/" + ci["id"].get<std::string>(), admin).status ==
        204);
  expect(gateway.api("GET", "/api/v1/fleet", ci_token), 401, "revoked_token");
  auto listed = nlohmann::json::parse(gateway.api("GET", "/api/v1/tokens", admin).body);
  CHECK(listed["tokens"].size() == 5);
  CHECK(listed.dump().find("stk_") == std::string::npos);  // never a secret
}

TEST_CASE("gateway: the OpenAPI document lists exactly the router's routes") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url());
  const auto viewer = gateway.api_token("viewer");
  auto reply = gateway.api("GET", "/api/v1/openapi.json", viewer);
  REQUIRE(reply.status == 200);
  const auto doc = nlohmann::json::parse(reply.body);
  CHECK(doc["openapi"] == "3.0.3");
  const auto& router = gateway.components().get<http::Server>().router();
  std::size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, operation] : methods.items()) {
      ++operations;
      CAPTURE(path, method);
      // Each documented operation is routed, with this very method.
      std::string target = path;
      for (auto open = target.find('{'); open != std::string::npos; open = target.find('{'))
        target.replace(open, target.find('}', open) - open + 1, "x");
      std::string upper = method;
      for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      CHECK(router.match(http::method_from_string(upper), target).route != nullptr);
      if (path.starts_with("/api/v1")) CHECK(operation.contains("x-sentinel-role"));
    }
  }
  const auto& routes = router.routes();
  CHECK(operations == routes.size());
  for (const auto& route : routes) {
    std::string path = route.pattern;
    if (auto star = path.find("*}"); star != std::string::npos) path.erase(star, 1);
    CAPTURE(route.pattern);
    CHECK(doc["paths"].contains(path));
  }
}

TEST_CASE("gateway: with nats-server down pushes get 503 and succeed again once it is back") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url(), {},
                         {{"SENTINEL_BUS_PUBLISH_TIMEOUT", "1s"},
                          {"SENTINEL_BUS_RECONNECT_WAIT", "50ms"},
                          {"SENTINEL_BUS_RECONNECT_WAIT_MAX", "200ms"}});
  const auto agent = gateway.enroll("nats-01");
  CHECK(only_status(gateway.push({agent.sign(agent.batch(1))})) == v1::BATCH_STATUS_ACCEPTED);
  nats.stop();
  REQUIRE(test::eventually([&] {
    auto reply = gateway.push({agent.sign(agent.batch(2))});
    return reply.status == 503 && test::error_code(reply) == "unavailable" &&
           !reply.header("retry-after").empty();
  }));
  nats.start();
  REQUIRE(test::eventually(
      [&] {
        auto reply = gateway.push({agent.sign(agent.batch(2))});
        return reply.status == 200 &&
               test::parse_push(reply).results(0).status() == v1::BATCH_STATUS_ACCEPTED;
      },
      30s));
  CHECK(gateway.metric("sentinel_gateway_push_requests_total{result=\"unavailable\"}") >= 1);
}

TEST_CASE("gateway: limits per client address ignore X-Forwarded-For from untrusted peers") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url(), {},
                         {{"SENTINEL_GATEWAY_RATE_LIMIT_IP_RATE", "0.01"},
                          {"SENTINEL_GATEWAY_RATE_LIMIT_IP_BURST", "2"}});
  const auto agent = gateway.enroll("ip-01");
  const auto body = test::push_body({agent.sign(agent.batch(1))});
  int limited = 0;
  for (int i = 0; i < 4; ++i) {
    // A spoofed address per request: honoured only from trusted proxies, so all count as one.
    auto reply = gateway.post_protobuf("/v1/push", body,
                                       {{"X-Forwarded-For", "10.0.0." + std::to_string(i)}});
    if (reply.status == 429) {
      ++limited;
      CHECK(test::error_code(reply) == "rate_limited");
      CHECK(std::stoi(reply.header("retry-after")) >= 1);
    }
  }
  // The enrolment took the first of the two tokens in the bucket.
  CHECK(limited == 3);
  CHECK(gateway.metric("sentinel_gateway_rate_limited_total{scope=\"ip\"}") == 3);
}

TEST_CASE("gateway: two gateways share agents, keys and nonces through PostgreSQL") {
  test::NatsServerProcess nats;
  store::test::PostgresBackend schema;  // a fresh schema in SENTINEL_TEST_PG_DSN's database
  const std::map<std::string, std::string> env{{"SENTINEL_GATEWAY_KEY_CACHE_TTL", "0s"}};
  GatewayHarness a(nats.url(), schema.options().postgres_url, env);
  GatewayHarness b(nats.url(), schema.options().postgres_url, env);
  const auto agent = a.enroll("shared-01");
  const auto first = agent.sign(agent.batch(1));
  CHECK(only_status(b.push({first})) == v1::BATCH_STATUS_ACCEPTED);
  auto replay = a.push({first});
  CHECK(replay.status == 401);
  CHECK(test::error_code(replay) == "replayed_nonce");
  CHECK(only_status(a.push({agent.sign(agent.batch(1))})) == v1::BATCH_STATUS_DUPLICATE);

  const auto admin = a.api_token("admin");
  auto rotated = a.api("POST", "/api/v1/agents/" + agent.agent_id + "/rotate-key", admin);
  REQUIRE(rotated.status == 200);
  auto response = test::parse_push(b.push({agent.sign(agent.batch(2))}));
  REQUIRE(response.has_rotation());
  CHECK(response.rotation().key_id() == nlohmann::json::parse(rotated.body)["key_id"]);
  // A token minted through one is honoured by the other.
  CHECK(b.api("GET", "/api/v1/agents", admin).status == 200);
}

TEST_CASE("gateway: batches over the bus's pending bound are answered RETRY, then stored") {
  test::NatsServerProcess nats;
  GatewayHarness gateway(nats.url(), {}, {{"SENTINEL_BUS_MAX_PENDING", "1"}});
  const auto agent = gateway.enroll("pending-01");
  std::vector<std::uint64_t> waiting{1, 2, 3, 4, 5, 6, 7, 8};
  bool saw_retry = false;
  // The agent's loop: resend what was not acknowledged until nothing is left.
  REQUIRE(test::eventually([&] {
    std::vector<v1::SignedBatch> batches;
    for (auto id : waiting)
      batches.push_back(agent.sign(agent.batch(id)));
    auto reply = gateway.push(batches);
    if (reply.status == 503) return false;
    const auto response = test::parse_push(reply);
    std::vector<std::uint64_t> left;
    for (const auto& result : response.results()) {
      if (result.status() == v1::BATCH_STATUS_RETRY) {
        saw_retry = true;
        left.push_back(result.batch_id());
      }
    }
    waiting = left;
    return waiting.empty();
  }));
  CHECK(saw_retry);
  CHECK(test::stored_message_ids(gateway.bus(), "check").size() == 8);
}

TEST_CASE("gateway: set up without a master key is an error that names it") {
  test::NatsServerProcess nats;
  CHECK_THROWS_WITH(GatewayHarness(nats.url(), {}, {{"SENTINEL_MASTER_KEY", ""}}),
                    Catch::Contains("master_key"));
}
