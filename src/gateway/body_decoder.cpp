#include "body_decoder.hpp"

#include <memory>
#include <zlib.h>
#include <zstd.h>

#include <fmt/format.h>

namespace sentinel::gateway {
namespace {

constexpr std::string_view kProtobuf = "application/x-protobuf";
constexpr std::size_t kChunk = 64 * 1024;

struct TooLarge {};
struct Corrupt {};
using Decoded = std::variant<std::string, TooLarge, Corrupt>;

// Streams through ZSTD_decompressStream, which trusts no size written in the frame header.
Decoded unzstd(std::string_view in, std::size_t max_bytes) {
  std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> stream(ZSTD_createDStream(),
                                                                    &ZSTD_freeDStream);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::string out;
  std::size_t last = 1;
  while (input.pos < input.size || last != 0) {
    const auto used = out.size();
    out.resize(used + kChunk);
    ZSTD_outBuffer output{out.data() + used, kChunk, 0};
    last = ZSTD_decompressStream(stream.get(), &output, &input);
    out.resize(used + output.pos);
    if (ZSTD_isError(last)) return Corrupt{};
    if (out.size() > max_bytes) return TooLarge{};
    // The input is used up but the frame is not complete: truncated.
    if (input.pos == input.size && output.pos == 0 && last != 0) return Corrupt{};
  }
  return out;
}

// gzip (and zlib) through inflate, chunk by chunk, with the same cap.
Decoded gunzip(std::string_view in, std::size_t max_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 32) != Z_OK) return Corrupt{};
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&stream, &inflateEnd);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream.avail_in = static_cast<uInt>(in.size());
  std::string out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const auto used = out.size();
    out.resize(used + kChunk);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    stream.avail_out = kChunk;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.resize(used + kChunk - stream.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END) return Corrupt{};
    if (out.size() > max_bytes) return TooLarge{};
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) return Corrupt{};
  }
  return out;
}

bool is_protobuf(std::string_view content_type) {
  const auto end = content_type.find(';');
  auto type = content_type.substr(0, end);
  while (!type.empty() && type.back() == ' ')
    type.remove_suffix(1);
  return type == kProtobuf;
}

http::Response too_large(std::size_t max_bytes) {
  return http::error_response(413, "body_too_large",
                              fmt::format("the decompressed body exceeds {} bytes", max_bytes));
}

}  // namespace

std::variant<std::string, http::Response> decode_body(const http::Request& request,
                                                      std::size_t max_bytes) {
  const auto content_type = request.headers.get("Content-Type");
  if (!content_type || !is_protobuf(*content_type)) {
    return http::error_response(415, "unsupported_media_type",
                                fmt::format("Content-Type must be {}", kProtobuf));
  }
  const auto encoding = request.headers.get("Content-Encoding").value_or("identity");
  Decoded decoded;
  if (encoding == "identity") {
    if (request.body.size() > max_bytes) return too_large(max_bytes);
    return request.body;
  } else if (encoding == "zstd") {
    decoded = unzstd(request.body, max_bytes);
  } else if (encoding == "gzip") {
    decoded = gunzip(request.body, max_bytes);
  } else {
    return http::error_response(
        415, "unsupported_media_type",
        fmt::format("Content-Encoding {} is not supported (identity, zstd, gzip)", encoding));
  }
  if (std::holds_alternative<TooLarge>(decoded)) return too_large(max_bytes);
  if (std::holds_alternative<Corrupt>(decoded)) {
    return http::error_response(400, "malformed_request",
                                fmt::format("the body is not valid {} data", encoding));
  }
  return std::move(std::get<std::string>(decoded));
}

}  // namespace sentinel::gateway
