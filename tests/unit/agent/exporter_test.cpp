#include "agent/exporter/exporter.hpp"

#include <thread>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <catch2/catch.hpp>

#include "sentinel/core/crypto.hpp"

#include "support/capture_logger.hpp"
#include "support/fake_gateway.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using test::FakeGateway;

namespace {

const std::string kMasterKey(32, 'm');

// An exporter over a real WAL, pushing to `url`, driven by a private event loop.
struct Harness {
  explicit Harness(const std::string& url, std::size_t batches_per_request = 3)
      : credentials(agent::IdentityStore(temp / "identity", kMasterKey), test::capture_logger()) {
    config.gateway_url = url;
    config.retry_initial = 5ms;
    config.retry_max = 20ms;
    wal = std::move(agent::wal::Wal::open({.dir = temp / "wal"}, test::capture_logger()).value());
    gateway.emplace(io.get_executor(), config);
    exporter.emplace(io.get_executor(), *wal, *gateway, credentials, dead_letters, metrics,
                     agent::ExporterOptions{batches_per_request, 1 << 20, 5ms, 20ms},
                     test::capture_logger(&log));
  }

  ~Harness() {
    if (!running) return;
    asio::post(io, [this] { stop.emit(asio::cancellation_type::terminal); });
    io.run_for(5s);
  }

  void enrol(FakeGateway& gateway_side) {
    v1::EnrollResponse response;
    response.set_agent_id(std::string(FakeGateway::kAgentId));
    response.set_key_id("key-1");
    response.set_secret(core::random_bytes(32));
    gateway_side.add_key("key-1", response.secret());
    REQUIRE(credentials.enroll(response).ok());
  }

  // Appends `count` batches the way the agent writes them (before enrolment: no agent id).
  void write(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      v1::Batch batch;
      batch.set_batch_id(wal->next_id());
      batch.add_metrics()->set_name(fmt::format("m{}", batch.batch_id()));
      REQUIRE(wal->append(batch.SerializeAsString(), 1000, batch.batch_id()).ok());
    }
    if (running) asio::post(io, [this] { exporter->notify(); });
  }

  void start() {
    running = true;
    asio::co_spawn(io, exporter->run(), asio::bind_cancellation_slot(stop.slot(), asio::detached));
  }

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io.run_for(5ms);
    }
    return true;
  }

  test::TempDir temp;
  asio::io_context io;
  core::MetricsRegistry registry;
  agent::AgentMetrics metrics{registry};
  agent::AgentConfig config;
  agent::Credentials credentials;
  agent::DeadLetters dead_letters{temp / "wal" / "dead-letter"};
  std::unique_ptr<agent::wal::Wal> wal;
  std::optional<agent::GatewayClient> gateway;
  std::optional<agent::Exporter> exporter;
  asio::cancellation_signal stop;
  std::vector<std::string> log;
  bool running = false;
};

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> ids;
  for (auto id = first; id <= last; ++id)
    ids.push_back(id);
  return ids;
}

// Accepts a few connections, reads each request's headers and hangs up without an answer.
class DroppingListener {
 public:
  explicit DroppingListener(int drops) : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, drops] {
      for (int i = 0; i < drops; ++i) {
        asio::ip::tcp::socket socket(io_);
        acceptor_.accept(socket);
        asio::streambuf buffer;
        boost::system::error_code ec;
        asio::read_until(socket, buffer, "\r\n\r\n", ec);
        ++dropped;
      }
      acceptor_.close();
    });
  }
  ~DroppingListener() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::atomic<int> dropped{0};

 private:
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("the exporter delivers every batch once, in order, signed, and advances the watermark") {
  FakeGateway gateway;
  gateway.start();
  Harness harness(gateway.url());
  harness.write(10);  // written before enrolment: the agent id is filled in at send time
  harness.enrol(gateway);
  harness.start();
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 10; }));
  CHECK(gateway.accepted_ids() == range(1, 10));
  CHECK(gateway.sent_ids() == range(1, 10));
  CHECK(gateway.bad_signatures() == 0);
  for (const auto& push : gateway.pushes()) {
    CHECK(push.batches.size() <= 3);
    for (const auto& batch : push.batches)
      CHECK(batch.agent_id() == FakeGateway::kAgentId);
  }
  CHECK(harness.wal->stats().backlog_records == 0);

  harness.write(2);
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 12; }));
  CHECK(gateway.accepted_ids() == range(1, 12));
  CHECK(harness.metrics.batches_acked.with({"accepted"}).value() == 12);
}

TEST_CASE("the exporter waits for enrolment before sending") {
  FakeGateway gateway;
  gateway.start();
  Harness harness(gateway.url());
  harness.write(2);
  harness.start();
  harness.io.run_for(50ms);
  CHECK(gateway.pushes().empty());
  harness.enrol(gateway);
  harness.exporter->notify();
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 2; }));
}

TEST_CASE("503 with Retry-After holds the exporter back that long, and loses nothing") {
  FakeGateway gateway;
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  gateway.script([&](const FakeGateway::Push&, std::size_t index) -> std::optional<http::Response> {
    arrivals.push_back(std::chrono::steady_clock::now());
    if (index > 0) return std::nullopt;
    auto busy = http::error_response(503, "unavailable", "JetStream is down");
    busy.headers.set("Retry-After", "1");
    return busy;
  });
  gateway.start();
  Harness harness(gateway.url(), 100);
  harness.enrol(gateway);
  harness.write(4);
  harness.start();
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 4; }));
  REQUIRE(arrivals.size() == 2);
  CHECK(arrivals[1] - arrivals[0] >= 1s);
  CHECK(gateway.accepted_ids() == range(1, 4));
  CHECK(gateway.sent_ids() == std::vector<std::uint64_t>{1, 2, 3, 4, 1, 2, 3, 4});
}

TEST_CASE("per-batch statuses: retry resends, rejected is parked once, duplicate counts as done") {
  FakeGateway gateway;
  gateway.script(
      [](const FakeGateway::Push& push, std::size_t index) -> std::optional<http::Response> {
        if (index > 0) return std::nullopt;
        // The first push holds batches 1-4.
        return FakeGateway::answer(push, {v1::BATCH_STATUS_ACCEPTED, v1::BATCH_STATUS_RETRY,
                                          v1::BATCH_STATUS_REJECTED, v1::BATCH_STATUS_DUPLICATE});
      });
  gateway.start();
  Harness harness(gateway.url(), 4);
  harness.enrol(gateway);
  harness.write(6);
  harness.start();
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 6; }));
  const auto sent = gateway.sent_ids();
  CHECK(std::count(sent.begin(), sent.end(), 2) == 2);
  CHECK(std::count(sent.begin(), sent.end(), 3) == 1);
  CHECK(std::count(sent.begin(), sent.end(), 4) == 1);
  const auto dead = harness.temp / "wal" / "dead-letter";
  CHECK(std::filesystem::exists(dead / "00000000000000000003.batch"));
  CHECK_THAT(test::read_file(dead / "00000000000000000003.reason"),
             Catch::Contains("too many labels"));
  CHECK(harness.metrics.batches_rejected.value() == 1);
  CHECK(harness.metrics.batches_acked.with({"duplicate"}).value() == 1);
}

TEST_CASE("the watermark never passes a batch that is still to be resent") {
  FakeGateway gateway;
  std::atomic<bool> release{false};
  gateway.script([&](const FakeGateway::Push& push, std::size_t) -> std::optional<http::Response> {
    std::vector<v1::BatchStatus> statuses;
    for (const auto& batch : push.batches) {
      statuses.push_back(batch.batch_id() == 2 && !release ? v1::BATCH_STATUS_RETRY
                                                           : v1::BATCH_STATUS_ACCEPTED);
    }
    return FakeGateway::answer(push, statuses);
  });
  gateway.start();
  Harness harness(gateway.url(), 10);
  harness.enrol(gateway);
  harness.write(5);
  harness.start();
  REQUIRE(harness.run_until([&] { return gateway.pushes().size() >= 3; }));
  CHECK(harness.wal->acked_id() == 1);
  release = true;
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 5; }));
}

TEST_CASE("dropped connections and a gateway that comes back later lose nothing") {
  auto listener = std::make_unique<DroppingListener>(3);
  const auto port = listener->port();
  Harness harness(fmt::format("http://127.0.0.1:{}", port), 100);
  test::FakeGateway gateway(
      test::ServerSettings{{"http.listen", fmt::format("127.0.0.1:{}", port)}});
  harness.enrol(gateway);
  harness.write(5);
  harness.start();
  REQUIRE(harness.run_until([&] { return listener->dropped == 3; }));
  listener.reset();
  gateway.start();
  harness.write(2);
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 7; }));
  CHECK(gateway.accepted_ids() == range(1, 7));
  CHECK(harness.metrics.push_requests.with({"0"}).value() >= 3);
}

TEST_CASE("a 401 marks the agent unauthorized until the gateway takes its key again") {
  FakeGateway gateway;
  gateway.script([](const FakeGateway::Push&, std::size_t index) -> std::optional<http::Response> {
    if (index < 2) return http::error_response(401, "agent_disabled", "disabled by an admin");
    return std::nullopt;
  });
  gateway.start();
  Harness harness(gateway.url());
  harness.enrol(gateway);
  harness.write(1);
  harness.start();
  REQUIRE(harness.run_until([&] { return harness.exporter->unauthorized(); }));
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 1; }));
  CHECK_FALSE(harness.exporter->unauthorized());
  CHECK(std::any_of(harness.log.begin(), harness.log.end(), [](const auto& line) {
    return line.find("agent_disabled") != std::string::npos;
  }));
}

TEST_CASE("an error body of an unexpected shape is just an error; the batch goes later") {
  FakeGateway gateway;
  gateway.script([](const FakeGateway::Push&, std::size_t index) -> std::optional<http::Response> {
    if (index > 0) return std::nullopt;
    return http::json_text_response(503, R"({"error": {"code": 5, "message": ["x"]}})");
  });
  gateway.start();
  Harness harness(gateway.url());
  harness.enrol(gateway);
  harness.write(1);
  harness.start();
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 1; }));
}

TEST_CASE("a key rotation in a push response is applied, saved, and used from then on") {
  FakeGateway gateway;
  gateway.start();
  Harness harness(gateway.url(), 1);
  harness.enrol(gateway);
  gateway.rotate_to("key-2");
  harness.write(3);
  harness.start();
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 3; }));
  CHECK(gateway.keys_used() == std::vector<std::string>{"key-1", "key-2", "key-2"});
  CHECK(gateway.bad_signatures() == 0);
  auto stored = agent::IdentityStore(harness.temp / "identity", kMasterKey).load();
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->current.key_id == "key-2");
  REQUIRE((*stored)->previous);
  CHECK((*stored)->previous->key_id == "key-1");
  CHECK((*stored)->previous->expires_at_ms == 4'000'000'000'000);
}

TEST_CASE("413 halves the request until the one batch too large is alone, then parks it") {
  FakeGateway gateway;
  gateway.script([](const FakeGateway::Push& push, std::size_t) -> std::optional<http::Response> {
    for (const auto& batch : push.batches) {
      if (batch.batch_id() == 5) return http::error_response(413, "body_too_large", "too large");
    }
    return std::nullopt;
  });
  gateway.start();
  Harness harness(gateway.url(), 8);
  harness.enrol(gateway);
  harness.write(8);
  harness.start();
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 8; }));
  CHECK(gateway.accepted_ids() == std::vector<std::uint64_t>{1, 2, 3, 4, 6, 7, 8});
  CHECK(std::filesystem::exists(harness.temp / "wal/dead-letter/00000000000000000005.batch"));
}

TEST_CASE("large pushes are zstd-compressed, and sent plain after a 415") {
  FakeGateway gateway;
  gateway.script([](const FakeGateway::Push& push, std::size_t) -> std::optional<http::Response> {
    if (push.compressed) return http::error_response(415, "unsupported_media_type", "no zstd");
    return std::nullopt;
  });
  gateway.start();
  Harness harness(gateway.url(), 100);
  harness.enrol(gateway);
  harness.write(40);
  harness.start();
  REQUIRE(harness.run_until([&] { return harness.wal->acked_id() == 40; }));
  const auto pushes = gateway.pushes();
  REQUIRE(pushes.size() >= 2);
  CHECK(pushes.front().compressed);
  CHECK_FALSE(pushes.back().compressed);
  CHECK(gateway.accepted_ids() == range(1, 40));
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date") {
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);  // 2023-11-14T22:13:20Z
  CHECK(agent::parse_retry_after("5", now) == std::chrono::seconds(5));
  CHECK(agent::parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now) == std::chrono::seconds(30));
  CHECK(agent::parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now) == core::Duration::zero());
  CHECK_FALSE(agent::parse_retry_after("soon", now));
  CHECK_FALSE(agent::parse_retry_after("", now));
}
