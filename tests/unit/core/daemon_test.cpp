// run_daemon's way out when a component misses the shutdown deadline.

#include "sentinel/core/daemon.hpp"

#include <chrono>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "sentinel/core/task_group.hpp"

#include "support/temp_dir.hpp"

using namespace sentinel;
namespace asio = boost::asio;

namespace {

// A component whose task is stuck in an operation that ignores cancellation, as a blocking call
// into a client library would be. start() asks the daemon to stop at once.
class Stuck : public core::Component {
 public:
  static constexpr std::string_view kName = "stuck";
  struct Config {
    static Config parse(core::ConfigSection&) { return {}; }
  };

  Stuck(const Config&, core::ComponentContext& context)
      : io_(context.io()), tasks_(context.logger(kName)) {}

  void start() override {
    tasks_.spawn(asio::make_strand(io_), never_finish(), "never finish");
    ::kill(::getpid(), SIGTERM);
  }
  void stop(core::Deadline deadline) override {
    tasks_.cancel();
    tasks_.wait(deadline);
  }

 private:
  asio::awaitable<void> never_finish() {
    asio::steady_timer timer(io_, std::chrono::hours(1));
    // An empty cancellation slot: the group's cancel() does not reach this wait.
    co_await timer.async_wait(
        asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
  }

  asio::io_context& io_;
  core::TaskGroup tasks_;
};

// A component that cannot start, after which those started before it are stopped.
class Refuses : public core::Component {
 public:
  static constexpr std::string_view kName = "refuses";
  struct Config {
    static Config parse(core::ConfigSection&) { return {}; }
  };
  Refuses(const Config&, core::ComponentContext&) {}
  void start() override { throw std::runtime_error("no, thanks"); }
};

// Runs the daemon with `components` in a child process and returns its wait status.
int run_in_child(const test::TempDir& dir, std::vector<std::string> components) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    core::ComponentCatalog catalog;
    catalog.add<Stuck>();
    catalog.add<Refuses>();
    core::DaemonOptions options;
    options.role = "test";
    options.components = std::move(components);
    options.default_data_dir = dir.path();
    options.config.environment = {{"SENTINEL_SHUTDOWN_TIMEOUT", "1s"},
                                  {"SENTINEL_LOG_LEVEL", "error"}};
    ::_exit(core::run_daemon(catalog, options));
  }
  int status = 0;
  const bool exited = test::eventually([&] { return ::waitpid(child, &status, WNOHANG) == child; },
                                       std::chrono::seconds(20));
  if (!exited) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    FAIL("the daemon did not exit");
  }
  return status;
}

}  // namespace

TEST_CASE("a component that misses the shutdown deadline makes the daemon exit 1 at once") {
  test::TempDir dir;
  const int status = run_in_child(dir, {"stuck"});
  INFO("wait status " << status);
  // Not a crash: the components, whose tasks still run, are never destroyed under them.
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
}

TEST_CASE("a component that misses the deadline while a failed start is undone: exit 1 at once") {
  test::TempDir dir;
  const int status = run_in_child(dir, {"stuck", "refuses"});
  INFO("wait status " << status);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
}
