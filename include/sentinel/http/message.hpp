#pragma once
// Requests and responses as handlers see them: plain values, independent of sockets, TLS and
// Beast, so that a handler can be called directly from a test.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace sentinel::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view to_string(Method method);
Method method_from_string(std::string_view text);

// Header fields in arrival order, looked up case-insensitively.
class Headers {
 public:
  void add(std::string name, std::string value);
  void set(std::string name, std::string value);
  std::optional<std::string_view> get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  Method method = Method::kGet;
  std::string target;                                      // as sent: path and query
  std::string path;                                        // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;
  std::string body;
  std::map<std::string, std::string, std::less<>> params;  // from the route pattern
  std::string peer_ip;                                     // the socket's peer
  std::string client_ip;            // after trusted-proxy resolution of X-Forwarded-For
  std::string request_id;           // echoed in X-Request-Id and on every log line
  std::string client_cert_subject;  // under mTLS
  std::string principal;            // who was authenticated (token name), set by an auth filter

  std::optional<std::string_view> query_param(std::string_view name) const;
  std::string_view param(std::string_view name) const;  // a path parameter; empty when absent
};

// A body produced piece by piece (server-sent events, exports): each call yields the next chunk,
// nullopt at the end. It is sent with chunked transfer encoding.
using BodyStream = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  BodyStream stream;  // when set, replaces `body`
};

// {"error": {"code": "...", "message": "..."}}, the body of every 4xx and 5xx.
Response error_response(int status, std::string_view code, std::string_view message);
Response text_response(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
// `json_text` is serialized JSON; see json.hpp for building it from a value.
Response json_text_response(int status, std::string json_text);

// Splits a request target into its decoded path and query parameters; nullopt when the target
// is not an origin-form path or has bad percent-escapes.
struct Target {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
};
std::optional<Target> parse_target(std::string_view target);

}  // namespace sentinel::http
