#pragma once
// Leader election with SQLite, which is the single-process (laptop) mode: the database has one
// writer and belongs to one sentineld, so the only contenders for a duty are the tasks of this
// process, and a lease is a name in a set. It is never lost while held.

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "sentinel/store/store.hpp"

namespace sentinel::store::sqlite {

class LocalLeases : public std::enable_shared_from_this<LocalLeases> {
 public:
  // Null while another task holds `name`.
  std::unique_ptr<Lease> try_acquire(const std::string& name);

 private:
  friend class LocalLease;
  void release(const std::string& name);

  std::mutex mutex_;
  std::set<std::string> held_;
};

}  // namespace sentinel::store::sqlite
