#pragma once
// Routing by method and path pattern. Patterns are literal segments, `{name}` parameters and a
// final `{name*}` that takes the rest of the path; a literal segment beats a parameter where two
// patterns match the same path.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/http/message.hpp"

namespace sentinel::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

struct RouteOptions {
  // The API role a bearer token must carry ("viewer", "admin", ...); empty for open routes.
  std::string role;
  // A larger or smaller body limit than the server's default, e.g. for pushes.
  std::optional<std::size_t> body_limit;
  std::string summary;  // one line for the OpenAPI document
};

struct Route {
  Method method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
};

class Router {
 public:
  // Throws std::invalid_argument for a malformed pattern or a method and pattern added twice.
  void add(Method method, std::string pattern, Handler handler, RouteOptions options = {});

  struct Match {
    const Route* route = nullptr;  // null: no route for this method (see `allowed`)
    std::map<std::string, std::string, std::less<>> params;
    std::vector<Method> allowed;  // methods the path has, for 405 and Allow
  };
  // GET routes also answer HEAD.
  Match match(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    enum class Kind { kLiteral, kParam, kRest } kind;
    std::string text;
  };
  struct Compiled {
    std::vector<Segment> segments;
  };
  static Compiled compile(std::string_view pattern);
  static bool matches(const Compiled& compiled, const std::vector<std::string_view>& parts,
                      std::map<std::string, std::string, std::less<>>& params);
  static bool more_specific(const Compiled& a, const Compiled& b);

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

}  // namespace sentinel::http
