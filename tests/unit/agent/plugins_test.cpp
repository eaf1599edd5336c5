#include <csignal>
#include <filesystem>
#include <sstream>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "agent/plugins/exposition.hpp"
#include "agent/plugins/plugin_runner.hpp"
#include "agent/plugins/subprocess.hpp"
#include "support/capture_logger.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using End = agent::SubprocessResult::End;

namespace {

template <class T>
T run(asio::awaitable<T> task) {
  asio::io_context io;
  std::optional<T> result;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr error, T value) {
    if (error) std::rethrow_exception(error);
    result = std::move(value);
  });
  io.run();
  return std::move(*result);
}

agent::SubprocessResult shell(std::string script, agent::SubprocessOptions options = {}) {
  options.argv = {"/bin/sh", "-c", std::move(script)};
  options.env = {{"PATH", "/usr/bin:/bin"}};
  return run(agent::run_subprocess(options));
}

// Whether a process runs: gone and zombie both count as ended.
bool running(pid_t pid) {
  auto stat = test::read_file(fmt::format("/proc/{}/stat", pid));
  auto close = stat.rfind(')');
  return close != std::string::npos && stat.substr(close + 2, 1) != "Z";
}

std::string label(const v1::Metric& metric, std::string_view name) {
  for (const auto& l : metric.labels()) {
    if (l.name() == name) return l.value();
  }
  return "<none>";
}

}  // namespace

TEST_CASE("the Prometheus text format: types, labels, escapes, timestamps and bad lines") {
  const auto parsed = agent::parse_prometheus_text(
      "# HELP requests_total Requests.\n"
      "# TYPE requests_total counter\n"
      "requests_total{code=\"200\",path=\"/a \\\"b\\\"\\\\c\"} 1027 1395066363000\n"
      "# TYPE temperature gauge\n"
      "temperature 21.5\n"
      "untyped_thing{a=\"1\",} +Inf\n"
      "\n"
      "# TYPE latency histogram\n"
      "latency_bucket{le=\"0.1\"} 3\n"
      "broken{a=1} 2\n"
      "9starts_with_a_digit 1\n"
      "no_value\n"
      "dup{a=\"1\",a=\"2\"} 1\n"
      // Text no store keeps: invalid UTF-8, a NUL.
      "bad_utf8{a=\"\xff\"} 1\n" +
      std::string("nul{a=\"x\0y\"} 1\n", 15));
  REQUIRE(parsed.samples.size() == 3);
  const auto& requests = parsed.samples[0];
  CHECK(requests.name == "requests_total");
  CHECK(requests.type == v1::METRIC_TYPE_COUNTER);
  CHECK(requests.labels == agent::Labels{{"code", "200"}, {"path", "/a \"b\"\\c"}});
  CHECK(requests.value == 1027);
  CHECK(requests.timestamp_ms == 1395066363000);
  CHECK(parsed.samples[1].type == v1::METRIC_TYPE_GAUGE);
  CHECK(parsed.samples[1].value == 21.5);
  CHECK(parsed.samples[2].type == v1::METRIC_TYPE_GAUGE);  // untyped
  CHECK(std::isinf(parsed.samples[2].value));
  REQUIRE(parsed.problems.size() == 7);
  CHECK(parsed.problems[0].reason == "unsupported_type");
  CHECK(parsed.problems[0].line == 9);
  for (std::size_t i = 1; i < parsed.problems.size(); ++i)
    CHECK(parsed.problems[i].reason == "invalid_line");
}

TEST_CASE("JSON lines: name, labels, value, type and timestamp; bad lines reported") {
  const auto parsed = agent::parse_json_lines(
      "{\"name\":\"queue_depth\",\"labels\":{\"queue\":\"mail\"},\"value\":12}\n"
      "{\"name\":\"sent_total\",\"value\":3.5,\"type\":\"counter\",\"timestamp_ms\":1700000000000}"
      "\n"
      "not json\n"
      "{\"name\":\"x\",\"value\":\"12\"}\n"
      "{\"name\":\"x\",\"value\":1,\"type\":\"histogram\"}\n"
      "{\"name\":\"x\",\"value\":1,\"labels\":{\"bad-name\":\"v\"}}\n"
      // Found by fuzz_exposition: a type that is not a string threw out of the parser.
      "{\"name\":\"x\",\"value\":1,\"type\":700}\n"
      "{\"name\":\"x\",\"value\":1,\"labels\":{\"a\":\"x\\u0000y\"}}\n");
  REQUIRE(parsed.samples.size() == 2);
  CHECK(parsed.samples[0].labels == agent::Labels{{"queue", "mail"}});
  CHECK(parsed.samples[0].type == v1::METRIC_TYPE_GAUGE);
  CHECK(parsed.samples[1].type == v1::METRIC_TYPE_COUNTER);
  CHECK(parsed.samples[1].timestamp_ms == 1700000000000);
  REQUIRE(parsed.problems.size() == 6);
  CHECK(parsed.problems[4].message == "line 7: type is not gauge or counter");
  CHECK(parsed.problems[5].message == "line 8: bad label");
}

TEST_CASE("a command runs with only the configured environment and its rlimits") {
  auto env = run(agent::run_subprocess({.argv = {"/usr/bin/env"}, .env = {{"ONLY", "this"}}}));
  CHECK(env.succeeded());
  CHECK(env.output == "ONLY=this\n");

  auto limits = shell("ulimit -t; ulimit -n; ulimit -v",
                      {.cpu_seconds = 7, .address_space = 512ULL << 20, .open_files = 16});
  CHECK(limits.succeeded());
  CHECK(limits.output == "7\n16\n524288\n");

  auto failed = shell("echo oops >&2; exit 3");
  CHECK(failed.end == End::kExited);
  CHECK(failed.code == 3);
  CHECK(failed.errors == "oops\n");

  auto missing = run(agent::run_subprocess({.argv = {"/nonexistent/plugin"}}));
  CHECK(missing.end == End::kSpawnFailed);
  CHECK_THAT(missing.spawn_error, Catch::Contains("No such file"));
}

TEST_CASE("a command past its timeout is killed with its whole process group") {
  const auto started = std::chrono::steady_clock::now();
  auto result = shell("sleep 60 & echo $!; wait", {.timeout = 300ms});
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK(result.end == End::kTimedOut);
  const auto grandchild = std::stoi(result.output);
  CHECK(test::eventually([&] { return !running(grandchild); }));
}

TEST_CASE("a command that prints too much is cut off and killed") {
  auto result = shell("yes", {.max_output = 1024});
  CHECK(result.end == End::kOutputTooLarge);
  CHECK(result.output.size() == 1024);
}

TEST_CASE("a plugin's samples reach the WAL with its labels; bad output is counted, logged once") {
  test::TempDir dir;
  auto wal = std::move(agent::wal::Wal::open({.dir = dir / "wal"}, test::capture_logger()).value());
  core::MetricsRegistry registry;
  agent::AgentMetrics metrics(registry);
  agent::Credentials credentials(agent::IdentityStore(dir / "identity", std::string(32, 'k')),
                                 test::capture_logger());
  agent::BatchWriter writer(*wal, credentials, metrics, 1000);
  agent::PluginSettings settings;
  settings.name = "mail";
  settings.command = {"/bin/sh", "-c",
                      "echo '# TYPE mail_queue gauge'; echo 'mail_queue{queue=\"in\"} 4'; "
                      "echo 'garbage here'; echo 'more garbage'"};
  settings.labels = {{"team", "ops"}};
  std::vector<std::string> log;
  agent::PluginRunner plugin(settings, writer, metrics, {{"dc", "eu"}, {"team", "core"}},
                             test::capture_logger(&log));

  CHECK(run(plugin.run_once(5000)) == 1);
  CHECK(run(plugin.run_once(6000)) == 1);
  CHECK(metrics.plugin_errors.with({"mail", "invalid_line"}).value() == 4);
  CHECK(std::count_if(log.begin(), log.end(), [](const auto& line) {
          return line.find("invalid_line") != std::string::npos;
        }) == 1);

  auto records = wal->read_after(0, 10, 1 << 20);
  REQUIRE(records.size() == 2);
  v1::Batch batch;
  REQUIRE(batch.ParseFromString(records[0].payload));
  CHECK(batch.meta().at("source") == "exec:mail");
  REQUIRE(batch.metrics_size() == 1);
  const auto& metric = batch.metrics(0);
  CHECK(metric.name() == "mail_queue");
  CHECK(metric.double_value() == 4);
  CHECK(metric.timestamp_ms() == 5000);
  CHECK(label(metric, "queue") == "in");
  CHECK(label(metric, "team") == "ops");  // the plugin's label wins over the agent's
  CHECK(label(metric, "dc") == "eu");
}

TEST_CASE("a plugin that hangs is counted as a timeout and writes nothing") {
  test::TempDir dir;
  auto wal = std::move(agent::wal::Wal::open({.dir = dir / "wal"}, test::capture_logger()).value());
  core::MetricsRegistry registry;
  agent::AgentMetrics metrics(registry);
  agent::Credentials credentials(agent::IdentityStore(dir / "identity", std::string(32, 'k')),
                                 test::capture_logger());
  agent::BatchWriter writer(*wal, credentials, metrics, 1000);
  agent::PluginSettings settings;
  settings.name = "stuck";
  settings.command = {"/bin/sleep", "60"};
  settings.timeout = 200ms;
  agent::PluginRunner plugin(settings, writer, metrics, {}, test::capture_logger());
  CHECK(run(plugin.run_once(1000)) == 0);
  CHECK(metrics.plugin_errors.with({"stuck", "timeout"}).value() == 1);
  CHECK(wal->next_id() == 1);
}

TEST_CASE("a cancelled run (the agent stopping) kills the command's process group and reaps it") {
  test::TempDir dir;
  const auto pids = dir.path() / "pids";
  asio::io_context io;
  asio::cancellation_signal cancel;
  bool ended = false;
  // run_subprocess takes its options by reference: they must outlive the run.
  const agent::SubprocessOptions options{
      .argv = {"/bin/sh", "-c", "sleep 60 & echo $$ $! > " + pids.string() + "; wait"},
      .env = {{"PATH", "/usr/bin:/bin"}},
      .timeout = 60s};
  asio::co_spawn(
      io, agent::run_subprocess(options),
      asio::bind_cancellation_slot(
          cancel.slot(), [&](std::exception_ptr, agent::SubprocessResult) { ended = true; }));
  pid_t shell = 0, sleeper = 0;
  REQUIRE(test::eventually([&] {
    io.poll();
    std::istringstream(test::read_file(pids)) >> shell >> sleeper;
    return sleeper > 0;
  }));
  cancel.emit(asio::cancellation_type::terminal);
  io.run();
  CHECK(ended);
  CHECK_FALSE(std::filesystem::exists(fmt::format("/proc/{}", shell)));  // reaped, no zombie
  CHECK(test::eventually([&] { return !running(sleeper); }));
  ::kill(-shell, SIGKILL);  // should the test fail: leave nothing running
}
