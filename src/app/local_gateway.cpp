#include "local_gateway.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <fmt/format.h>

#include "sentinel/gateway/auth.hpp"
#include "sentinel/gateway/gateway.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::app {
namespace {

// Long enough for a slow first enrolment, short enough that a leaked token is soon useless.
constexpr auto kBootstrapTtl = std::chrono::minutes(10);

bool has_admin_token(store::Session& session) {
  for (const auto& token : session.credentials().list_api_tokens()) {
    if (token.role == gateway::kAdmin && !token.revoked_at) return true;
  }
  return false;
}

// The name the local agent enrols under.
std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

InProcessGateway::InProcessGateway(const Config&, core::ComponentContext& context)
    : process_(context.process()),
      io_(context.io()),
      http_(context.get<http::Server>()),
      store_(context.get<store::StoreComponent>().store()),
      log_(context.logger("sentineld")),
      tasks_(log_) {
  // The gateway must be serving before the agent pushes to it.
  context.get<gateway::Gateway>();
}

void InProcessGateway::start() {
  log_.info("data: {}", process_.data_dir.string());
  log_.info("dashboard and API: {}/api/v1", url());
  tasks_.spawn(boost::asio::make_strand(io_), ensure_admin_token(), "first admin token");
}

void InProcessGateway::stop(core::Deadline deadline) {
  tasks_.cancel();
  tasks_.wait(deadline);
}

std::string InProcessGateway::url() const {
  return fmt::format("{}://{}", http_.tls() ? "https" : "http", http_.endpoint().to_string());
}

boost::asio::awaitable<core::Result<core::Secret>> InProcessGateway::bootstrap_token() {
  auto minted = co_await gateway::mint_bootstrap_token(store_, host_name(), 1, kBootstrapTtl);
  if (!minted) co_return minted.error();
  co_return core::Secret(std::move(minted->token));
}

boost::asio::awaitable<void> InProcessGateway::ensure_admin_token() {
  auto exists = co_await store_.run(
      [](store::Session& session) { return has_admin_token(session); }, store::Access::kRead);
  if (!exists) {
    log_.error("cannot check for an admin token: {}", exists.error().message);
    co_return;
  }
  if (*exists) {
    log_.info(
        "API tokens: `sentineld token create --role viewer` makes one (the first admin "
        "token was printed on the first start)");
    co_return;
  }
  auto minted = co_await gateway::mint_api_token(
      store_, "first-admin", std::string(gateway::kAdmin), core::Duration::zero());
  if (!minted) {
    log_.error("cannot create the first admin token: {}", minted.error().message);
    co_return;
  }
  log_.warn("first admin token (shown once, only its hash is kept): {}", minted->token);
}

}  // namespace sentinel::app
