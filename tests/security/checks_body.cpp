// S16-S20: what the push endpoint does with bodies no agent sends.

#include <zlib.h>
#include <zstd.h>

#include <fmt/format.h>

#include "checks.hpp"
#include "lab.hpp"

namespace sentinel::security {
namespace {

constexpr std::size_t kLimit = 1024 * 1024;  // SENTINEL_GATEWAY_MAX_REQUEST_BYTES of main()
constexpr std::size_t kBomb = 64 * kLimit;   // what the bombs expand to

std::string zstd_of(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const auto size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  expect(!ZSTD_isError(size), "ZSTD_compress failed");
  out.resize(size);
  return out;
}

std::string gzip_of(const std::string& data) {
  z_stream stream{};
  expect(
      deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK,
      "deflateInit2 failed");
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  expect(rc == Z_STREAM_END, "deflate failed");
  return out;
}

// The gateway still answers after the request.
void expect_alive(Deployment& gateway, std::string_view after) {
  const auto health = gateway.request("GET", "/healthz");
  expect(health.status == 200, fmt::format("/healthz after {}: {}", after, describe(health)));
}

}  // namespace

void oversized_body(Lab& lab) {
  auto& gateway = lab.main();
  expect_refused(gateway.post_protobuf("/v1/push", std::string(kLimit + 1, 'x')), 413,
                 "body_too_large", "a push of 1 MiB + 1 byte");
  expect_refused(gateway.post_protobuf("/v1/agents/enroll", std::string(kLimit + 1, 'x')), 413,
                 "body_too_large", "an enrolment of 1 MiB + 1 byte");
  expect_alive(gateway, "an oversized body");
}

void decompression_bomb(Lab& lab) {
  auto& gateway = lab.main();
  const std::string zeros(kBomb, '\0');
  const auto zstd = zstd_of(zeros);
  const auto gzip = gzip_of(zeros);
  expect(zstd.size() < kLimit && gzip.size() < kLimit, "the bombs are not small");
  expect_refused(gateway.post_protobuf("/v1/push", zstd, {{"Content-Encoding", "zstd"}}), 413,
                 "body_too_large",
                 fmt::format("{} bytes of zstd expanding to 64 MiB", zstd.size()));
  expect_refused(gateway.post_protobuf("/v1/push", gzip, {{"Content-Encoding", "gzip"}}), 413,
                 "body_too_large",
                 fmt::format("{} bytes of gzip expanding to 64 MiB", gzip.size()));
  expect_alive(gateway, "decompression bombs");
}

void unknown_encoding(Lab& lab) {
  auto& gateway = lab.main();
  const std::string body = "\x0a\x00";
  for (const char* encoding : {"br", "deflate", "compress", "zstd, gzip"}) {
    expect_refused(gateway.post_protobuf("/v1/push", body, {{"Content-Encoding", encoding}}), 415,
                   "unsupported_media_type", fmt::format("Content-Encoding: {}", encoding));
  }
  for (const char* type : {"application/json", "text/plain", "application/x-protobufx"}) {
    expect_refused(gateway.post_protobuf("/v1/push", body, {{"Content-Type", type}}), 415,
                   "unsupported_media_type", fmt::format("Content-Type: {}", type));
  }
}

void malformed_protobuf(Lab& lab) {
  auto& gateway = lab.main();
  expect_refused(gateway.post_protobuf("/v1/push", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"), 400,
                 "malformed_request", "bytes that are not a PushRequest");
  expect_refused(gateway.post_protobuf("/v1/push", ""), 400, "malformed_request", "an empty push");
  expect_refused(gateway.post_protobuf("/v1/agents/enroll", "\x0a\xff\xff\xff\x0f"), 400,
                 "malformed_request", "bytes that are not an EnrollRequest");
  auto truncated = zstd_of(std::string(4096, 'a'));
  truncated.resize(truncated.size() / 2);
  expect_refused(gateway.post_protobuf("/v1/push", truncated, {{"Content-Encoding", "zstd"}}), 400,
                 "malformed_request", "a truncated zstd frame");
  expect_refused(
      gateway.post_protobuf("/v1/push", "not gzip at all", {{"Content-Encoding", "gzip"}}), 400,
      "malformed_request", "gzip that is not gzip");
  expect_alive(gateway, "malformed bodies");
}

void malformed_strings_not_logged(Lab& lab) {
  auto& gateway = lab.main();
  // A PushRequest whose one SignedBatch has an agent_id of invalid UTF-8 (0xC3 0x28).
  const std::string push = "\x0a\x04\x32\x02\xc3\x28";
  const auto before = gateway.log().size();
  for (int i = 0; i < 5; ++i) {
    expect_refused(gateway.post_protobuf("/v1/push", push), 400, "malformed_request",
                   "a string field of invalid UTF-8");
  }
  expect_alive(gateway, "strings of invalid UTF-8");
  const auto written = gateway.log().substr(before);
  expect(written.find("libprotobuf") == std::string::npos,
         "an unauthenticated client writes to the log at will: " + written.substr(0, 200));
}

}  // namespace sentinel::security
