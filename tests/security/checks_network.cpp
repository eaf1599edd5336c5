// S21-S24: transport security and client addresses, against edge(): TLS with mTLS, a strict
// per-address rate limit (burst 2) and no trusted proxy on loopback.

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "checks.hpp"
#include "lab.hpp"

namespace sentinel::security {
namespace {

// The status of GET /healthz over a connection made with `tls` (none: plain HTTP), or 0 when
// the connection, the handshake or the request fails. With TLS 1.3 a refused client certificate
// surfaces at the first read, so the request is part of the attempt.
int attempt(Deployment& edge, std::optional<test::TlsClientOptions> tls) {
  try {
    return edge.daemon().client(std::move(tls)).request("GET", "/healthz").status;
  } catch (const std::exception&) {
    return 0;
  }
}

// An empty push: refused before authentication, but it costs a token of the address's bucket.
test::HttpReply empty_push(Deployment& edge, std::map<std::string, std::string> headers = {}) {
  return edge.post_protobuf("/v1/push", "", std::move(headers));
}

}  // namespace

void tls_required(Lab& lab) {
  auto& edge = lab.edge();
  const auto& certs = lab.certs();
  expect(attempt(edge, test::TlsClientOptions{certs / "ca.crt", certs / "client.crt",
                                              certs / "client.key"}) == 200,
         "a TLS client with a trusted certificate is refused");
  expect(attempt(edge, std::nullopt) == 0, "plain HTTP was answered on the TLS port");
}

void untrusted_client_certificate(Lab& lab) {
  auto& edge = lab.edge();
  const auto& certs = lab.certs();
  expect(attempt(edge, test::TlsClientOptions{certs / "ca.crt"}) == 0,
         "a TLS client without a certificate was answered under mTLS");
  expect(attempt(edge, test::TlsClientOptions{certs / "ca.crt", certs / "untrusted-client.crt",
                                              certs / "untrusted-client.key"}) == 0,
         "a client certificate from an untrusted CA was accepted under mTLS");
}

void rate_limit(Lab& lab) {
  auto& edge = lab.edge();
  // A fresh bucket holds 2 requests (SENTINEL_GATEWAY_RATE_LIMIT_IP_BURST).
  for (int i = 0; i < 2; ++i) {
    const auto reply = empty_push(edge);
    expect(reply.status == 400,
           fmt::format("request {} within the burst: {}", i + 1, describe(reply)));
  }
  const auto limited = empty_push(edge);
  expect_refused(limited, 429, "rate_limited", "the request after the burst");
  const auto retry_after = limited.header("retry-after");
  expect(!retry_after.empty() && std::all_of(retry_after.begin(), retry_after.end(), ::isdigit) &&
             std::stol(retry_after) >= 1,
         "429 without a Retry-After of whole seconds: '" + retry_after + "'");
}

void spoofed_forwarded_for(Lab& lab) {
  auto& edge = lab.edge();
  // 127.0.0.1 is not a trusted proxy (10.0.0.0/8 is), so the address it claims for its client
  // must not give it a fresh bucket. First its own bucket is emptied (S23 has done so already).
  const bool empty =
      test::eventually([&] { return empty_push(edge).status == 429; }, std::chrono::seconds(5));
  expect(empty, "the bucket of 127.0.0.1 never ran empty");
  for (const char* claimed : {"203.0.113.7", "10.1.2.3", "198.51.100.1, 203.0.113.9", "::1"}) {
    const auto reply = empty_push(edge, {{"X-Forwarded-For", claimed}, {"X-Real-IP", claimed}});
    expect_refused(reply, 429, "rate_limited",
                   fmt::format("X-Forwarded-For: {} from an untrusted peer", claimed));
  }
}

}  // namespace sentinel::security
