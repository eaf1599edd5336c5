#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>

#include <boost/asio/signal_set.hpp>

namespace sentinel::core {

// Turns SIGTERM/SIGINT/SIGHUP, caught on the event loop, into events the main thread waits for.
// The second stop signal exits the process at once: an operator who asks twice means it.
class SignalWatcher {
 public:
  enum class Event { kStop, kReload };

  explicit SignalWatcher(boost::asio::io_context& io);
  ~SignalWatcher();
  Event wait();

 private:
  void arm();

  boost::asio::signal_set signals_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Event> events_;
  int stop_requests_ = 0;
};

}  // namespace sentinel::core
