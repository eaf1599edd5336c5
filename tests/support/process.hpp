#pragma once
// Starts a real program as a child process for integration tests and controls it with signals.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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

// The sentineld binary of this build tree, and the source tree (scripts, fixtures).
std::filesystem::path sentineld_binary();
std::filesystem::path source_dir();

// Runs a command to completion (no shell); returns its exit status, output appended to `output`.
int run_command(std::vector<std::string> args, std::string* output = nullptr,
                std::map<std::string, std::string> env = {});

// Runs `sentineld <args>` (`token create ...`, `token bootstrap create ...`) with `env` and
// returns the token it prints, the first word starting with `prefix` ("stk_", "sbt_"); throws
// std::runtime_error with the output when it fails or prints none.
std::string mint_token(std::vector<std::string> args, std::map<std::string, std::string> env,
                       std::string_view prefix);

}  // namespace sentinel::test
