#include "sentinel/core/registry.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "sentinel/core/metrics.hpp"

using namespace sentinel::core;

namespace {

// What the test components did, in order.
std::vector<std::string> journal;

template <class Self>
struct Recording : Component {
  void start() override {
    if (Self::kFailStart) throw std::runtime_error("boom");
    journal.push_back(fmt::format("start {}", Self::kName));
  }
  void drain(Deadline) override { journal.push_back(fmt::format("drain {}", Self::kName)); }
  void stop(Deadline) override { journal.push_back(fmt::format("stop {}", Self::kName)); }
};

struct NoConfig {
  static NoConfig parse(ConfigSection&) { return {}; }
};

struct Store : Recording<Store> {
  static constexpr std::string_view kName = "store";
  static constexpr bool kFailStart = false;
  using Config = NoConfig;
  Store(const Config&, ComponentContext&) {}
};

struct Http : Recording<Http> {
  static constexpr std::string_view kName = "http";
  static constexpr bool kFailStart = false;
  struct Config {
    int port = 0;
    static Config parse(ConfigSection& s) {
      Config c;
      s.read("port", c.port, Range<int>{0, 65535});
      return c;
    }
  };
  Http(const Config& config, ComponentContext&) : port(config.port) {}
  void reload(const Config& config) { port = config.port; }
  int port;
};

struct Gateway : Recording<Gateway> {
  static constexpr std::string_view kName = "gateway";
  static constexpr bool kFailStart = false;
  using Config = NoConfig;
  Gateway(const Config&, ComponentContext& ctx) {
    ctx.get<Store>();
    ctx.get<Http>();
  }
};

struct Broken : Recording<Broken> {
  static constexpr std::string_view kName = "broken";
  static constexpr bool kFailStart = true;
  using Config = NoConfig;
  Broken(const Config&, ComponentContext& ctx) { ctx.get<Store>(); }
};

struct CycleA;
struct CycleB : Component {
  static constexpr std::string_view kName = "cycle_b";
  using Config = NoConfig;
  CycleB(const Config&, ComponentContext& ctx);
};
struct CycleA : Component {
  static constexpr std::string_view kName = "cycle_a";
  using Config = NoConfig;
  CycleA(const Config&, ComponentContext& ctx) { ctx.get<CycleB>(); }
};
CycleB::CycleB(const Config&, ComponentContext& ctx) {
  ctx.get<CycleA>();
}

struct Fixture {
  Fixture() {
    journal.clear();
    catalog.add<Store>().add<Http>().add<Gateway>().add<Broken>().add<CycleA>().add<CycleB>();
    config = parse_config(catalog, {}, "/tmp");
  }
  Services services() {
    auto quiet = std::make_shared<LogSink>(LogLevel::kError, LogFormat::kText, [](auto) {});
    return Services{io, quiet, metrics};
  }
  boost::asio::io_context io;
  MetricsRegistry metrics;
  ComponentCatalog catalog;
  ParsedConfig config;
};

const auto kLater = Clock::now() + std::chrono::seconds(5);

}  // namespace

TEST_CASE_METHOD(Fixture,
                 "components start in dependency order; all drain, then all stop, in reverse") {
  ComponentSet set(catalog, config, services());
  std::vector<std::string> role = {"gateway", "http"};
  set.create(role);
  CHECK(set.names() == std::vector<std::string>{"store", "http", "gateway"});
  set.start(kLater);
  CHECK(set.stop(kLater));
  CHECK(journal == std::vector<std::string>{"start store", "start http", "start gateway",
                                            "drain gateway", "drain http", "drain store",
                                            "stop gateway", "stop http", "stop store"});
}

TEST_CASE_METHOD(Fixture, "a failed start stops the components started before it") {
  ComponentSet set(catalog, config, services());
  std::vector<std::string> role = {"http", "broken"};
  set.create(role);
  CHECK_THROWS_WITH(set.start(kLater), "broken failed to start: boom");
  CHECK(journal == std::vector<std::string>{"start http", "start store", "drain store",
                                            "drain http", "stop store", "stop http"});
  CHECK(set.readiness()[0].readiness.ready == false);
}

TEST_CASE_METHOD(Fixture, "dependency cycles and unknown names are refused with the chain") {
  ComponentSet set(catalog, config, services());
  std::vector<std::string> cycle = {"cycle_a"};
  CHECK_THROWS_WITH(set.create(cycle), "component dependency cycle: cycle_a -> cycle_b -> cycle_a");
  std::vector<std::string> unknown = {"nope"};
  CHECK_THROWS_WITH(set.create(unknown), "unknown component nope");
}

TEST_CASE_METHOD(Fixture, "readiness lists each component; reload reaches those that support it") {
  ComponentSet set(catalog, config, services());
  std::vector<std::string> role = {"gateway"};
  set.create(role);
  CHECK(set.readiness().size() == 3);
  CHECK_FALSE(set.readiness()[0].readiness.ready);
  set.start(kLater);
  for (const auto& status : set.readiness())
    CHECK(status.readiness.ready);

  ConfigInputs inputs;
  inputs.environment["SENTINEL_HTTP_PORT"] = "9999";
  auto next = parse_config(catalog, inputs, "/tmp");
  CHECK(set.reload(next) == std::vector<std::string>{"http"});
  CHECK(set.get<Http>().port == 9999);
  set.stop(kLater);
}

TEST_CASE_METHOD(Fixture, "config errors of every section are reported together") {
  ConfigInputs inputs;
  inputs.environment["SENTINEL_HTTP_PORT"] = "70000";
  inputs.environment["SENTINEL_THREADS"] = "0";
  try {
    parse_config(catalog, inputs, "/tmp");
    FAIL("expected errors");
  } catch (const ConfigErrors& e) {
    CHECK(e.errors().size() == 2);
  }
}
