#include "jetstream_bus.hpp"

#include <fmt/format.h>

#include "jetstream_consumer.hpp"
#include "jetstream_setup.hpp"

namespace sentinel::bus {

namespace asio = boost::asio;

asio::awaitable<PublishResult> JetStreamBus::publish(OutgoingMessage message) {
  const auto started = core::Clock::now();
  auto result = co_await suspend<PublishResult>(
      [&](auto handler) { session_->publish(std::move(message), std::move(handler)); });
  metrics_.published(result.status,
                     std::chrono::duration<double>(core::Clock::now() - started).count());
  co_return result;
}

asio::awaitable<core::Result<std::unique_ptr<Consumer>>> JetStreamBus::consumer(
    ConsumerOptions options) {
  if (!valid_name(options.durable_name)) {
    co_return core::Error{
        "invalid_argument",
        fmt::format("\"{}\" is not a durable name: no . * > or spaces", options.durable_name)};
  }
  auto session = session_;
  // Named, not a temporary in the co_await: see jetstream_consumer.cpp.
  auto work = [&session, &options]() -> core::Result<SetupOutcome> {
    auto js = session->jetstream();
    if (!js) return js.error();
    return ensure_consumer(*js, session->stream(), options);
  };
  auto made = co_await session->blocking().run(std::move(work));
  if (!made) co_return made.error();
  if (*made != SetupOutcome::kUnchanged) {
    session->log().info("consumer {} {}", options.durable_name,
                        *made == SetupOutcome::kCreated ? "created" : "updated");
  }
  co_return std::unique_ptr<Consumer>(
      std::make_unique<JetStreamConsumer>(std::move(session), std::move(options)));
}

}  // namespace sentinel::bus
