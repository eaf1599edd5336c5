#include "support/nats_server.hpp"

#include <csignal>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

namespace sentinel::test {
namespace {

constexpr std::string_view kReadyLine = "Server is ready";

std::size_t count(const std::string& text, std::string_view needle) {
  std::size_t found = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++found;
  return found;
}

}  // namespace

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!bound) throw std::runtime_error("cannot find a free port");
  return ntohs(address.sin_port);
}

NatsServerProcess::NatsServerProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)), port_(free_port()) {
  start();
}

std::string NatsServerProcess::url() const {
  return fmt::format("nats://127.0.0.1:{}", port_);
}

void NatsServerProcess::start() {
  ProcessOptions options;
  options.args = {"/usr/sbin/nats-server", "-a",  "127.0.0.1", "-p",
                  std::to_string(port_),   "-js", "-sd",       (dir_ / "store").string()};
  options.args.insert(options.args.end(), extra_args_.begin(), extra_args_.end());
  options.output = dir_ / "nats-server.log";
  process_ = std::make_unique<ChildProcess>(options);
  ++starts_;
  const bool ready = eventually([this] {
    return count(read_file(dir_ / "nats-server.log"), kReadyLine) >=
               static_cast<std::size_t>(starts_) ||
           !process_->running();
  });
  if (!ready || !process_->running()) {
    throw std::runtime_error(fmt::format("nats-server did not start on port {}: {}", port_,
                                         read_file(dir_ / "nats-server.log")));
  }
}

void NatsServerProcess::kill() {
  process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(10));
}

void NatsServerProcess::stop() {
  process_->signal(SIGTERM);
  process_->wait(std::chrono::seconds(10));
}

void NatsServerProcess::pause() {
  process_->signal(SIGSTOP);
}

void NatsServerProcess::resume() {
  process_->signal(SIGCONT);
}

bool NatsServerProcess::running() {
  return process_->running();
}

}  // namespace sentinel::test
