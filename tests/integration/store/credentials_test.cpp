#include <algorithm>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "backends.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;

namespace {

template <class Backend>
struct Vault {
  Backend backend;
  std::unique_ptr<OpenStore> store = backend.open();

  template <class Work>
  auto run(Work work) {
    auto result = store->run(std::move(work));
    REQUIRE(result);
    return std::move(*result);
  }
};

std::vector<std::string> key_ids(const std::vector<AgentKey>& keys) {
  std::vector<std::string> ids;
  for (const auto& key : keys)
    ids.push_back(key.key_id);
  return ids;
}

}  // namespace

TEMPLATE_TEST_CASE("credentials: a retired key stays valid until its grace period ends",
                   "[credentials]", SqliteBackend, PostgresBackend) {
  Vault<TestType> vault;
  const auto agent = test_agent("keyed");
  create_agent(*vault.store, agent);
  const AgentKey first{agent.id, "key_1", "sealed-1", 1000, std::nullopt};
  vault.run([&](Session& s) {
    s.credentials().add_key(first);
    return core::Unit{};
  });
  CHECK(vault.run([&](Session& s) { return s.credentials().valid_keys(agent.id, 1500); }) ==
        std::vector<AgentKey>{first});

  const AgentKey second{agent.id, "key_2", "sealed-2", 2000, std::nullopt};
  vault.run([&](Session& s) {
    s.transaction([&] {
      CHECK(s.credentials().retire_current_key(agent.id, 5000) == 1);
      s.credentials().add_key(second);
    });
    return core::Unit{};
  });
  CHECK(key_ids(vault.run([&](Session& s) {
          return s.credentials().valid_keys(agent.id, 4999);
        })) == std::vector<std::string>{"key_2", "key_1"});
  CHECK(key_ids(vault.run([&](Session& s) {
          return s.credentials().valid_keys(agent.id, 5000);
        })) == std::vector<std::string>{"key_2"});
  // Keys go with their agent.
  vault.run([&](Session& s) { return s.agents().remove(agent.id); });
  CHECK(vault.run([&](Session& s) { return s.credentials().valid_keys(agent.id, 0); }).empty());
}

TEMPLATE_TEST_CASE("credentials: a bootstrap token is used up, expires and can be revoked",
                   "[credentials]", SqliteBackend, PostgresBackend) {
  Vault<TestType> vault;
  const BootstrapToken token{"bst_1", "web-01", 2, 10'000, 1000, std::nullopt};
  vault.run([&](Session& s) {
    s.credentials().create_bootstrap_token(token, "hash-1");
    return core::Unit{};
  });
  auto consume = [&](std::string hash, std::int64_t now) {
    return vault.run(
        [&](Session& s) { return s.credentials().consume_bootstrap_token(hash, now); });
  };
  CHECK_FALSE(consume("hash-other", 2000));
  CHECK_FALSE(consume("hash-1", 10'000));  // expired
  auto used = consume("hash-1", 2000);
  REQUIRE(used);
  CHECK(used->name == "web-01");
  CHECK(used->uses_left == 1);
  CHECK(consume("hash-1", 2000));
  CHECK_FALSE(consume("hash-1", 2000));  // used up

  const BootstrapToken other{"bst_2", "web-02", 5, 10'000, 1001, std::nullopt};
  vault.run([&](Session& s) {
    s.credentials().create_bootstrap_token(other, "hash-2");
    return core::Unit{};
  });
  CHECK(
      vault.run([&](Session& s) { return s.credentials().revoke_bootstrap_token("bst_2", 3000); }));
  CHECK_FALSE(consume("hash-2", 3001));
  const auto listed =
      vault.run([&](Session& s) { return s.credentials().list_bootstrap_tokens(); });
  REQUIRE(listed.size() == 2);
  CHECK(listed.front().id == "bst_2");
  CHECK(listed.front().revoked_at == 3000);
}

TEMPLATE_TEST_CASE("credentials: API tokens are found by hash, revoked and touched",
                   "[credentials]", SqliteBackend, PostgresBackend) {
  Vault<TestType> vault;
  const ApiToken token{"tok_1", "ci", "admin", 50'000, 1000, std::nullopt, std::nullopt};
  vault.run([&](Session& s) {
    s.credentials().create_api_token(token, "h1");
    return core::Unit{};
  });
  CHECK(vault.run([&](Session& s) { return s.credentials().find_api_token("h1"); }) == token);
  CHECK_FALSE(vault.run([&](Session& s) { return s.credentials().find_api_token("h2"); }));
  vault.run([&](Session& s) {
    s.credentials().touch_api_token("tok_1", 2000);
    return s.credentials().revoke_api_token("tok_1", 3000);
  });
  auto found = vault.run([&](Session& s) { return s.credentials().find_api_token("h1"); });
  REQUIRE(found);
  CHECK(found->last_used_at == 2000);
  CHECK(found->revoked_at == 3000);
  CHECK_FALSE(vault.run([&](Session& s) { return s.credentials().revoke_api_token("nope", 1); }));
  CHECK(vault.run([&](Session& s) { return s.credentials().list_api_tokens(); }).size() == 1);
}

TEMPLATE_TEST_CASE("credentials: a nonce is refused until it expires", "[credentials]",
                   SqliteBackend, PostgresBackend) {
  Vault<TestType> vault;
  auto remember = [&](std::string nonce, std::int64_t expires, std::int64_t now) -> bool {
    const std::vector<NonceUse> uses{{"agt", nonce, expires}};
    return vault.run([&](Session& s) { return s.credentials().remember_nonces(uses, now); })[0];
  };
  CHECK(remember("n1", 5000, 1000));
  CHECK_FALSE(remember("n1", 6000, 2000));
  CHECK(remember("n2", 5000, 2000));
  CHECK(remember("n1", 9000, 5000));  // the first one expired: taken over
  CHECK(vault.run([&](Session& s) { return s.credentials().purge_expired(5001); }) == 1);
  CHECK_FALSE(remember("n1", 9500, 6000));
}

TEMPLATE_TEST_CASE(
    "credentials: an enrolment is found by its id until it expires or its agent goes",
    "[credentials]", SqliteBackend, PostgresBackend) {
  Vault<TestType> vault;
  const auto first = test_agent("first");
  const auto second = test_agent("second");
  create_agent(*vault.store, first);
  create_agent(*vault.store, second);
  vault.run([&](Session& s) {
    s.credentials().record_enrollment("h1", first.id, 5000);
    s.credentials().record_enrollment("h2", second.id, 9000);
    return core::Unit{};
  });
  auto found = [&](std::string hash, std::int64_t now) {
    return vault.run([&](Session& s) { return s.credentials().enrolled_agent(hash, now); });
  };
  CHECK(found("h1", 4999) == first.id);
  CHECK_FALSE(found("h1", 5000));
  CHECK_FALSE(found("h3", 1000));
  CHECK(vault.run([&](Session& s) { return s.credentials().purge_expired(5000); }) == 1);
  CHECK(found("h2", 5000) == second.id);
  CHECK(vault.run([&](Session& s) { return s.agents().remove(second.id); }));
  CHECK_FALSE(found("h2", 1000));
}

TEMPLATE_TEST_CASE("credentials: nonces remembered together answer each use", "[credentials]",
                   SqliteBackend, PostgresBackend) {
  Vault<TestType> vault;
  auto remember = [&](const std::vector<NonceUse>& uses) {
    return vault.run([&](Session& s) { return s.credentials().remember_nonces(uses, 1000); });
  };
  REQUIRE(remember({{"a1", "seen", 9000}}) == std::vector<bool>{true});

  // A replay of a stored nonce, a nonce twice in the call, the same nonce of another agent.
  const std::vector<NonceUse> mixed{
      {"a1", "new", 9000}, {"a1", "seen", 9000}, {"a1", "new", 9000}, {"a2", "new", 9000}};
  CHECK(remember(mixed) == std::vector<bool>{true, false, false, true});

  // More uses than one statement carries (chunks of 256, 32, 8 and 4 rows).
  std::vector<NonceUse> many;
  for (int i = 0; i < 300; ++i)
    many.push_back({"a3", fmt::format("n{}", i), 9000});
  many.push_back({"a1", "seen", 9000});
  auto fresh = remember(many);
  REQUIRE(fresh.size() == many.size());
  CHECK(std::count(fresh.begin(), fresh.end(), true) == 300);
  CHECK_FALSE(fresh.back());
  CHECK(remember(many) == std::vector<bool>(many.size(), false));
}

TEMPLATE_TEST_CASE("credentials: put_* insert or replace keys and tokens, hashes included",
                   "[credentials]", SqliteBackend, PostgresBackend) {
  Vault<TestType> c;
  const auto agent = test_agent("keyed");
  create_agent(*c.store, agent);
  AgentKey key{agent.id, "key_1", "sealed-1", 1000, std::nullopt};
  Hashed<BootstrapToken> bootstrap{{"bt_1", "edge", 2, 90'000, 1000, std::nullopt}, "bh"};
  Hashed<ApiToken> api{{"tok_1", "ci", "viewer", std::nullopt, 1000, std::nullopt, 2000}, "ah"};
  auto put_all = [&] {
    c.run([&](Session& s) {
      s.credentials().put_key(key);
      s.credentials().put_bootstrap_token(bootstrap);
      s.credentials().put_api_token(api);
      return core::Unit{};
    });
  };
  put_all();
  key.retires_at = 5000;
  bootstrap.token.uses_left = 0;
  api.token.revoked_at = 3000;
  put_all();
  CHECK(c.run([&](Session& s) { return s.credentials().valid_keys(agent.id, 0); }) ==
        std::vector<AgentKey>{key});
  CHECK(c.run([](Session& s) { return s.credentials().hashed_bootstrap_tokens(); }) ==
        std::vector<Hashed<BootstrapToken>>{bootstrap});
  CHECK(c.run([](Session& s) { return s.credentials().hashed_api_tokens(); }) ==
        std::vector<Hashed<ApiToken>>{api});
  CHECK(c.run([](Session& s) { return s.credentials().find_api_token("ah"); }) == api.token);
}
