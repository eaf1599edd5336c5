#include "support/process.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <signal.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "support/temp_dir.hpp"

namespace sentinel::test {
namespace {

std::optional<int> decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return std::nullopt;
}

}  // namespace

ChildProcess::ChildProcess(ProcessOptions options) : options_(std::move(options)) {
  std::vector<std::string> env_strings = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"};
  for (const char* inherited :
       {"HOME", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(inherited); value && !options_.env.contains(inherited)) {
      env_strings.push_back(fmt::format("{}={}", inherited, value));
    }
  }
  for (const auto& [key, value] : options_.env)
    env_strings.push_back(key + "=" + value);
  std::vector<char*> argv;
  for (auto& arg : options_.args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_strings)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(options_.output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (running()) {
    signal(SIGKILL);
    wait(std::chrono::seconds(10));
  }
}

void ChildProcess::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  eventually([this] { return !running(); }, timeout);
  return status_;
}

bool ChildProcess::running() {
  if (status_) return false;
  int status = 0;
  pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result == pid_) status_ = decode(status);
  return !status_;
}

std::string ChildProcess::output() const {
  return read_file(options_.output);
}

std::filesystem::path sentineld_binary() {
  return SENTINEL_BINARY_DIR "/sentineld";
}

std::filesystem::path source_dir() {
  return SENTINEL_SOURCE_DIR;
}

std::string mint_token(std::vector<std::string> args, std::map<std::string, std::string> env,
                       std::string_view prefix) {
  args.insert(args.begin(), sentineld_binary().string());
  std::string output;
  const auto status = run_command(std::move(args), &output, std::move(env));
  const auto start = output.find(prefix);
  if (status != 0 || start == std::string::npos)
    throw std::runtime_error(fmt::format("cannot mint a {} token: {}", prefix, output));
  return output.substr(start, output.find_first_of(" \n", start) - start);
}

int run_command(std::vector<std::string> args, std::string* output,
                std::map<std::string, std::string> env) {
  TempDir dir;
  ChildProcess child({std::move(args), std::move(env), dir / "output"});
  auto status = child.wait(std::chrono::minutes(2));
  if (output != nullptr) *output += child.output();
  return status.value_or(-1);
}

}  // namespace sentinel::test
