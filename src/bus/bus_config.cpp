#include "sentinel/bus/bus_component.hpp"

#include "backend.hpp"

namespace sentinel::bus {
namespace {

using namespace std::chrono_literals;
using core::Duration;
using core::Range;

constexpr std::string_view kUnlimited = "unlimited";

void require_file(core::ConfigSection& section, std::string_view key,
                  const std::filesystem::path& path) {
  std::error_code ec;
  if (!path.empty() && !std::filesystem::is_regular_file(path, ec))
    section.fail(key, "a readable file");
}

void parse_urls(core::ConfigSection& section, std::vector<std::string>& urls) {
  section.read("url", urls, core::mask_url_password);
  if (urls.size() == 1 && urls.front() == "inproc") return;
  for (const auto& url : urls) {
    if (!url.starts_with("nats://") && !url.starts_with("tls://")) {
      section.fail("url", "inproc, or NATS URLs like nats://host:4222 (a list or comma-separated)");
      return;
    }
  }
}

void parse_stream(core::ConfigSection section, StreamSettings& stream) {
  section.read("name", stream.name);
  if (!valid_name(stream.name)) section.fail("name", "a stream name without . * > or spaces");
  section.read("subjects", stream.subjects);
  if (stream.subjects.empty())
    section.fail("subjects", "at least one subject, like sentinel.metrics.>");
  section.read("max_age", stream.max_age, Range<Duration>{0ms, std::chrono::days(36'500)});
  std::string max_bytes =
      stream.max_bytes < 0 ? std::string(kUnlimited) : std::to_string(stream.max_bytes);
  section.read("max_bytes", max_bytes);
  if (max_bytes == kUnlimited || max_bytes == "-1") {
    stream.max_bytes = -1;
  } else if (auto size = core::parse_byte_size(max_bytes); size && size->bytes > 0) {
    stream.max_bytes = static_cast<std::int64_t>(size->bytes);
  } else {
    section.fail("max_bytes", "a size like 10GiB, or unlimited");
  }
  section.read("duplicate_window", stream.duplicate_window, Range<Duration>{100ms, 7 * 24h});
  if (stream.max_age > 0ms && stream.duplicate_window > stream.max_age)
    section.fail("duplicate_window", "a window no longer than max_age");
  section.read("replicas", stream.replicas, Range<int>{1, 5});
}

void parse_auth(core::ConfigSection section, NatsAuth& auth) {
  section.read("user", auth.user);
  section.read("password", auth.password, core::SecretKind::kExternal, false);
  section.read("token", auth.token, core::SecretKind::kExternal, false);
  section.read("nkey", auth.nkey);
  section.read("nkey_seed_file", auth.nkey_seed_file);
  section.read("creds_file", auth.creds_file);
  if (!auth.password.empty() && auth.user.empty())
    section.fail("password", "auth.user as well: a password belongs to a user");
  if (!auth.token.empty() && !auth.user.empty())
    section.fail("token", "either auth.token or auth.user, not both");
  if (!auth.nkey_seed_file.empty() && !auth.creds_file.empty())
    section.fail("creds_file", "either auth.creds_file or auth.nkey_seed_file, not both");
  if (auth.nkey.empty() != auth.nkey_seed_file.empty())
    section.fail(auth.nkey.empty() ? "nkey" : "nkey_seed_file",
                 "auth.nkey (the public key) and auth.nkey_seed_file to be set together");
  require_file(section, "nkey_seed_file", auth.nkey_seed_file);
  require_file(section, "creds_file", auth.creds_file);
}

void parse_tls(core::ConfigSection section, NatsTls& tls) {
  section.read("required", tls.required);
  section.read("ca", tls.ca);
  section.read("cert", tls.cert);
  section.read("key", tls.key);
  if (tls.cert.empty() != tls.key.empty())
    section.fail(tls.cert.empty() ? "cert" : "key", "tls.cert and tls.key to be set together");
  require_file(section, "ca", tls.ca);
  require_file(section, "cert", tls.cert);
  require_file(section, "key", tls.key);
}

}  // namespace

BusComponent::Config BusComponent::Config::parse(core::ConfigSection& section) {
  Config config;
  parse_urls(section, config.url);
  section.read("name", config.name);
  parse_stream(section.child("stream"), config.stream);
  parse_auth(section.child("auth"), config.auth);
  parse_tls(section.child("tls"), config.tls);
  section.read("max_pending", config.max_pending, Range<std::size_t>{1, 1'000'000});
  section.read("publish_timeout", config.publish_timeout, Range<Duration>{100ms, 5min});
  section.read("api_timeout", config.api_timeout, Range<Duration>{100ms, 5min});
  section.read("reconnect_wait", config.reconnect_wait, Range<Duration>{10ms, 1min});
  section.read("reconnect_wait_max", config.reconnect_wait_max, Range<Duration>{10ms, 10min});
  if (config.reconnect_wait_max < config.reconnect_wait)
    section.fail("reconnect_wait_max", "a duration no shorter than reconnect_wait");
  section.read("fetch_threads", config.fetch_threads, Range<int>{1, 64});
  section.read("inproc_queue_size", config.inproc_queue_size, Range<std::size_t>{1, 10'000'000});
  return config;
}

}  // namespace sentinel::bus
