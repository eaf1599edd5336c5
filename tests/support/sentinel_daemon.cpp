#include "support/sentinel_daemon.hpp"

#include "support/temp_dir.hpp"

namespace sentinel::test {

SentinelDaemon::SentinelDaemon(const std::filesystem::path& dir, const std::string& name,
                               std::vector<std::string> args,
                               std::map<std::string, std::string> env)
    : ready_file_(dir / (name + ".ready")) {
  args.insert(args.begin(), sentineld_binary().string());
  args.push_back("--listen=127.0.0.1:0");
  args.push_back("--ready-file=" + ready_file_.string());
  process_ = std::make_unique<ChildProcess>(
      ProcessOptions{std::move(args), std::move(env), dir / (name + ".log")});
}

bool SentinelDaemon::wait_ready(std::chrono::milliseconds timeout) {
  const bool ready = eventually(
      [&] { return std::filesystem::exists(ready_file_) || !process_->running(); }, timeout);
  if (!ready || !std::filesystem::exists(ready_file_)) return false;
  const auto text = read_file(ready_file_);
  std::tie(host_, port_) = split_host_port(text.substr(0, text.find('\n')));
  return true;
}

std::string SentinelDaemon::url() const {
  return "http://" + host_ + ":" + std::to_string(port_);
}

HttpClient SentinelDaemon::client(std::optional<TlsClientOptions> tls) const {
  return HttpClient(host_, port_, std::move(tls));
}

}  // namespace sentinel::test
