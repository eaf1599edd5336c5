#pragma once
// The agent's side of the HTTP contract in docs/protocol.md: protobuf bodies, zstd compression,
// and every answer reduced to what the agent acts on (status, error code, Retry-After).

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "sentinel/agent/config.hpp"
#include "sentinel/http/client.hpp"

namespace sentinel::agent {

struct GatewayReply {
  int status = 0;          // 0: no response arrived (transport error)
  std::string body;        // the protobuf answer of a 200
  std::string error_code;  // from the JSON error body, or the transport error's code
  std::string error_message;
  std::optional<core::Duration> retry_after;
  std::string describe() const;  // "503 unavailable: ..." for logs
};

// Retry-After as delta-seconds or an HTTP-date (RFC 9110), relative to `now`; nullopt when
// malformed. A date in the past means "now".
std::optional<core::Duration> parse_retry_after(std::string_view text,
                                                std::chrono::system_clock::time_point now);

// zstd-compresses `data` (level 3).
std::string zstd_compress(std::string_view data);

class GatewayClient {
 public:
  // Throws std::runtime_error when a TLS file cannot be loaded.
  GatewayClient(boost::asio::any_io_executor executor, const AgentConfig& config);

  // POSTs a protobuf body to `path` (under the gateway URL's own path, if it has one).
  boost::asio::awaitable<GatewayReply> post(std::string_view path, std::string body);
  // After a 415: the gateway does not take compressed bodies; send them plain from now on.
  void disable_compression() { compress_ = false; }
  bool compressing() const { return compress_; }

 private:
  http::Client client_;
  std::string prefix_;
  bool compress_;
};

}  // namespace sentinel::agent
