#include "sentinel/core/task_group.hpp"

#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

using namespace sentinel::core;
namespace asio = boost::asio;

TEST_CASE("cancel reaches every task and wait returns once all have finished") {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  std::vector<std::string> lines;
  TaskGroup group(Logger(std::make_shared<LogSink>(LogLevel::kError, LogFormat::kText,
                                                   [&](auto line) { lines.emplace_back(line); }),
                         "test"));
  std::atomic<int> aborted{0};
  // The coroutine takes what it uses as parameters: a lambda's captures would die with the
  // temporary lambda while the coroutine still runs.
  auto sleeper = [](std::atomic<int>& aborted) -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) ++aborted;
  };
  for (int i = 0; i < 3; ++i)
    group.spawn(asio::make_strand(io), sleeper(aborted), "sleeper");
  CHECK(group.size() == 3);
  CHECK_FALSE(group.wait(Clock::now() + std::chrono::milliseconds(20)));
  group.cancel();
  CHECK(group.wait(Clock::now() + std::chrono::seconds(5)));
  CHECK(aborted == 3);
  CHECK(lines.empty());
  guard.reset();
  loop.join();
}

TEST_CASE("an exception escaping a task is logged with the task's name") {
  asio::io_context io;
  std::vector<std::string> lines;
  TaskGroup group(Logger(std::make_shared<LogSink>(LogLevel::kError, LogFormat::kText,
                                                   [&](auto line) { lines.emplace_back(line); }),
                         "test"));
  group.spawn(
      asio::make_strand(io),
      []() -> asio::awaitable<void> {
        throw std::runtime_error("broken invariant");
        co_return;
      }(),
      "faulty");
  io.run();
  CHECK(group.wait(Clock::now()));
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("task faulty failed: broken invariant"));
}

TEST_CASE("a task spawned while the group is being cancelled is cancelled too") {
  // stop() may cancel while another thread spawns (a push queueing a nonce write, a worker
  // binding its consumer): cancel() must reach a task it saw, whatever point spawn() had reached.
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  TaskGroup group(
      Logger(std::make_shared<LogSink>(LogLevel::kError, LogFormat::kText, [](auto) {}), "test"));
  auto sleeper = []() -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
    co_await timer.async_wait(asio::use_awaitable);
  };
  for (int i = 0; i < 300; ++i) {
    std::thread spawner([&] { group.spawn(asio::make_strand(io), sleeper(), "sleeper"); });
    while (group.size() == 0) {
      // Cancel as soon as the task is in the group, while spawn() may still be under way.
    }
    group.cancel();
    spawner.join();
    REQUIRE(group.wait(Clock::now() + std::chrono::seconds(2)));
  }
  guard.reset();
  loop.join();
}
