#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <google/protobuf/arena.h>

#include "body_decoder.hpp"
#include "handlers.hpp"

namespace sentinel::gateway {
namespace {

namespace asio = boost::asio;

http::Response malformed(Services& services, std::string message) {
  services.metrics.push_requests.with({"malformed_request"}).inc();
  return http::error_response(400, "malformed_request", message);
}

// One batch to the bus, timed from publish to acknowledgement.
asio::awaitable<bus::PublishResult> publish_one(Services& services, bus::OutgoingMessage message) {
  const auto started = core::Clock::now();
  auto result = co_await services.bus.publish(std::move(message));
  const std::chrono::duration<double> elapsed = core::Clock::now() - started;
  services.metrics.publish_seconds.observe(elapsed.count());
  co_return result;
}

v1::BatchStatus status_of(bus::PublishStatus status) {
  switch (status) {
    case bus::PublishStatus::kAccepted:
      return v1::BATCH_STATUS_ACCEPTED;
    case bus::PublishStatus::kDuplicate:
      return v1::BATCH_STATUS_DUPLICATE;
    case bus::PublishStatus::kUnavailable:
      break;
  }
  return v1::BATCH_STATUS_RETRY;
}

std::string_view result_label(v1::BatchStatus status) {
  switch (status) {
    case v1::BATCH_STATUS_ACCEPTED:
      return "accepted";
    case v1::BATCH_STATUS_DUPLICATE:
      return "duplicate";
    case v1::BATCH_STATUS_REJECTED:
      return "rejected";
    default:
      return "retry";
  }
}

// Publishes every message at once (JetStream pipelines them) and waits for all answers, which
// come back in the order of `messages`.
asio::awaitable<std::vector<bus::PublishResult>> publish_all(
    Services& services, std::vector<bus::OutgoingMessage> messages) {
  if (messages.empty()) co_return std::vector<bus::PublishResult>{};
  const auto executor = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(executor, publish_one(services, {}), asio::deferred));
  std::vector<Op> ops;
  ops.reserve(messages.size());
  for (auto& message : messages) {
    ops.push_back(
        asio::co_spawn(executor, publish_one(services, std::move(message)), asio::deferred));
  }
  auto [order, errors, results] =
      co_await asio::experimental::make_parallel_group(std::move(ops))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (errors[i]) results[i] = bus::PublishResult{bus::PublishStatus::kUnavailable, "failed", {}};
  }
  co_return std::move(results);
}

// The 503 to send when the bus took none of the batches, or nullopt.
std::optional<http::Response> all_unavailable(Services& services,
                                              const std::vector<bus::PublishResult>& results) {
  if (results.empty()) return std::nullopt;
  core::Duration retry_after = services.config.retry_after;
  for (const auto& result : results) {
    if (result.status != bus::PublishStatus::kUnavailable) return std::nullopt;
    retry_after = std::max<core::Duration>(retry_after, result.retry_after);
  }
  services.metrics.push_requests.with({"unavailable"}).inc();
  return unavailable(fmt::format("the bus cannot take batches now: {}", results.front().detail),
                     retry_after);
}

}  // namespace

asio::awaitable<http::Response> handle_push(Services& services, http::Request& request) {
  if (auto limited = services.limit(services.ip_limiter, request.client_ip, "ip")) {
    co_return std::move(*limited);
  }
  auto body = decode_body(request, services.config.max_request_bytes.bytes);
  if (auto* refused = std::get_if<http::Response>(&body)) co_return std::move(*refused);
  // The request's messages (a batch holds hundreds: metrics, labels) in a few arena blocks,
  // not a heap allocation each.
  google::protobuf::Arena arena;
  auto& push = *google::protobuf::Arena::CreateMessage<v1::PushRequest>(&arena);
  if (!push.ParseFromString(std::get<std::string>(body))) {
    co_return malformed(services, "the body is not a PushRequest");
  }
  if (push.batches_size() == 0) co_return malformed(services, "the push holds no batches");
  if (static_cast<std::size_t>(push.batches_size()) > services.config.max_batches) {
    co_return http::error_response(413, "body_too_large",
                                   fmt::format("{} batches, more than the limit of {}",
                                               push.batches_size(), services.config.max_batches));
  }
  std::vector<SignedMessage> signed_messages;
  for (const auto& envelope : push.batches()) {
    if (envelope.agent_id() != push.batches(0).agent_id()) {
      co_return malformed(services, "every batch of a push must come from one agent");
    }
    signed_messages.push_back({proto::signing_input(envelope), envelope.signature()});
  }
  auto verified = co_await services.verifier.verify(signed_messages);
  if (auto* refused = std::get_if<http::Response>(&verified)) {
    services.metrics.push_requests.with({"unauthorized"}).inc();
    co_return std::move(*refused);
  }
  auto& agent = std::get<Verified>(verified);
  if (auto limited = services.limit(services.agent_limiter, agent.agent_id, "agent")) {
    co_return std::move(*limited);
  }
  if (const auto ready = services.bus.readiness(); !ready.ready) {
    services.metrics.push_requests.with({"unavailable"}).inc();
    co_return unavailable(fmt::format("the bus is unavailable: {}", ready.reason),
                          services.config.retry_after);
  }

  v1::PushResponse response;
  std::vector<bus::OutgoingMessage> messages;
  std::vector<int> published;  // result index of each message
  for (const auto& envelope : push.batches()) {
    auto* result = response.add_results();
    auto& batch = *google::protobuf::Arena::CreateMessage<v1::Batch>(&arena);
    std::optional<std::string> problem;
    if (!batch.ParseFromString(envelope.batch())) {
      problem = "the batch is not a Batch";
    } else {
      problem = batch_problem(batch, agent.agent_id, services.config.batch);
    }
    result->set_batch_id(batch.batch_id());
    if (problem) {
      result->set_status(v1::BATCH_STATUS_REJECTED);
      result->set_message(*problem);
      continue;
    }
    published.push_back(response.results_size() - 1);
    messages.push_back({bus::metrics_subject(agent.agent_id),
                        fmt::format("{}:{}", agent.agent_id, batch.batch_id()), envelope.batch()});
  }
  const auto results = co_await publish_all(services, std::move(messages));
  if (auto refused = all_unavailable(services, results)) co_return std::move(*refused);
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto* result = response.mutable_results(published[i]);
    result->set_status(status_of(results[i].status));
    if (results[i].status == bus::PublishStatus::kUnavailable)
      result->set_message(results[i].detail);
  }
  for (const auto& result : response.results())
    services.metrics.batches.with({std::string(result_label(result.status()))}).inc();
  if (auto rotation = pending_rotation(agent.keys, agent.signing_key)) {
    *response.mutable_rotation() = std::move(*rotation);
  }
  services.metrics.push_requests.with({"ok"}).inc();
  co_return protobuf_response(response);
}

}  // namespace sentinel::gateway
