#include "sentinel/http/cidr.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::http;

TEST_CASE("CIDRs match IPv4, IPv6 and IPv4-mapped addresses") {
  auto ten = *Cidr::parse("10.0.0.0/8");
  CHECK(ten.contains("10.255.1.2"));
  CHECK_FALSE(ten.contains("11.0.0.1"));
  CHECK(ten.contains("::ffff:10.1.2.3"));
  CHECK_FALSE(ten.contains("fd00::1"));
  auto v6 = *Cidr::parse("fd00::/8");
  CHECK(v6.contains("fd12::1"));
  CHECK_FALSE(v6.contains("fe80::1"));
  CHECK(Cidr::parse("192.168.1.7")->contains("192.168.1.7"));
  CHECK_FALSE(Cidr::parse("192.168.1.7")->contains("192.168.1.8"));
  CHECK(Cidr::parse("172.16.0.0/12")->contains("172.31.255.255"));
  CHECK(Cidr::parse("0.0.0.0/0")->contains("8.8.8.8"));
  for (auto bad : {"10.0.0.0/33", "10.0.0/8", "nonsense", "fd00::/129", "10.0.0.0/x", ""}) {
    INFO(bad);
    CHECK_FALSE(Cidr::parse(bad));
  }
}

TEST_CASE("X-Forwarded-For is honoured only from trusted peers, rightmost untrusted hop wins") {
  const std::vector<Cidr> trusted = {*Cidr::parse("127.0.0.1/32"), *Cidr::parse("10.0.0.0/8")};
  // An untrusted peer cannot choose its address by sending the header.
  CHECK(resolve_client_ip("203.0.113.9", "1.2.3.4", trusted) == "203.0.113.9");
  CHECK(resolve_client_ip("127.0.0.1", "1.2.3.4, 10.0.0.7", trusted) == "1.2.3.4");
  // A client that spoofs the leftmost entry through a trusted proxy gets its real address.
  CHECK(resolve_client_ip("127.0.0.1", "6.6.6.6, 198.51.100.2, 10.0.0.7", trusted) ==
        "198.51.100.2");
  CHECK(resolve_client_ip("127.0.0.1", std::nullopt, trusted) == "127.0.0.1");
  CHECK(resolve_client_ip("127.0.0.1", "10.0.0.1, 10.0.0.2", trusted) == "10.0.0.1");
  CHECK(resolve_client_ip("127.0.0.1", "garbage, 198.51.100.2", trusted) == "198.51.100.2");
  CHECK(resolve_client_ip("127.0.0.1", "1.2.3.4", {}) == "127.0.0.1");
}
