#include "agent/exporter/exporter.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/proto/signing.hpp"

#include "agent/clock.hpp"

namespace sentinel::agent {
namespace {

namespace asio = boost::asio;

// However long a gateway asks for, a shedding gateway is asked again after this.
constexpr core::Duration kMaxRetryAfter = std::chrono::minutes(10);

// The batch as the gateway must see it: with this agent's id even when it was written to the
// WAL before the agent had enrolled.
std::string with_agent_id(std::string payload, const std::string& agent_id) {
  v1::Batch batch;
  if (!batch.ParseFromString(payload) || batch.agent_id() == agent_id) return payload;
  batch.set_agent_id(agent_id);
  return batch.SerializeAsString();
}

}  // namespace

Exporter::Exporter(asio::any_io_executor strand, wal::Wal& wal, GatewayClient& gateway,
                   Credentials& credentials, DeadLetters& dead_letters, AgentMetrics& metrics,
                   ExporterOptions options, core::Logger log)
    : wal_(wal),
      gateway_(gateway),
      credentials_(credentials),
      dead_letters_(dead_letters),
      metrics_(metrics),
      options_(options),
      log_(std::move(log)),
      wake_(std::move(strand)),
      backoff_(options.retry_initial, options.retry_max),
      loaded_through_(wal.acked_id()),
      request_limit_(options.batches_per_request) {}

asio::awaitable<void> Exporter::run() {
  for (;;) {
    co_await wait_for_work();
    co_await send(next_request());
    advance_watermark();
  }
}

asio::awaitable<void> Exporter::wait_for_work() {
  for (;;) {
    refill();
    const bool work = credentials_.enrolled() && std::any_of(pending_.begin(), pending_.end(),
                                                             [](auto& p) { return !p.done; });
    if (work && core::Clock::now() >= retry_at_) co_return;
    wake_.expires_at(work ? retry_at_ : core::Clock::time_point::max());
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void Exporter::refill() {
  if (!credentials_.enrolled()) return;
  while (pending_.size() < 2 * options_.batches_per_request) {
    auto records =
        wal_.read_after(loaded_through_, options_.batches_per_request, options_.max_request_bytes);
    if (records.empty()) return;
    for (auto& record : records) {
      loaded_through_ = record.id;
      pending_.push_back({record.id, record.tag,
                          with_agent_id(std::move(record.payload), credentials_.agent_id())});
    }
  }
}

std::vector<Exporter::Pending*> Exporter::next_request() {
  std::vector<Pending*> items;
  std::size_t bytes = 0;
  for (auto& item : pending_) {
    if (item.done) continue;
    if (items.size() >= request_limit_) break;
    if (!items.empty() && bytes + item.batch.size() > options_.max_request_bytes) break;
    items.push_back(&item);
    bytes += item.batch.size();
  }
  return items;
}

asio::awaitable<void> Exporter::send(std::vector<Pending*> items) {
  const auto now_ms = core::unix_ms();
  const AgentKey key = credentials_.signing_key(now_ms);
  v1::PushRequest request;
  for (const auto* item : items) {
    auto* envelope = request.add_batches();
    envelope->set_agent_id(credentials_.agent_id());
    envelope->set_batch(item->batch);
    proto::sign_envelope(*envelope, key.key_id, key.secret, now_ms);
  }
  metrics_.batches_sent.inc(static_cast<double>(items.size()));
  const auto started = core::Clock::now();
  const auto reply = co_await gateway_.post("/v1/push", request.SerializeAsString());
  metrics_.push_duration.observe(
      std::chrono::duration<double>(core::Clock::now() - started).count());
  metrics_.push_requests.with({std::to_string(reply.status)}).inc();
  if (reply.status == 200) {
    handle_results(reply, items, key);
  } else {
    handle_refusal(reply, items, key);
  }
}

void Exporter::handle_results(const GatewayReply& reply, const std::vector<Pending*>& items,
                              const AgentKey& signed_with) {
  v1::PushResponse response;
  if (!response.ParseFromString(reply.body)) {
    log_.warn("the gateway's push response does not decode; sending the batches again");
    back_off(reply, items.size());
    return;
  }
  std::size_t retried = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto& item = *items[i];
    // Results come in request order; one that is missing or names another batch is a retry.
    const bool matches = i < static_cast<std::size_t>(response.results_size()) &&
                         response.results(static_cast<int>(i)).batch_id() == item.id;
    const auto status =
        matches ? response.results(static_cast<int>(i)).status() : v1::BATCH_STATUS_UNSPECIFIED;
    if (status == v1::BATCH_STATUS_ACCEPTED) {
      acknowledge(item, "accepted");
    } else if (status == v1::BATCH_STATUS_DUPLICATE) {
      acknowledge(item, "duplicate");
    } else if (status == v1::BATCH_STATUS_REJECTED) {
      park(item, response.results(static_cast<int>(i)).message());
    } else {
      ++retried;
    }
  }
  metrics_.last_push_success.set(static_cast<double>(core::unix_ms()) / 1000.0);
  if (response.has_rotation()) {
    const auto before = credentials_.identity().current.key_id;
    if (auto rotated = credentials_.rotate(response.rotation(), signed_with); !rotated) {
      log_.error("key rotation failed: {}", rotated.error().message);
    } else if (credentials_.identity().current.key_id != before) {
      metrics_.key_rotations.inc();
    }
  }
  if (retried > 0) {
    back_off(reply, retried);
  } else {
    succeeded();
  }
}

void Exporter::handle_refusal(const GatewayReply& reply, const std::vector<Pending*>& items,
                              const AgentKey& signed_with) {
  switch (reply.status) {
    case 401:
      unauthorized_ = true;
      if (reply.error_code == "stale_timestamp") {
        log_.error("the gateway refuses our timestamps ({}): fix this host's clock (NTP)",
                   reply.describe());
      } else {
        log_.error(
            "the gateway refuses key {} of agent {} ({}); data stays in the WAL until the "
            "agent is enabled again or re-enrolled",
            signed_with.key_id, credentials_.agent_id(), reply.describe());
        credentials_.refused(signed_with, core::unix_ms());
      }
      break;
    case 400:
    case 413:
      if (items.size() > 1) {
        // Halve the request until the one batch that causes it is alone.
        request_limit_ = std::max<std::size_t>(1, items.size() / 2);
        log_.warn("push refused ({}); retrying with {} batches per request", reply.describe(),
                  request_limit_);
      } else {
        park(*items.front(), reply.describe());
      }
      return;
    case 415:
      if (gateway_.compressing()) {
        log_.warn("the gateway does not take zstd bodies ({}); sending them uncompressed",
                  reply.describe());
        gateway_.disable_compression();
        return;
      }
      break;
    default:
      break;
  }
  back_off(reply, items.size());
}

void Exporter::acknowledge(Pending& item, std::string_view status) {
  item.done = true;
  metrics_.batches_acked.with({std::string(status)}).inc();
}

void Exporter::park(Pending& item, std::string_view reason) {
  item.done = true;
  metrics_.batches_rejected.inc();
  if (auto parked = dead_letters_.park(item.id, item.batch, reason); !parked) {
    log_.error("batch {} was rejected ({}) and could not be parked: {}", item.id, reason,
               parked.error().message);
    return;
  }
  log_.error("batch {} was rejected by the gateway ({}); parked in {}", item.id, reason,
             dead_letters_.dir().string());
}

void Exporter::succeeded() {
  backoff_.reset();
  unauthorized_ = false;
  retry_at_ = {};
  request_limit_ = std::min(options_.batches_per_request, request_limit_ * 2);
}

void Exporter::back_off(const GatewayReply& reply, std::size_t retried) {
  metrics_.batches_retried.inc(static_cast<double>(retried));
  auto delay = backoff_.next();
  if (reply.retry_after) delay = std::max(delay, std::min(*reply.retry_after, kMaxRetryAfter));
  retry_at_ = core::Clock::now() + delay;
  log_.warn("push failed: {}; {} batches wait {} before the next try", reply.describe(), retried,
            core::format_duration(delay));
}

void Exporter::advance_watermark() {
  std::optional<Pending> last;
  while (!pending_.empty() && pending_.front().done) {
    last = std::move(pending_.front());
    pending_.pop_front();
  }
  if (!last) return;
  if (auto acked = wal_.ack(last->id, last->tag); !acked) {
    log_.error("cannot persist the WAL watermark: {}", acked.error().message);
  }
  metrics_.mirror(wal_);
}

}  // namespace sentinel::agent
