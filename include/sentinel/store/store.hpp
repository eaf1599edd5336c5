#pragma once
// The database behind sentineld. Two implementations: PostgreSQL (production, `store.url:
// postgres://...`) and SQLite (laptop mode), chosen by the `store` component.
//
// Database calls block, so they never run on the event loop: the store owns a few threads, each
// with its own connection, and `run()` hands a piece of work to one of them and resumes the
// calling coroutine on its own executor with the result. Work is written against `Session`
// (session.hpp), the backend-neutral set of repositories on one connection; a database failure
// thrown inside the work (StoreError) comes back as an error value.

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

// A piece of work for a store thread. Move-only, unlike std::function, because the handler of
// the coroutine awaiting it is.
class StoreJob {
 public:
  StoreJob() = default;
  template <class F>
  explicit StoreJob(F f) : impl_(std::make_unique<Impl<F>>(std::move(f))) {}

  void operator()(Session& session) { impl_->call(session); }
  explicit operator bool() const { return impl_ != nullptr; }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void call(Session& session) = 0;
  };
  template <class F>
  struct Impl final : Base {
    explicit Impl(F f) : f(std::move(f)) {}
    void call(Session& session) override { f(session); }
    F f;
  };
  std::unique_ptr<Base> impl_;
};

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
    submit(access, StoreJob([work = std::move(work), handler = std::move(handler),
                             executor](Session& session) mutable {
             std::optional<Outcome> outcome;
             try {
               outcome.emplace(work(session));
             } catch (const StoreError& e) {
               outcome.emplace(core::Error{e.code(), e.what(), e.transient()});
             } catch (const std::exception& e) {
               // Not a database failure but a bug in `work` (a bad cast, a parse error): the caller
               // still gets an answer rather than waiting forever.
               outcome.emplace(core::Error{"internal", e.what(), false});
             }
             boost::asio::post(
                 executor, [handler = std::move(handler), outcome = std::move(*outcome)]() mutable {
                   std::move(handler)(std::move(outcome));
                 });
           }));
  };
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                 void(Outcome)>(initiate,
                                                                boost::asio::use_awaitable);
}

}  // namespace sentinel::store
