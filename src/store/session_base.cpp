#include "session_base.hpp"

#include <utility>

#include <fmt/format.h>

#include "sentinel/store/store.hpp"

namespace sentinel::store {

void SessionBase::transaction(const std::function<void()>& body) {
  const int level = depth_;
  const auto actions_before = after_commit_.size();
  const auto savepoint = fmt::format("sentinel_savepoint_{}", level);
  execute(level == 0 ? std::string(begin_statement()) : "SAVEPOINT " + savepoint);
  depth_ = level + 1;
  try {
    body();
    execute(level == 0 ? "COMMIT" : "RELEASE SAVEPOINT " + savepoint);
  } catch (...) {
    depth_ = level;
    after_commit_.resize(actions_before);  // those of what is rolled back
    // After a failed COMMIT PostgreSQL has already rolled back and only warns; SQLite may
    // still hold the transaction open, so end it either way.
    roll_back(level == 0
                  ? "ROLLBACK"
                  : fmt::format("ROLLBACK TO SAVEPOINT {0}; RELEASE SAVEPOINT {0}", savepoint));
    throw;
  }
  depth_ = level;
  if (level == 0) {
    for (auto& action : std::exchange(after_commit_, {}))
      action();
  }
}

void SessionBase::after_commit(std::function<void()> action) {
  if (depth_ == 0)
    action();
  else
    after_commit_.push_back(std::move(action));
}

void detail::transaction(Session& session, const std::function<void()>& body) {
  session.transaction(body);
}

void ClosedSession::fail() {
  throw StoreError("unavailable", "the store has stopped", true);
}

}  // namespace sentinel::store
