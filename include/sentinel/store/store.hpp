#pragma once
// The database behind sentineld. Two implementations: PostgreSQL (production, `store.url:
// postgres://...`) and SQLite (laptop mode), chosen by the `store` component.
//
// Database calls block, so they never run on the event loop: the store owns a few threads, each
// with its own connection, and `run()` hands a piece of work to one of them and resumes the
// calling coroutine on its own executor with the result. Work is written against `Session`
// (session.hpp), the backend-neutral set of repositories on one connection; a database failure
// thrown inside the work (StoreError) comes back as an error value.

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/core/component.hpp"
#include "sentinel/core/result.hpp"

namespace sentinel::store {

class Session;

enum class Backend { kPostgres, kSqlite };

// Thrown by repository methods on a database failure; `transient` when retrying may help (the
// connection dropped, a serialization conflict) rather than a bug or a constraint violation.
class StoreError : public std::runtime_error {
 public:
  StoreError(std::string code, const std::string& message, bool transient)
      : std::runtime_error(message), code_(std::move(code)), transient_(transient) {}
  const std::string& code() const { return code_; }
  bool transient() const { return transient_; }

 private:
  std::string code_;
  bool transient_;
};

enum class Access { kRead, kWrite };

// Leadership of one named duty (rollups, retention, alert evaluation) among every process that
// shares the database. Destroying the lease gives leadership up.
class Lease {
 public:
  virtual ~Lease() = default;
  // False once leadership is lost (the connection that holds it died): stop the duty and ask
  // again. Loss is noticed at once when the server drops the connection but only within about
  // half a minute when the network does, so a duty must stay safe when two processes briefly
  // both run it (idempotent writes, or transactions that check a watermark).
  virtual bool held() const = 0;
};

// A piece of work for a store thread: run, then delivered. The two are apart so that the SQLite
// writer can run several jobs in one transaction and deliver their outcomes only once that has
// committed (group commit: one fsync for many writers). Move-only, unlike std::function,
// because the handler of the coroutine awaiting it is.
class StoreJob {
 public:
  class Task {
   public:
    virtual ~Task() = default;
    // Whether it may share a transaction with other jobs; when it does, `run` gets atomic: its
    // work runs in a savepoint of its own, so that its failure undoes only its own writes.
    virtual bool groupable() const = 0;
    virtual void run(Session& session, bool atomic) = 0;
    // The group's transaction failed after the job ran: its outcome becomes `error` unless it
    // failed already.
    virtual void fail(const core::Error& error) = 0;
    // Hands the outcome over; after `run`, or after `fail` for a job that never ran.
    virtual void deliver() = 0;
  };

  StoreJob() = default;
  explicit StoreJob(std::unique_ptr<Task> task) : task_(std::move(task)) {}
  // Work that runs alone and answers by itself, such as a migration (its own transactions).
  template <class F>
  requires std::invocable<F&, Session&>
  explicit StoreJob(F f) : task_(std::make_unique<Alone<F>>(std::move(f))) {}

  bool groupable() const { return task_->groupable(); }
  void run(Session& session, bool atomic = false) { task_->run(session, atomic); }
  void fail(const core::Error& error) { task_->fail(error); }
  void deliver() { task_->deliver(); }
  explicit operator bool() const { return task_ != nullptr; }

 private:
  template <class F>
  struct Alone final : Task {
    explicit Alone(F f) : f(std::move(f)) {}
    bool groupable() const override { return false; }
    void run(Session& session, bool) override { f(session); }
    void fail(const core::Error&) override {}
    void deliver() override {}
    F f;
  };
  std::unique_ptr<Task> task_;
};

namespace detail {

// session.transaction(body), defined where Session is complete.
void transaction(Session& session, const std::function<void()>& body);

// Store::run's job: `work`'s value, or the StoreError it threw as a core::Error, posted to the
// awaiting coroutine's executor.
template <class Work, class Handler, class Executor>
class RunTask final : public StoreJob::Task {
 public:
  using Outcome = core::Result<std::invoke_result_t<Work, Session&>>;

  RunTask(Work work, Handler handler, Executor executor)
      : work_(std::move(work)), handler_(std::move(handler)), executor_(std::move(executor)) {}

  bool groupable() const override { return true; }

  void run(Session& session, bool atomic) override {
    try {
      if (atomic)
        transaction(session, [&] { outcome_.emplace(work_(session)); });
      else
        outcome_.emplace(work_(session));
    } catch (const StoreError& e) {
      outcome_.emplace(core::Error{e.code(), e.what(), e.transient()});
    } catch (const std::exception& e) {
      // Not a database failure but a bug in `work` (a bad cast, a parse error): the caller
      // still gets an answer rather than waiting forever.
      outcome_.emplace(core::Error{"internal", e.what(), false});
    }
  }

  void fail(const core::Error& error) override {
    if (!outcome_ || *outcome_) outcome_.emplace(error);
  }

  void deliver() override {
    boost::asio::post(executor_,
                      [handler = std::move(handler_), outcome = std::move(*outcome_)]() mutable {
                        std::move(handler)(std::move(outcome));
                      });
  }

 private:
  Work work_;
  Handler handler_;
  Executor executor_;
  std::optional<Outcome> outcome_;
};

}  // namespace detail

class Store {
 public:
  virtual ~Store() = default;
  virtual Backend backend() const = 0;
  virtual core::Readiness readiness() const = 0;

  // Runs `work(Session&)` on a store thread (a reader for kRead where the backend has readers)
  // and returns its result, or the StoreError it threw as a core::Error.
  //
  // `work` must capture by reference (the caller stays suspended until it has run, so that is
  // safe): GCC 12 miscompiles a lambda that captures a std::string or the like by value when it
  // is created inside a co_await expression (it copies the closure bitwise), and a static_assert
  // keeps such lambdas out.
  template <class Work>
  auto run(Work work, Access access = Access::kWrite)
      -> boost::asio::awaitable<core::Result<std::invoke_result_t<Work, Session&>>>;

  // Leadership of `name`, or a null lease when another holder has it; an error when the
  // database cannot be asked. Never blocks the caller's thread.
  boost::asio::awaitable<core::Result<std::unique_ptr<Lease>>> try_lead(std::string name) {
    co_return co_await run([this, &name](Session&) { return acquire_lease(name); });
  }

 protected:
  // Implementations run `job` on one of their threads with a session, in submission order per
  // thread. `job` catches everything it throws.
  virtual void submit(Access access, StoreJob job) = 0;
  // Runs on a store thread; throws StoreError when the database cannot be reached.
  virtual std::unique_ptr<Lease> acquire_lease(const std::string& name) = 0;
};

template <class Work>
auto Store::run(Work work, Access access)
    -> boost::asio::awaitable<core::Result<std::invoke_result_t<Work, Session&>>> {
  using Value = std::invoke_result_t<Work, Session&>;
  using Outcome = core::Result<Value>;
  static_assert(!std::is_void_v<Value>, "return core::Unit{} from work that has no value");
  static_assert(std::is_trivially_copyable_v<Work>,
                "capture by reference in store work (see Store::run)");
  auto initiate = [this, access, &work](auto handler) {
    auto executor = boost::asio::get_associated_executor(handler);
    using Task = detail::RunTask<Work, decltype(handler), decltype(executor)>;
    submit(access, StoreJob(std::make_unique<Task>(std::move(work), std::move(handler),
                                                   std::move(executor))));
  };
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                 void(Outcome)>(initiate,
                                                                boost::asio::use_awaitable);
}

}  // namespace sentinel::store
