#include "postgres/lease.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <poll.h>
#include <sys/eventfd.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace sentinel::store::postgres {
namespace {

// Keyed like the migration lock (ledger.cpp), under its own first key 0x53544c53 ("STLS"), with
// the schema in the second so that deployments sharing a database elect separately.
constexpr const char* kTryLock =
    "SELECT pg_try_advisory_lock(1398033491, "
    "hashtext(coalesce(current_schema(), '') || '/' || $1))";

int make_eventfd() {
  const int fd = eventfd(0, EFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  return fd;
}

class PgLease final : public Lease {
 public:
  PgLease(std::unique_ptr<PgConnection> connection, std::string name, core::Duration check_interval,
          core::Logger log)
      : connection_(std::move(connection)),
        name_(std::move(name)),
        check_interval_(check_interval),
        log_(std::move(log)),
        wake_(make_eventfd()),
        watcher_([this] { watch(); }) {}

  ~PgLease() override {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_, &one, sizeof one);
    watcher_.join();
    ::close(wake_);
    log_.info("gave up the leadership of {}", name_);
    // The connection closes after this, and the server releases the lock with it.
  }

  bool held() const override { return held_.load(std::memory_order_relaxed); }

 private:
  // Waits for the destructor, for the server to say something (it only speaks unasked when it
  // is about to drop the connection), or for the check interval; a round trip then tells whether
  // the connection, and so the lock, is still there.
  void watch() {
    const int timeout_ms = static_cast<int>(check_interval_.count());
    for (;;) {
      std::array<pollfd, 2> fds{{{wake_, POLLIN, 0}, {connection_->socket(), POLLIN, 0}}};
      const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (fds[0].revents != 0) return;
      if (!connection_->try_execute("SELECT 1")) {
        held_.store(false, std::memory_order_relaxed);
        connection_->close();  // whatever went wrong, the lock must not outlive the belief in it
        log_.warn("lost the leadership of {}: its database connection broke", name_);
        return;
      }
    }
  }

  std::unique_ptr<PgConnection> connection_;
  std::string name_;
  core::Duration check_interval_;
  core::Logger log_;
  std::atomic<bool> held_{true};
  int wake_;
  std::thread watcher_;  // last: it uses everything above
};

}  // namespace

std::unique_ptr<Lease> try_lease(PgSettings settings, const std::string& name,
                                 core::Duration check_interval, core::Logger log) {
  settings.application_name = "sentineld lease";
  auto connection = std::make_unique<PgConnection>(std::move(settings), log);
  connection->connect();
  if (!connection->exec(kTryLock, name).row(0).boolean()) return nullptr;
  log.info("leading {}", name);
  return std::make_unique<PgLease>(std::move(connection), name, check_interval, std::move(log));
}

}  // namespace sentinel::store::postgres
