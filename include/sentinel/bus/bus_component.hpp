#pragma once
// The component `bus`: owns the message bus of the process and hands it out through `bus()`.
// `bus.url` chooses the implementation: empty or "inproc" runs the in-process bus (laptop mode);
// one or more nats:// (or tls://) URLs connect to NATS JetStream. A gateway or worker asks for it
// in its constructor: `context.get<bus::BusComponent>().bus()`.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/bus/bus.hpp"
#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"

namespace sentinel::bus {

// The JetStream stream that holds every batch; the in-process bus honours duplicate_window.
struct StreamSettings {
  std::string name = std::string(kMetricsStream);  // tests isolate themselves with their own
  std::vector<std::string> subjects = {std::string(kMetricsSubjects)};  // and their own subjects
  core::Duration max_age = std::chrono::days(7);  // 0: keep messages until max_bytes
  std::int64_t max_bytes = -1;                    // -1: unlimited
  core::Duration duplicate_window = std::chrono::minutes(2);
  int replicas = 1;
};

struct NatsAuth {
  std::string user;  // with password; a user and password in the URL work too
  core::Secret password;
  core::Secret token;
  std::string nkey;  // the user's public nkey ("U..."), signed for with nkey_seed_file
  std::filesystem::path nkey_seed_file;
  std::filesystem::path creds_file;  // a JWT and nkey seed, as `nsc` writes them
};

struct NatsTls {
  bool required = false;
  std::filesystem::path ca;    // trusted CAs for the server's certificate
  std::filesystem::path cert;  // client certificate, for servers that verify clients
  std::filesystem::path key;
  bool enabled() const { return required || !ca.empty() || !cert.empty(); }
};

class BusBackend;

class BusComponent final : public core::Component {
 public:
  static constexpr std::string_view kName = "bus";

  struct Config {
    std::vector<std::string> url;    // empty or {"inproc"}: in process; else NATS servers
    std::string name = "sentineld";  // the connection name the NATS server shows
    StreamSettings stream;
    NatsAuth auth;
    NatsTls tls;
    std::size_t max_pending = 10'000;  // publishes awaiting their PubAck (or consumers' acks)
    core::Duration publish_timeout = std::chrono::seconds(5);
    core::Duration api_timeout = std::chrono::seconds(5);  // JetStream management requests
    core::Duration reconnect_wait = std::chrono::milliseconds(250);  // doubles each attempt...
    core::Duration reconnect_wait_max = std::chrono::seconds(5);     // ...up to this
    int fetch_threads = 4;                                           // fetches in flight at once
    std::size_t inproc_queue_size = 10'000;  // in process: messages not yet acked by all

    bool in_process() const { return url.empty() || url == std::vector<std::string>{"inproc"}; }
    static Config parse(core::ConfigSection& section);
  };

  BusComponent(const Config& config, core::ComponentContext& context);
  ~BusComponent() override;

  Bus& bus();

  void start() override;
  void stop(core::Deadline deadline) override;
  core::Readiness readiness() const override;

 private:
  std::unique_ptr<BusBackend> backend_;
};

}  // namespace sentinel::bus
