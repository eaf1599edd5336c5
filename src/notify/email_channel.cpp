// The email channel: one plain-text mail per message to every recipient, handed to a smarthost
// over SMTP (smtp_client.hpp) with STARTTLS, implicit TLS, or, for a local relay only, none.

#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/client_tls.hpp"

#include "channel_support.hpp"
#include "channels.hpp"
#include "mail_message.hpp"

namespace sentinel::notify {
namespace {

struct Security {
  std::string_view name;
  std::string_view scheme;
  std::uint16_t default_port;
};
// STARTTLS on the submission port first: RFC 8314 prefers implicit TLS, but STARTTLS on 587 is
// what most providers and relays document.
constexpr Security kSecurities[] = {
    {"starttls", "smtp", 587}, {"implicit", "smtps", 465}, {"none", "smtp", 25}};

const Security* security(const Settings& s) {
  const auto name = setting(s, "tls", "starttls");
  for (const auto& candidate : kSecurities) {
    if (candidate.name == name) return &candidate;
  }
  return nullptr;
}

// The `to` list as written; an item that is not a string is an empty (invalid) one.
std::vector<std::string> recipients(const Settings& s) {
  std::vector<std::string> out;
  const auto it = s.find("to");
  if (it == s.end() || !it->is_array()) return out;
  for (const auto& item : *it)
    out.push_back(item.is_string() ? item.get<std::string>() : std::string());
  return out;
}

std::optional<std::string> check_types(const Settings& s) {
  for (auto key : {"username", "password", "subject_prefix", "tls_ca"}) {
    if (s.contains(key) && !s[key].is_string()) return fmt::format("{} must be a string", key);
  }
  if (s.contains("tls_skip_verify") && !s["tls_skip_verify"].is_boolean())
    return "tls_skip_verify must be true or false";
  return std::nullopt;
}

std::optional<std::string> check_addresses(const Settings& s) {
  if (!parse_mailbox(setting(s, "from")))
    return "from must be an address such as alerts@example.com or Sentinel <alerts@example.com>";
  const auto to = recipients(s);
  if (to.empty()) return "to must be a list of one or more addresses";
  for (const auto& address : to) {
    if (!parse_mailbox(address)) return fmt::format("to: \"{}\" is not an address", address);
  }
  return std::nullopt;
}

std::string body_text(const Message& m) {
  std::string text = m.summary() + "\n";
  for (const auto& a : m.alerts) {
    text += fmt::format("\n{} {} (severity {}, value {})\n", a.status, a.rule_name, a.severity,
                        a.value);
    text += fmt::format("Started: {}\n", iso8601(a.starts_at));
    if (a.ends_at != 0) text += fmt::format("Resolved: {}\n", iso8601(a.ends_at));
    text += "Labels:\n";
    for (const auto& [key, value] : a.labels)
      text += fmt::format("  {} = {}\n", key, value);
    if (!a.annotations.empty()) text += "Annotations:\n";
    for (const auto& [key, value] : a.annotations)
      text += fmt::format("  {} = {}\n", key, value);
  }
  return text +
         fmt::format("\n-- \nsentineld notifier \"{}\", group {}\n", m.notifier, m.group_key);
}

class EmailChannel final : public Channel {
 public:
  std::string_view type() const override { return "email"; }
  std::vector<std::string_view> secret_keys() const override { return {"password"}; }

  std::optional<std::string> check(const Settings& s) const override {
    const auto* tls = security(s);
    if (tls == nullptr) return "tls must be starttls, implicit or none";
    if (setting(s, "smarthost").empty()) return "smarthost is required";
    if (!http::parse_host_port(setting(s, "smarthost"), tls->default_port))
      return "smarthost must be host:port";
    if (auto problem = check_types(s)) return problem;
    if (!setting(s, "username").empty() && setting(s, "password").empty())
      return "password is required with username";
    return check_addresses(s);
  }

  std::vector<ChannelRequest> format(const Message& m, const Settings& s) const override {
    const auto* tls = security(s);
    const auto server = http::parse_host_port(setting(s, "smarthost"), tls->default_port);
    // check() passed: every mailbox parses.
    const auto from = parse_mailbox(setting(s, "from")).value();
    std::vector<Mailbox> to;
    std::vector<std::string> addresses;
    for (const auto& text : recipients(s)) {
      to.push_back(parse_mailbox(text).value());
      addresses.push_back(to.back().address);
    }
    MailEnvelope envelope{from.address,
                          std::move(addresses),
                          tls->name == "starttls",
                          setting(s, "username"),
                          setting(s, "password"),
                          setting(s, "tls_ca"),
                          s.value("tls_skip_verify", false)};
    const auto prefix = setting(s, "subject_prefix");
    MailHeaders headers{from, to, prefix.empty() ? m.title() : prefix + " " + m.title(),
                        core::unix_ms(), message_id(from.address)};
    ChannelRequest request;
    request.url = server->host.find(':') != std::string::npos
                      ? fmt::format("{}://[{}]:{}", tls->scheme, server->host, server->port)
                      : fmt::format("{}://{}:{}", tls->scheme, server->host, server->port);
    request.body = compose_mail(headers, body_text(m));
    request.mail = std::move(envelope);
    return {request};
  }

 private:
  // Unique per attempt; the sender's domain keeps it from looking forged to spam filters.
  static std::string message_id(const std::string& from) {
    return fmt::format("{}.{}@{}", core::to_hex(core::random_bytes(12)), core::unix_ms(),
                       from.substr(from.rfind('@') + 1));
  }
};

}  // namespace

void add_email_channel(std::vector<std::unique_ptr<Channel>>& out) {
  out.push_back(std::make_unique<EmailChannel>());
}

}  // namespace sentinel::notify
