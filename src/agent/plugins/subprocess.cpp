#include "agent/plugins/subprocess.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/core/unique_fd.hpp"

namespace sentinel::agent {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Descriptor = asio::posix::stream_descriptor;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kStderrKept = 4096;

struct Pipe {
  core::UniqueFd read, write;
};

std::optional<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  return Pipe{core::UniqueFd(fds[0]), core::UniqueFd(fds[1])};
}

// argv and envp as execve wants them, built before fork: the child may only call
// async-signal-safe functions, and allocating is not one.
struct ExecArguments {
  explicit ExecArguments(const SubprocessOptions& options) {
    strings = options.argv;
    for (const auto& [key, value] : options.env)
      strings.push_back(key + "=" + value);
    for (std::size_t i = 0; i < options.argv.size(); ++i)
      argv.push_back(strings[i].data());
    argv.push_back(nullptr);
    for (std::size_t i = options.argv.size(); i < strings.size(); ++i)
      envp.push_back(strings[i].data());
    envp.push_back(nullptr);
  }
  std::vector<std::string> strings;
  std::vector<char*> argv, envp;
};

[[noreturn]] void exec_child(const SubprocessOptions& options, ExecArguments& args, int out,
                             int err, int status) {
  ::setpgid(0, 0);
  const int null = ::open("/dev/null", O_RDONLY);
  if (null < 0 || ::dup2(null, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
      ::dup2(err, STDERR_FILENO) < 0) {
    ::_exit(126);
  }
  const rlimit cpu{options.cpu_seconds, options.cpu_seconds + 1};  // SIGXCPU, then SIGKILL
  const rlimit memory{options.address_space, options.address_space};
  const rlimit files{options.open_files, options.open_files};
  sigset_t none;
  ::sigemptyset(&none);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    ::sigaction(sig, &default_action, nullptr);
  if (::setrlimit(RLIMIT_CPU, &cpu) != 0 || ::setrlimit(RLIMIT_AS, &memory) != 0 ||
      ::setrlimit(RLIMIT_NOFILE, &files) != 0 || ::sigprocmask(SIG_SETMASK, &none, nullptr) != 0 ||
      ::chdir(options.working_dir.c_str()) != 0) {
    const int error = errno;
    (void)!::write(status, &error, sizeof error);
    ::_exit(126);
  }
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  // descriptors the loop opened without O_CLOEXEC
  ::execve(args.argv[0], args.argv.data(), args.envp.data());
  const int error = errno;
  (void)!::write(status, &error, sizeof error);
  ::_exit(127);
}

// Reads `fd` to its end, keeping at most `limit` bytes; calls `overflow` once past the limit.
template <class Overflow>
asio::awaitable<void> drain(Descriptor& fd, std::size_t limit, std::string& kept,
                            Overflow overflow) {
  char buffer[8192];
  bool over = false;
  for (;;) {
    auto [ec, n] = co_await fd.async_read_some(asio::buffer(buffer), kAsTuple);
    if (ec) co_return;  // EOF, or the descriptor was closed
    const std::size_t room = limit - std::min(limit, kept.size());
    kept.append(buffer, std::min(n, room));
    if (n > room && !over) {
      over = true;
      overflow();
    }
  }
}

asio::awaitable<void> sleep(core::Duration delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

// Waits for the child to end and returns its waitpid status.
asio::awaitable<int> reap(pid_t pid) {
  int status = 0;
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    Descriptor exited(co_await asio::this_coro::executor, pidfd);
    co_await exited.async_wait(Descriptor::wait_read, kAsTuple);
  }
  // Without pidfd (kernels before 5.3), poll: plugins are rare and short-lived.
  while (::waitpid(pid, &status, WNOHANG) == 0)
    co_await sleep(std::chrono::milliseconds(5));
  co_return status;
}

// The errno the child reported before exec, or 0 once exec succeeded (the pipe closed).
asio::awaitable<int> exec_status(core::UniqueFd fd) {
  Descriptor status(co_await asio::this_coro::executor, fd.release());
  int error = 0;
  auto [ec, n] = co_await asio::async_read(status, asio::buffer(&error, sizeof error), kAsTuple);
  co_return n == sizeof error ? error : 0;
}

}  // namespace

asio::awaitable<SubprocessResult> run_subprocess(const SubprocessOptions& options) {
  SubprocessResult result;
  ExecArguments args(options);
  auto out = make_pipe(), err = make_pipe(), status = make_pipe();
  if (!out || !err || !status) {
    result.spawn_error = std::strerror(errno);
    co_return result;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    result.spawn_error = std::strerror(errno);
    co_return result;
  }
  if (pid == 0) exec_child(options, args, out->write.get(), err->write.get(), status->write.get());
  ::setpgid(pid, pid);  // also here, so that a kill of the group cannot race the child's own call
  // A run cancelled before it reaped (the agent stopping) must leave no command running and no
  // zombie: on that way out the group is killed and the child reaped, blocking only as long as
  // a SIGKILLed process takes to die.
  struct Reaper {
    pid_t pid;
    bool done = false;
    ~Reaper() {
      if (done) return;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{pid};
  out->write.reset();
  err->write.reset();
  status->write.reset();

  auto executor = co_await asio::this_coro::executor;
  const int spawn_errno = co_await exec_status(std::move(status->read));
  Descriptor stdout_fd(executor, out->read.release()), stderr_fd(executor, err->read.release());
  bool too_large = false;
  auto kill_group = [pid] { ::kill(-pid, SIGKILL); };
  auto ended = co_await ((drain(stdout_fd, options.max_output, result.output,
                                [&] {
                                  too_large = true;
                                  kill_group();
                                }) &&
                          drain(stderr_fd, kStderrKept, result.errors, [] {})) ||
                         sleep(options.timeout));
  if (ended.index() == 1) kill_group();
  const int wait_status = co_await reap(pid);
  reaper.done = true;

  if (spawn_errno != 0) {
    result.spawn_error = std::strerror(spawn_errno);
  } else if (ended.index() == 1) {
    result.end = SubprocessResult::End::kTimedOut;
  } else if (too_large) {
    result.end = SubprocessResult::End::kOutputTooLarge;
  } else if (WIFEXITED(wait_status)) {
    result.end = SubprocessResult::End::kExited;
    result.code = WEXITSTATUS(wait_status);
  } else {
    result.end = SubprocessResult::End::kSignaled;
    result.code = WTERMSIG(wait_status);
  }
  co_return result;
}

}  // namespace sentinel::agent
