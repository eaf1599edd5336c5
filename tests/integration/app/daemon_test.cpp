// The real sentineld binary: start, ready file, signals, and the config subcommands.

#include <signal.h>

#include <catch2/catch.hpp>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;

namespace {

struct Daemon {
  explicit Daemon(const test::TempDir& dir, std::vector<std::string> extra = {},
                  std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args = {
        test::sentineld_binary().string(), "--role=all", "--listen=127.0.0.1:0",
        "--ready-file=" + (dir / "ready").string(), "--data-dir=" + (dir / "data").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    env.emplace("SENTINEL_SHUTDOWN_TIMEOUT", "5s");
    process =
        std::make_unique<test::ChildProcess>(test::ProcessOptions{args, env, dir / "daemon.log"});
    ready_file = dir / "ready";
  }
  bool wait_ready() {
    return test::eventually(
               [&] { return std::filesystem::exists(ready_file) || !process->running(); },
               std::chrono::seconds(30)) &&
           std::filesystem::exists(ready_file);
  }
  std::pair<std::string, std::uint16_t> address() {
    auto text = test::read_file(ready_file);
    return test::split_host_port(text.substr(0, text.find('\n')));
  }

  std::unique_ptr<test::ChildProcess> process;
  std::filesystem::path ready_file;
};

}  // namespace

TEST_CASE("SIGTERM stops a running sentineld within its deadline with exit code 0") {
  test::TempDir dir;
  Daemon daemon(dir);
  REQUIRE(daemon.wait_ready());
  auto [host, port] = daemon.address();
  CHECK(test::HttpClient(host, port).request("GET", "/healthz").body == "ok\n");
  daemon.process->signal(SIGTERM);
  CHECK(daemon.process->wait(std::chrono::seconds(10)) == 0);
  CHECK_FALSE(std::filesystem::exists(daemon.ready_file));
  CHECK_THAT(daemon.process->output(), Catch::Contains("stopped"));
}

TEST_CASE("SIGHUP reloads the configuration file") {
  test::TempDir dir;
  auto config = dir.write("sentineld.yml", "log:\n  level: info\n");
  Daemon daemon(dir, {"--config=" + config.string()});
  REQUIRE(daemon.wait_ready());
  dir.write("sentineld.yml", "log:\n  level: debug\n");
  daemon.process->signal(SIGHUP);
  CHECK(test::eventually([&] {
    return daemon.process->output().find("configuration reloaded") != std::string::npos;
  }));
  dir.write("sentineld.yml", "log:\n  level: loud\n");
  daemon.process->signal(SIGHUP);
  CHECK(test::eventually(
      [&] { return daemon.process->output().find("reload refused") != std::string::npos; }));
  CHECK(daemon.process->running());  // a bad reload keeps the running configuration
  daemon.process->signal(SIGTERM);
  CHECK(daemon.process->wait(std::chrono::seconds(10)) == 0);
}

TEST_CASE("sentineld gives back its start-up pages once it has settled and keeps serving") {
  test::TempDir dir;
  Daemon daemon(dir, {}, {{"SENTINEL_RELEASE_STARTUP_PAGES_AFTER", "100ms"}});
  REQUIRE(daemon.wait_ready());
  CHECK(test::eventually([&] {
    return daemon.process->output().find("gave back start-up pages") != std::string::npos;
  }));
  auto [host, port] = daemon.address();
  CHECK(test::HttpClient(host, port).request("GET", "/healthz").body == "ok\n");
  daemon.process->signal(SIGTERM);
  CHECK(daemon.process->wait(std::chrono::seconds(10)) == 0);
}

TEST_CASE("a bad configuration stops start-up with exit code 2 and one line per problem") {
  test::TempDir dir;
  auto config =
      dir.write("bad.yml", "http:\n  idle_timeout: 5\n  body_limit: 1TB\nthreads: 0\nhtpp: {}\n");
  Daemon daemon(dir, {"--config=" + config.string()});
  CHECK(daemon.process->wait(std::chrono::seconds(30)) == 2);
  CHECK_FALSE(std::filesystem::exists(daemon.ready_file));
  auto output = daemon.process->output();
  for (auto key : {"bad.yml:2: http.idle_timeout", "bad.yml:3: http.body_limit",
                   "bad.yml:4: threads", "bad.yml:5: htpp"}) {
    INFO(key);
    CHECK_THAT(output, Catch::Contains(key));
  }
}

TEST_CASE("config check accepts a good file and reports every error of a bad one") {
  test::TempDir dir;
  auto good = dir.write("good.yml", "http:\n  listen: 0.0.0.0:9000\nlog:\n  format: json\n");
  std::string output;
  CHECK(test::run_command(
            {test::sentineld_binary().string(), "config", "check", "--config", good.string()},
            &output) == 0);
  CHECK_THAT(output, Catch::Contains("configuration OK"));

  auto bad = dir.write("bad.yml", "http:\n  idle_timeout: forever\nlog:\n  level: chatty\n");
  output.clear();
  CHECK(test::run_command(
            {test::sentineld_binary().string(), "config", "check", "--config", bad.string()},
            &output) == 2);
  CHECK_THAT(output, Catch::Contains("bad.yml:2: http.idle_timeout: \"forever\" is invalid"));
  CHECK_THAT(output, Catch::Contains(
                         "bad.yml:4: log.level: \"chatty\" is invalid: expected one of: trace"));

  output.clear();
  CHECK(test::run_command({test::sentineld_binary().string(), "config", "check", "--config",
                           (dir / "missing.yml").string()},
                          &output) == 2);
  CHECK_THAT(output, Catch::Contains("missing.yml: expected a readable configuration file"));
}

TEST_CASE("config print shows the effective configuration with secrets masked") {
  std::string output;
  CHECK(test::run_command(
            {test::sentineld_binary().string(), "config", "print", "--listen", "127.0.0.1:7070"},
            &output,
            {{"SENTINEL_MASTER_KEY", "a-very-long-and-very-secret-master-key-value"}}) == 0);
  CHECK_THAT(output, Catch::Contains("listen: 127.0.0.1:7070"));
  CHECK_THAT(output, Catch::Contains("master_key: \"***\""));
  CHECK_THAT(output, !Catch::Contains("very-secret"));
}

TEST_CASE("prod mode refuses to start without a strong master key") {
  test::TempDir dir;
  Daemon weak(dir, {}, {{"SENTINEL_ENV", "prod"}, {"SENTINEL_MASTER_KEY", "changeme"}});
  CHECK(weak.process->wait(std::chrono::seconds(30)) == 2);
  CHECK_THAT(weak.process->output(), Catch::Contains("master_key"));
  CHECK_THAT(weak.process->output(), !Catch::Contains("changeme"));
}

TEST_CASE("the metrics exposition passes promtool check metrics") {
  test::TempDir dir;
  Daemon daemon(dir);
  REQUIRE(daemon.wait_ready());
  auto [host, port] = daemon.address();
  test::HttpClient client(host, port);
  client.request("GET", "/healthz");
  client.request("GET", "/nope");
  auto metrics = client.request("GET", "/metrics");
  auto file = dir.write("metrics.txt", metrics.body);
  std::string output;
  // promtool reads the exposition from stdin; a shell is the simplest way to feed it a file.
  int status =
      test::run_command({"/bin/sh", "-c", "promtool check metrics < " + file.string()}, &output);
  INFO(output);
  CHECK(status == 0);
}
