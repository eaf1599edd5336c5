#pragma once
// The replay cache's writer. Every push must record its nonces in the store before it is
// accepted (so that every replica sees them), and one store transaction per push would make the
// database's commit the gateway's ceiling. The ledger writes the nonces of concurrent pushes
// together: while one write is under way, the pushes that arrive queue up, and the next write
// carries all of them in one statement and one commit.

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sentinel/core/result.hpp"
#include "sentinel/core/task_group.hpp"
#include "sentinel/store/credentials.hpp"
#include "sentinel/store/store.hpp"

namespace sentinel::gateway {

class NonceLedger {
 public:
  // For each use, whether it is new (store::CredentialRepository::remember_nonces); an error
  // when the store cannot be written.
  using Outcome = core::Result<std::vector<bool>>;

  // Writes run on `strand`, as tasks of `tasks` (the owner waits for them when it stops).
  NonceLedger(store::Store& store, core::TaskGroup::Strand strand, core::TaskGroup& tasks)
      : store_(store), strand_(std::move(strand)), tasks_(tasks) {}

  // Records `uses`, judged at `now` (Unix ms), in the next write; resumes the caller once that
  // has committed.
  boost::asio::awaitable<Outcome> remember(std::vector<store::NonceUse> uses, std::int64_t now);

 private:
  struct Request {
    std::vector<store::NonceUse> uses;
    std::int64_t now;
    std::function<void(Outcome)> resume;  // posts the outcome to the waiting coroutine
  };

  void enqueue(Request request);
  // Writes what is queued, again and again until nothing is.
  boost::asio::awaitable<void> write_queued();
  // Each request's share of `outcome`, handed to it on its own executor.
  static void answer(std::vector<Request>& requests, const Outcome& outcome);

  store::Store& store_;
  core::TaskGroup::Strand strand_;
  core::TaskGroup& tasks_;
  std::mutex mutex_;
  std::vector<Request> queued_;
  bool writing_ = false;
};

}  // namespace sentinel::gateway
