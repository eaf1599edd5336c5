#pragma once
// A stand-in for the gateway's agent endpoints (docs/protocol.md) on a real HTTP server: it enrols
// agents, decompresses and verifies every signature as the gateway must, remembers what arrived,
// and answers pushes as a test scripts it (by default: ACCEPTED, or DUPLICATE for a batch id it
// has accepted before).

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "proto/sentinel.pb.h"
#include "support/local_server.hpp"

namespace sentinel::test {

class FakeGateway {
 public:
  static constexpr std::string_view kToken = "bootstrap-token-for-tests";
  static constexpr std::string_view kAgentId = "agt-test";

  struct Push {
    std::vector<v1::SignedBatch> envelopes;
    std::vector<v1::Batch> batches;
    bool compressed = false;
  };
  // The answer to push number `index` (0-based); nullopt: the default answer.
  using PushScript =
      std::function<std::optional<http::Response>(const Push& push, std::size_t index)>;

  explicit FakeGateway(ServerSettings settings = {});
  void start() { server_.start(); }
  void stop() { server_.stop(); }
  std::string url() const { return server_.url(); }
  LocalHttpServer& server() { return server_; }

  void script(PushScript script);
  // The next push answered 200 carries a rotation to `key_id`; both keys stay valid.
  void rotate_to(const std::string& key_id);
  // Registers an enrolled agent key, for tests that enrol by themselves.
  void add_key(const std::string& key_id, const std::string& secret);

  // The answer with these statuses (one per batch of the push), as the gateway would give it.
  static http::Response answer(const Push& push, const std::vector<v1::BatchStatus>& statuses,
                               const v1::KeyRotation* rotation = nullptr);

  std::vector<std::uint64_t> accepted_ids() const;  // in order, each once
  std::vector<std::uint64_t> sent_ids() const;      // every batch of every push, in order
  std::vector<Push> pushes() const;
  std::vector<v1::Heartbeat> heartbeats() const;
  std::size_t enrolments() const;
  std::size_t bad_signatures() const;
  std::vector<std::string> keys_used() const;  // the key_id of each push, in order

 private:
  http::Response push(const http::Request& request);
  http::Response heartbeat(const http::Request& request);
  http::Response enroll(const http::Request& request);
  bool verified(const std::string& agent_id, const std::string& key_id, bool ok_signature);
  http::Response default_answer(const Push& push);

  LocalHttpServer server_;
  mutable std::mutex mutex_;
  PushScript script_;
  std::map<std::string, std::string> secrets_;  // key_id -> secret
  std::optional<std::string> pending_rotation_;
  std::string last_signing_secret_;
  std::vector<Push> pushes_;
  std::vector<std::uint64_t> accepted_;
  std::vector<v1::Heartbeat> heartbeats_;
  std::vector<std::string> keys_used_;
  std::size_t enrolments_ = 0;
  std::size_t bad_signatures_ = 0;
};

}  // namespace sentinel::test
