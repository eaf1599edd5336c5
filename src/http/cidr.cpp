#include "sentinel/http/cidr.hpp"

#include <arpa/inet.h>
#include <charconv>

namespace sentinel::http {
namespace {

struct Address {
  std::array<std::uint8_t, 16> bytes{};
  bool v6 = false;
};

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return std::string(text);
}

std::optional<Address> parse_address(std::string_view text) {
  std::string s = trim(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  Address address;
  if (inet_pton(AF_INET, s.c_str(), address.bytes.data()) == 1) return address;
  if (inet_pton(AF_INET6, s.c_str(), address.bytes.data()) == 1) {
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it maps.
    static constexpr std::array<std::uint8_t, 12> kMapped = {0, 0, 0, 0, 0,    0,
                                                             0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped.begin(), kMapped.end(), address.bytes.begin())) {
      std::copy(address.bytes.begin() + 12, address.bytes.end(), address.bytes.begin());
      return address;
    }
    address.v6 = true;
    return address;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  Cidr cidr;
  cidr.v6_ = address->v6;
  cidr.network_ = address->bytes;
  const int max_prefix = cidr.v6_ ? 128 : 32;
  cidr.prefix_ = max_prefix;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cidr.prefix_);
    if (ec != std::errc() || end != digits.data() + digits.size() || cidr.prefix_ < 0 ||
        cidr.prefix_ > max_prefix) {
      return std::nullopt;
    }
  }
  return cidr;
}

bool Cidr::contains(std::string_view text) const {
  auto address = parse_address(text);
  if (!address || address->v6 != v6_) return false;
  int bits = prefix_;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((address->bytes[i] & mask) != (network_[i] & mask)) return false;
  }
  return true;
}

std::string Cidr::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6_ ? AF_INET6 : AF_INET, network_.data(), buffer, sizeof buffer);
  return std::string(buffer) + "/" + std::to_string(prefix_);
}

std::string resolve_client_ip(std::string_view peer, std::optional<std::string_view> forwarded_for,
                              const std::vector<Cidr>& trusted) {
  auto is_trusted = [&](std::string_view address) {
    for (const auto& cidr : trusted) {
      if (cidr.contains(address)) return true;
    }
    return false;
  };
  std::string client = trim(peer);
  if (!forwarded_for || !is_trusted(client)) return client;
  std::string_view hops = *forwarded_for;
  while (!hops.empty()) {
    auto comma = hops.rfind(',');
    auto hop = trim(comma == std::string_view::npos ? hops : hops.substr(comma + 1));
    hops = comma == std::string_view::npos ? std::string_view{} : hops.substr(0, comma);
    if (!parse_address(hop)) break;  // garbage: stop at the last hop we could read
    client = hop;
    if (!is_trusted(hop)) break;
  }
  return client;
}

}  // namespace sentinel::http
