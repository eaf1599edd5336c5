#include "services.hpp"

#include <fmt/format.h>

namespace sentinel::gateway {

std::optional<http::Response> Services::limit(RateLimiter& limiter, const std::string& key,
                                              std::string_view scope) {
  const auto wait = limiter.take(key);
  if (!wait) return std::nullopt;
  metrics.rate_limited.with({std::string(scope)}).inc();
  auto response = http::error_response(
      429, "rate_limited", fmt::format("too many requests from this {}; slow down", scope));
  const auto seconds =
      std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(*wait).count());
  response.headers.set("Retry-After", std::to_string(seconds));
  return response;
}

http::Response protobuf_response(const google::protobuf::Message& message) {
  http::Response response{200, {}, message.SerializeAsString(), {}};
  response.headers.set("Content-Type", "application/x-protobuf");
  return response;
}

std::optional<v1::KeyRotation> pending_rotation(const AgentKeys& keys, const SigningKey& signing) {
  const auto* current = keys.current();
  if (!current || current->key_id == signing.key_id) return std::nullopt;
  v1::KeyRotation rotation;
  rotation.set_key_id(current->key_id);
  rotation.set_sealed_secret(
      proto::seal_rotated_secret(signing.secret, current->key_id, current->secret));
  rotation.set_previous_key_expires_at_ms(signing.retires_at.value_or(0));
  return rotation;
}

}  // namespace sentinel::gateway
