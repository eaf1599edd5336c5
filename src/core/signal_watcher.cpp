#include "signal_watcher.hpp"

#include <csignal>
#include <cstdlib>
#include <unistd.h>

namespace sentinel::core {

SignalWatcher::SignalWatcher(boost::asio::io_context& io) : signals_(io, SIGINT, SIGTERM, SIGHUP) {
  arm();
}

SignalWatcher::~SignalWatcher() {
  boost::system::error_code ignored_because_the_loop_may_be_gone;
  signals_.cancel(ignored_because_the_loop_may_be_gone);
}

void SignalWatcher::arm() {
  signals_.async_wait([this](const boost::system::error_code& ec, int number) {
    if (ec) return;
    Event event = number == SIGHUP ? Event::kReload : Event::kStop;
    {
      std::lock_guard lock(mutex_);
      if (event == Event::kStop && ++stop_requests_ > 1) {
        static constexpr char kMessage[] = "second stop signal: exiting now\n";
        (void)::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
        std::_Exit(1);
      }
      events_.push_back(event);
    }
    ready_.notify_one();
    arm();
  });
}

SignalWatcher::Event SignalWatcher::wait() {
  std::unique_lock lock(mutex_);
  ready_.wait(lock, [this] { return !events_.empty(); });
  Event event = events_.front();
  events_.pop_front();
  return event;
}

}  // namespace sentinel::core
