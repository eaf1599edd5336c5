#include "sqlite/lease.hpp"

namespace sentinel::store::sqlite {

class LocalLease final : public Lease {
 public:
  LocalLease(std::shared_ptr<LocalLeases> leases, std::string name)
      : leases_(std::move(leases)), name_(std::move(name)) {}
  ~LocalLease() override { leases_->release(name_); }
  bool held() const override { return true; }

 private:
  std::shared_ptr<LocalLeases> leases_;  // outlives the store if the lease does
  std::string name_;
};

std::unique_ptr<Lease> LocalLeases::try_acquire(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (!held_.insert(name).second) return nullptr;
  return std::make_unique<LocalLease>(shared_from_this(), name);
}

void LocalLeases::release(const std::string& name) {
  std::lock_guard lock(mutex_);
  held_.erase(name);
}

}  // namespace sentinel::store::sqlite
