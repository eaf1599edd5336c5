#pragma once
// The credential repository, written once over a backend's `Sql` adaptor: both backends store
// times as Unix milliseconds in these tables and accept the same SQL (ON CONFLICT, RETURNING),
// so only how a statement is run differs. `Sql` provides
//   std::int64_t change(sql, args...)                       rows changed
//   std::vector<T> select<T>(sql, read(Row&) -> T, args...)  rows read
//   std::vector<T> select_bound<T>(sql, read, bind(add))     rows read, with as many
//                                                            parameters as bind() add()s
// with parameters written $1, $2, ...

#include <algorithm>
#include <bit>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sentinel/store/credentials.hpp"

#include "agent_rows.hpp"

namespace sentinel::store {

template <class Row>
AgentKey read_agent_key(Row& row) {
  AgentKey key;
  key.agent_id = row.text();
  key.key_id = row.text();
  key.sealed_secret = row.text();
  key.created_at = row.int64();
  key.retires_at = row.optional_int64();
  return key;
}

template <class Row>
BootstrapToken read_bootstrap_token(Row& row) {
  BootstrapToken token;
  token.id = row.text();
  token.name = row.text();
  token.uses_left = row.int64();
  token.expires_at = row.int64();
  token.created_at = row.int64();
  token.revoked_at = row.optional_int64();
  return token;
}

template <class Row>
ApiToken read_api_token(Row& row) {
  ApiToken token;
  token.id = row.text();
  token.name = row.text();
  token.role = row.text();
  token.expires_at = row.optional_int64();
  token.created_at = row.int64();
  token.revoked_at = row.optional_int64();
  token.last_used_at = row.optional_int64();
  return token;
}

template <class Sql>
class CredentialQueries final : public CredentialRepository {
 public:
  template <class... Args>
  explicit CredentialQueries(Args&&... args) : sql_(std::forward<Args>(args)...) {}

  void add_key(const AgentKey& k) override { insert_key(k, ""); }

  void put_key(const AgentKey& k) override {
    static const auto suffix = upsert_suffix(kKeyColumns, 2);
    insert_key(k, suffix);
  }

  std::vector<AgentKey> valid_keys(std::string_view agent_id, std::int64_t now) override {
    return sql_.template select<AgentKey>(
        "SELECT agent_id, key_id, sealed_secret, created_at, retires_at FROM agent_keys"
        " WHERE agent_id = $1 AND (retires_at IS NULL OR retires_at > $2)"
        " ORDER BY created_at DESC, key_id DESC",
        [](auto& row) { return read_agent_key(row); }, agent_id, now);
  }

  std::size_t retire_current_key(std::string_view agent_id, std::int64_t at) override {
    return static_cast<std::size_t>(sql_.change(
        "UPDATE agent_keys SET retires_at = $2 WHERE agent_id = $1 AND retires_at IS NULL",
        agent_id, at));
  }

  void create_bootstrap_token(const BootstrapToken& t, std::string_view hash) override {
    insert_bootstrap_token(t, hash, "");
  }

  std::optional<BootstrapToken> consume_bootstrap_token(std::string_view hash,
                                                        std::int64_t now) override {
    auto rows = sql_.template select<BootstrapToken>(
        "UPDATE bootstrap_tokens SET uses_left = uses_left - 1 WHERE token_hash = $1"
        " AND uses_left > 0 AND expires_at > $2 AND revoked_at IS NULL RETURNING " +
            std::string(kBootstrapColumns),
        [](auto& row) { return read_bootstrap_token(row); }, hash, now);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  }

  std::vector<BootstrapToken> list_bootstrap_tokens() override {
    return sql_.template select<BootstrapToken>(
        "SELECT " + std::string(kBootstrapColumns) +
            " FROM bootstrap_tokens ORDER BY created_at DESC, id",
        [](auto& row) { return read_bootstrap_token(row); });
  }

  bool revoke_bootstrap_token(std::string_view id, std::int64_t at) override {
    return sql_.change(
               "UPDATE bootstrap_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
               id, at) == 1;
  }

  void create_api_token(const ApiToken& t, std::string_view hash) override {
    insert_api_token(t, hash, "");
  }

  std::optional<ApiToken> find_api_token(std::string_view hash) override {
    auto rows = sql_.template select<ApiToken>(
        "SELECT " + std::string(kApiColumns) + " FROM api_tokens WHERE token_hash = $1",
        [](auto& row) { return read_api_token(row); }, hash);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  }

  std::vector<ApiToken> list_api_tokens() override {
    return sql_.template select<ApiToken>(
        "SELECT " + std::string(kApiColumns) + " FROM api_tokens ORDER BY created_at DESC, id",
        [](auto& row) { return read_api_token(row); });
  }

  bool revoke_api_token(std::string_view id, std::int64_t at) override {
    return sql_.change("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
                       id, at) == 1;
  }

  void touch_api_token(std::string_view id, std::int64_t at) override {
    sql_.change("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", id, at);
  }

  std::vector<Hashed<BootstrapToken>> hashed_bootstrap_tokens() override {
    return sql_.template select<Hashed<BootstrapToken>>(
        "SELECT " + std::string(kBootstrapColumns) +
            ", token_hash FROM bootstrap_tokens ORDER BY id",
        [](auto& row) {
          auto token = read_bootstrap_token(row);
          return Hashed<BootstrapToken>{std::move(token), row.text()};
        });
  }

  void put_bootstrap_token(const Hashed<BootstrapToken>& t) override {
    static const auto suffix = upsert_suffix(kBootstrapInsert, 1);
    insert_bootstrap_token(t.token, t.hash, suffix);
  }

  std::vector<Hashed<ApiToken>> hashed_api_tokens() override {
    return sql_.template select<Hashed<ApiToken>>(
        "SELECT " + std::string(kApiColumns) + ", token_hash FROM api_tokens ORDER BY id",
        [](auto& row) {
          auto token = read_api_token(row);
          return Hashed<ApiToken>{std::move(token), row.text()};
        });
  }

  void put_api_token(const Hashed<ApiToken>& t) override {
    static const auto suffix = upsert_suffix(kApiInsert, 1);
    insert_api_token(t.token, t.hash, suffix);
  }

  std::vector<bool> remember_nonces(std::span<const NonceUse> uses, std::int64_t now) override {
    std::vector<bool> fresh(uses.size(), false);
    // Only a nonce's first use goes to the database: a later one in `uses` is a replay, and
    // PostgreSQL refuses to upsert one row twice in a statement.
    std::unordered_map<std::string, std::size_t> first;
    std::vector<const NonceUse*> unique;
    for (std::size_t i = 0; i < uses.size(); ++i) {
      if (first.emplace(nonce_key(uses[i].agent_id, uses[i].nonce), i).second)
        unique.push_back(&uses[i]);
    }
    for (std::size_t done = 0; done < unique.size();) {
      // Chunks of a power of two rows: few statement shapes for the statement caches.
      const auto rows = std::bit_floor(std::min(unique.size() - done, kMaxNonceRows));
      const std::span chunk(unique.data() + done, rows);
      for (const auto& key : insert_nonces(chunk, now))
        fresh[first.at(key)] = true;
      done += rows;
    }
    return fresh;
  }

  void record_enrollment(std::string_view id_hash, std::string_view agent_id,
                         std::int64_t expires_at) override {
    sql_.change("INSERT INTO enrollments (id_hash, agent_id, expires_at) VALUES ($1, $2, $3)",
                id_hash, agent_id, expires_at);
  }

  std::optional<std::string> enrolled_agent(std::string_view id_hash, std::int64_t now) override {
    auto rows = sql_.template select<std::string>(
        "SELECT agent_id FROM enrollments WHERE id_hash = $1 AND expires_at > $2",
        [](auto& row) { return row.text(); }, id_hash, now);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  }

  std::size_t purge_expired(std::int64_t now) override {
    return static_cast<std::size_t>(
        sql_.change("DELETE FROM seen_nonces WHERE expires_at <= $1", now) +
        sql_.change("DELETE FROM enrollments WHERE expires_at <= $1", now));
  }

 private:
  static constexpr std::string_view kKeyColumns =
      "agent_id, key_id, sealed_secret, created_at, retires_at";
  static constexpr std::string_view kBootstrapColumns =
      "id, name, uses_left, expires_at, created_at, revoked_at";
  static constexpr std::string_view kBootstrapInsert =
      "id, token_hash, name, uses_left, expires_at, created_at, revoked_at";
  static constexpr std::string_view kApiColumns =
      "id, name, role, expires_at, created_at, revoked_at, last_used_at";
  static constexpr std::string_view kApiInsert =
      "id, token_hash, name, role, expires_at, created_at, revoked_at, last_used_at";

  static constexpr std::size_t kMaxNonceRows = 256;

  static std::string nonce_key(std::string_view agent_id, std::string_view nonce) {
    std::string key(agent_id);
    key += '\0';
    key += nonce;
    return key;
  }

  // The keys (nonce_key) of the uses recorded now. An expired row left by a purge not yet run is
  // taken over, not counted as a replay.
  std::vector<std::string> insert_nonces(std::span<const NonceUse* const> uses, std::int64_t now) {
    std::string sql = "INSERT INTO seen_nonces (agent_id, nonce, expires_at) VALUES ";
    for (std::size_t i = 0; i < uses.size(); ++i)
      sql += fmt::format("{}(${}, ${}, ${})", i ? ", " : "", 3 * i + 1, 3 * i + 2, 3 * i + 3);
    sql += fmt::format(
        " ON CONFLICT (nonce, agent_id) DO UPDATE SET expires_at = excluded.expires_at"
        " WHERE seen_nonces.expires_at <= ${} RETURNING agent_id, nonce",
        3 * uses.size() + 1);
    return sql_.template select_bound<std::string>(
        sql,
        [](auto& row) {
          auto agent_id = row.text();
          return nonce_key(agent_id, row.text());
        },
        [&](auto add) {
          for (const auto* use : uses) {
            add(use->agent_id);
            add(use->nonce);
            add(use->expires_at);
          }
          add(now);
        });
  }

  // The INSERTs of create* and put* (whose `suffix` turns them into upserts).
  void insert_key(const AgentKey& k, std::string_view suffix) {
    sql_.change(fmt::format("INSERT INTO agent_keys ({}) VALUES ($1, $2, $3, $4, $5){}",
                            kKeyColumns, suffix),
                k.agent_id, k.key_id, k.sealed_secret, k.created_at, k.retires_at);
  }
  void insert_bootstrap_token(const BootstrapToken& t, std::string_view hash,
                              std::string_view suffix) {
    sql_.change(
        fmt::format("INSERT INTO bootstrap_tokens ({}) VALUES ($1, $2, $3, $4, $5, $6, $7){}",
                    kBootstrapInsert, suffix),
        t.id, hash, t.name, t.uses_left, t.expires_at, t.created_at, t.revoked_at);
  }
  void insert_api_token(const ApiToken& t, std::string_view hash, std::string_view suffix) {
    sql_.change(fmt::format("INSERT INTO api_tokens ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8){}",
                            kApiInsert, suffix),
                t.id, hash, t.name, t.role, t.expires_at, t.created_at, t.revoked_at,
                t.last_used_at);
  }

  Sql sql_;
};

}  // namespace sentinel::store
