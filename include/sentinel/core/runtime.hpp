#pragma once
// The one event loop of the process: an io_context run by a fixed number of threads.

#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "sentinel/core/log.hpp"

namespace sentinel::core {

class Runtime {
 public:
  Runtime(int threads, Logger log);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  boost::asio::io_context& io() { return io_; }
  void start();
  // Lets queued handlers finish, then joins the threads. Idempotent.
  void shutdown();

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  int thread_count_;
  Logger log_;
  std::vector<std::thread> threads_;
};

}  // namespace sentinel::core
