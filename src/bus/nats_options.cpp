#include "nats_options.hpp"

#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace sentinel::bus {
namespace {

void check(natsStatus status, std::string_view key) {
  if (status != NATS_OK)
    throw std::runtime_error(fmt::format("bus.{}: {}", key, nats_error(status)));
}

void set_auth(natsOptions* options, const NatsAuth& auth) {
  if (!auth.user.empty()) {
    check(natsOptions_SetUserInfo(options, auth.user.c_str(), auth.password.reveal().c_str()),
          "auth.user");
  }
  if (!auth.token.empty())
    check(natsOptions_SetToken(options, auth.token.reveal().c_str()), "auth.token");
  if (!auth.nkey_seed_file.empty()) {
    check(natsOptions_SetNKeyFromSeed(options, auth.nkey.c_str(), auth.nkey_seed_file.c_str()),
          "auth.nkey_seed_file");
  }
  if (!auth.creds_file.empty()) {
    check(natsOptions_SetUserCredentialsFromFiles(options, auth.creds_file.c_str(), nullptr),
          "auth.creds_file");
  }
}

void set_tls(natsOptions* options, const NatsTls& tls) {
  if (!tls.enabled()) return;
  check(natsOptions_SetSecure(options, true), "tls.required");
  if (!tls.ca.empty())
    check(natsOptions_LoadCATrustedCertificates(options, tls.ca.c_str()), "tls.ca");
  if (!tls.cert.empty()) {
    check(natsOptions_LoadCertificatesChain(options, tls.cert.c_str(), tls.key.c_str()),
          "tls.cert");
  }
}

}  // namespace

OptionsHandle make_nats_options(const BusComponent::Config& config) {
  natsOptions* raw = nullptr;
  check(natsOptions_Create(&raw), "url");
  OptionsHandle options(raw);
  std::vector<const char*> servers;
  for (const auto& url : config.url)
    servers.push_back(url.c_str());
  check(natsOptions_SetServers(raw, servers.data(), static_cast<int>(servers.size())), "url");
  check(natsOptions_SetName(raw, config.name.c_str()), "name");
  // Never give up: a broker outage is answered with "unavailable" until it ends.
  check(natsOptions_SetMaxReconnect(raw, -1), "url");
  set_auth(raw, config.auth);
  set_tls(raw, config.tls);
  return options;
}

}  // namespace sentinel::bus
