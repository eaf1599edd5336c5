#pragma once
// What the gateway keeps of the store's credentials for a while (agents' keys, API tokens), so
// that a request costs no query; thread-safe, as handlers run on many connection strands.
//
// A lookup that misses reads the store and puts the answer back. A change made meanwhile by this
// process (a token revoked, an agent disabled) invalidates the cache, and the lookup's answer,
// read before the change, must not go back in: it would be served for the whole ttl. So a
// lookup takes a stamp before it reads, and put() drops an answer whose stamp an invalidation
// has overtaken. Bounded: unknown keys are cached too (a flood of them must not reach the
// store), and once full the cache is cleared and refilled.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config_types.hpp"

namespace sentinel::gateway {

template <class Value>
class CredentialCache {
 public:
  CredentialCache(core::Duration ttl, std::size_t max_entries)
      : ttl_(ttl), max_entries_(max_entries) {}

  // The value for `key` if it was put less than ttl ago.
  std::optional<Value> find(std::string_view key) const {
    std::lock_guard lock(mutex_);
    auto entry = entries_.find(key);
    if (entry == entries_.end() || core::Clock::now() - entry->second.fetched >= ttl_)
      return std::nullopt;
    return entry->second.value;
  }

  // Taken before reading the store; put() needs it.
  std::uint64_t stamp() const {
    std::lock_guard lock(mutex_);
    return generation_;
  }

  // Keeps `value`, read from the store after `stamp` was taken, unless something was
  // invalidated since.
  void put(std::string_view key, Value value, std::uint64_t stamp) {
    std::lock_guard lock(mutex_);
    if (stamp != generation_) return;
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_.insert_or_assign(std::string(key), Entry{std::move(value), core::Clock::now()});
  }

  void invalidate(std::string_view key) {
    std::lock_guard lock(mutex_);
    ++generation_;
    if (auto entry = entries_.find(key); entry != entries_.end()) entries_.erase(entry);
  }

  void clear() {
    std::lock_guard lock(mutex_);
    ++generation_;
    entries_.clear();
  }

 private:
  struct Entry {
    Value value;
    core::Clock::time_point fetched;
  };

  const core::Duration ttl_;
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;  // invalidations so far
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace sentinel::gateway
