#pragma once
// Starts a real program as a child process for integration tests and controls it with signals.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sentinel::test {

struct ProcessOptions {
  std::vector<std::string> args;           // args[0] is the program
  std::map<std::string, std::string> env;  // added to a minimal PATH/HOME environment
  std::filesystem::path output;            // stdout and stderr go here
};

class ChildProcess {
 public:
  explicit ChildProcess(ProcessOptions options);
  ~ChildProcess();  // kills with SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // The exit status (or 128 + signal) once the child has ended, waiting until `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  std::string output() const;

 private:
  ProcessOptions options_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// The path of a binary built by this build tree, from the SENTINEL_BINARY_DIR compile definition.
std::filesystem::path sentineld_binary();

}  // namespace sentinel::test
