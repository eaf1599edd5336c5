#pragma once
// IP networks in CIDR notation and the client address behind trusted proxies.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::http {

class Cidr {
 public:
  // "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128).
  static std::optional<Cidr> parse(std::string_view text);
  bool contains(std::string_view address) const;
  std::string to_string() const;

 private:
  std::array<std::uint8_t, 16> network_{};
  int prefix_ = 0;
  bool v6_ = false;
};

// The client's address: the peer itself unless it is a trusted proxy; then X-Forwarded-For is
// read from the right, skipping trusted hops, and the first untrusted hop is the client. A
// spoofed header from an untrusted peer is ignored because the peer itself is the answer.
std::string resolve_client_ip(std::string_view peer, std::optional<std::string_view> forwarded_for,
                              const std::vector<Cidr>& trusted);

}  // namespace sentinel::http
