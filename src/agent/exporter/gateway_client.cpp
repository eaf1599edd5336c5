#include "agent/exporter/gateway_client.hpp"

#include <algorithm>
#include <cassert>
#include <ctime>
#include <zstd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/core/version.hpp"

namespace sentinel::agent {
namespace {

// Bodies smaller than this gain too little from compression to pay for it.
constexpr std::size_t kCompressAbove = 512;

http::ClientOptions client_options(const AgentConfig& config) {
  http::ClientOptions options;
  options.tls = {config.tls_ca, config.tls_cert, config.tls_key};
  options.connect_timeout = config.connect_timeout;
  options.request_timeout = config.request_timeout;
  options.user_agent = fmt::format("sentineld-agent/{}", core::version());
  return options;
}

void read_error_body(const std::string& body, GatewayReply& reply) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    // Fields of another type read as empty: a reply must never throw out of the exporter.
    const auto text = [&](const char* key) {
      const auto& field = json["error"].value(key, nlohmann::json());
      return field.is_string() ? field.get<std::string>() : std::string();
    };
    reply.error_code = text("code");
    reply.error_message = text("message");
  } else {
    reply.error_message = body.substr(0, 200);
  }
}

}  // namespace

std::string GatewayReply::describe() const {
  if (status == 0) return fmt::format("no response ({}: {})", error_code, error_message);
  if (error_code.empty()) return fmt::format("HTTP {}", status);
  return fmt::format("HTTP {} {}: {}", status, error_code, error_message);
}

std::optional<core::Duration> parse_retry_after(std::string_view text,
                                                std::chrono::system_clock::time_point now) {
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 9) return std::nullopt;
    return std::chrono::seconds(std::stoll(std::string(text)));
  }
  std::tm tm{};
  const std::string copy(text);
  const char* end = ::strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto when = std::chrono::system_clock::from_time_t(::timegm(&tm));
  return std::max(core::Duration::zero(), std::chrono::duration_cast<core::Duration>(when - now));
}

std::string zstd_compress(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  // Only a bug (a buffer smaller than the bound) makes this fail.
  assert(!ZSTD_isError(size));
  out.resize(size);
  return out;
}

GatewayClient::GatewayClient(boost::asio::any_io_executor executor, const AgentConfig& config)
    : client_(std::move(executor), *http::parse_url(config.gateway_url), client_options(config)),
      compress_(config.compression == Compression::kZstd) {
  prefix_ = client_.origin().target;
  while (prefix_.ends_with('/'))
    prefix_.pop_back();
}

boost::asio::awaitable<GatewayReply> GatewayClient::post(std::string_view path, std::string body) {
  http::ClientRequest request;
  request.method = http::Method::kPost;
  request.target = prefix_ + std::string(path);
  request.headers.set("Content-Type", "application/x-protobuf");
  request.headers.set("Accept", "application/x-protobuf");
  if (compress_ && body.size() > kCompressAbove) {
    body = zstd_compress(body);
    request.headers.set("Content-Encoding", "zstd");
  }
  request.body = std::move(body);
  auto response = co_await client_.send(std::move(request));
  GatewayReply reply;
  if (!response) {
    reply.error_code = response.error().code;
    reply.error_message = response.error().message;
    co_return reply;
  }
  reply.status = response->status;
  if (auto retry_after = response->headers.get("Retry-After")) {
    reply.retry_after = parse_retry_after(*retry_after, std::chrono::system_clock::now());
  }
  if (reply.status == 200) {
    reply.body = std::move(response->body);
  } else {
    read_error_body(response->body, reply);
  }
  co_return reply;
}

}  // namespace sentinel::agent
