#include "agent/identity/identity_store.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/core/durable_file.hpp"

namespace sentinel::agent {
namespace {

constexpr std::string_view kMagic = "SNTID1\n";
constexpr std::string_view kPurpose = "sentinel agent state v1";
constexpr std::string_view kContext = "identity";
constexpr std::string_view kEnrollmentContext = "enrollment";
constexpr std::size_t kEnrollmentIdBytes = 16;

// Writes `content` sealed under `key` into `file` (mode 0600), creating its directory.
core::Status save_sealed(const std::filesystem::path& file, const core::SealingKey& key,
                         std::string_view content, std::string_view context) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  return core::write_file_atomically(file, std::string(kMagic) + key.seal(content, context), 0600);
}

nlohmann::json key_to_json(const AgentKey& key) {
  return {{"key_id", key.key_id},
          {"secret", core::to_base64url(key.secret)},
          {"expires_at_ms", key.expires_at_ms}};
}

std::optional<AgentKey> key_from_json(const nlohmann::json& json) {
  if (!json.is_object()) return std::nullopt;
  auto secret = core::from_base64url(json.value("secret", ""));
  if (!secret) return std::nullopt;
  return AgentKey{json.value("key_id", ""), std::move(*secret), json.value("expires_at_ms", 0LL)};
}

}  // namespace

IdentityStore::IdentityStore(std::filesystem::path file, std::string_view master_key)
    : file_(std::move(file)), key_(master_key, kPurpose) {}

core::Result<std::optional<Identity>> IdentityStore::load() const {
  auto content = core::read_whole_file(file_);
  if (!content) {
    if (content.error().code == "not_found") return std::optional<Identity>();
    return content.error();
  }
  auto corrupt = [&](std::string_view why) {
    return core::Error{"wrong_master_key",
                       fmt::format("cannot read the agent identity {}: {} (was master_key "
                                   "changed? restore it, or delete the file to enrol again)",
                                   file_.string(), why),
                       false};
  };
  if (!std::string_view(*content).starts_with(kMagic)) return corrupt("not an identity file");
  auto plain = key_.open(std::string_view(*content).substr(kMagic.size()), kContext);
  if (!plain) return corrupt("it does not decrypt with this master key");
  auto json = nlohmann::json::parse(*plain, nullptr, false);
  auto current = json.is_object() ? key_from_json(json["current"]) : std::nullopt;
  if (!current) return corrupt("its content is malformed");
  Identity identity{json.value("agent_id", ""), std::move(*current), std::nullopt};
  if (json.contains("previous")) identity.previous = key_from_json(json["previous"]);
  return std::optional(std::move(identity));
}

core::Status IdentityStore::save(const Identity& identity) const {
  nlohmann::json json = {{"agent_id", identity.agent_id},
                         {"current", key_to_json(identity.current)}};
  if (identity.previous) json["previous"] = key_to_json(*identity.previous);
  return save_sealed(file_, key_, json.dump(), kContext);
}

core::Result<std::string> IdentityStore::enrollment_id() const {
  const auto file = enrollment_file();
  auto content = core::read_whole_file(file);
  if (!content && content.error().code != "not_found") return content.error();
  if (content && std::string_view(*content).starts_with(kMagic)) {
    auto id = key_.open(std::string_view(*content).substr(kMagic.size()), kEnrollmentContext);
    if (id) return std::move(*id);
  }
  auto id = core::to_base64url(core::random_bytes(kEnrollmentIdBytes));
  if (auto saved = save_sealed(file, key_, id, kEnrollmentContext); !saved) return saved.error();
  return id;
}

core::Status IdentityStore::forget_enrollment() const {
  std::error_code ec;
  std::filesystem::remove(enrollment_file(), ec);
  if (ec) return core::system_error("io", "remove " + enrollment_file().string(), ec.value());
  return core::ok_status();
}

}  // namespace sentinel::agent
