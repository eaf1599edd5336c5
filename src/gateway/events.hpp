#pragma once
// Fleet events for the dashboard (agent_online, agent_stale, agent_offline, heartbeat), fanned
// out to every open GET /api/v1/events stream as server-sent events. A subscriber that does not
// keep up loses events rather than slowing the publisher down.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <nlohmann/json.hpp>

#include "sentinel/http/message.hpp"

namespace sentinel::gateway {

class EventHub {
 public:
  using Channel =
      boost::asio::experimental::concurrent_channel<void(boost::system::error_code, std::string)>;

  // From any thread.
  void publish(std::string_view type, const nlohmann::json& data);
  // A stream that sends each event as `event: <type>\ndata: <json>\n\n`, with a comment line
  // every `keepalive` so proxies keep the connection open.
  http::BodyStream subscribe(const boost::asio::any_io_executor& executor,
                             std::chrono::milliseconds keepalive);
  // Ends every stream (the server is stopping).
  void close();
  std::size_t subscribers();

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<Channel>> channels_;
  bool closed_ = false;
};

}  // namespace sentinel::gateway
