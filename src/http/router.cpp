#include "sentinel/http/router.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace sentinel::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  path.remove_prefix(path.starts_with('/') ? 1 : 0);
  while (true) {
    auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

}  // namespace

Router::Compiled Router::compile(std::string_view pattern) {
  if (!pattern.starts_with('/')) {
    throw std::invalid_argument(fmt::format("route pattern {} must start with /", pattern));
  }
  Compiled compiled;
  auto parts = split_path(pattern);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto part = parts[i];
    if (part.starts_with('{') && part.ends_with("*}")) {
      if (i + 1 != parts.size()) {
        throw std::invalid_argument(fmt::format("{{rest*}} must be last in {}", pattern));
      }
      compiled.segments.push_back(
          {Segment::Kind::kRest, std::string(part.substr(1, part.size() - 3))});
    } else if (part.starts_with('{') && part.ends_with('}')) {
      compiled.segments.push_back(
          {Segment::Kind::kParam, std::string(part.substr(1, part.size() - 2))});
    } else if (part.find_first_of("{}") != std::string_view::npos) {
      throw std::invalid_argument(fmt::format("malformed segment {} in {}", part, pattern));
    } else {
      compiled.segments.push_back({Segment::Kind::kLiteral, std::string(part)});
    }
  }
  return compiled;
}

void Router::add(Method method, std::string pattern, Handler handler, RouteOptions options) {
  for (const auto& route : routes_) {
    if (route.method == method && route.pattern == pattern) {
      throw std::invalid_argument(
          fmt::format("route {} {} added twice", to_string(method), pattern));
    }
  }
  compiled_.push_back(compile(pattern));
  routes_.push_back({method, std::move(pattern), std::move(handler), std::move(options)});
}

bool Router::matches(const Compiled& compiled, const std::vector<std::string_view>& parts,
                     std::map<std::string, std::string, std::less<>>& params) {
  params.clear();
  const auto& segments = compiled.segments;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& segment = segments[i];
    if (segment.kind == Segment::Kind::kRest) {
      std::string rest;
      for (std::size_t j = i; j < parts.size(); ++j) {
        rest += (j > i ? "/" : "") + std::string(parts[j]);
      }
      params[segment.text] = std::move(rest);
      return true;
    }
    if (i >= parts.size()) return false;
    if (segment.kind == Segment::Kind::kLiteral && segment.text != parts[i]) return false;
    if (segment.kind == Segment::Kind::kParam) {
      if (parts[i].empty()) return false;
      params[segment.text] = std::string(parts[i]);
    }
  }
  return segments.size() == parts.size();
}

// Compares segment by segment: literal beats parameter beats rest.
bool Router::more_specific(const Compiled& a, const Compiled& b) {
  for (std::size_t i = 0; i < std::min(a.segments.size(), b.segments.size()); ++i) {
    if (a.segments[i].kind != b.segments[i].kind) return a.segments[i].kind < b.segments[i].kind;
  }
  return a.segments.size() > b.segments.size();
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match result;
  const auto parts = split_path(path);
  const Compiled* best = nullptr;
  std::map<std::string, std::string, std::less<>> params;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!matches(compiled_[i], parts, params)) continue;
    const auto& route = routes_[i];
    if (std::find(result.allowed.begin(), result.allowed.end(), route.method) ==
        result.allowed.end()) {
      result.allowed.push_back(route.method);
    }
    bool method_fits =
        route.method == method || (method == Method::kHead && route.method == Method::kGet);
    if (!method_fits) continue;
    // An explicit HEAD route wins over the GET that would otherwise answer it.
    bool exact_over_head =
        result.route != nullptr && route.method == method && result.route->method != method;
    if (best == nullptr || more_specific(compiled_[i], *best) || exact_over_head) {
      best = &compiled_[i];
      result.route = &route;
      result.params = params;
    }
  }
  if (std::find(result.allowed.begin(), result.allowed.end(), Method::kGet) !=
          result.allowed.end() &&
      std::find(result.allowed.begin(), result.allowed.end(), Method::kHead) ==
          result.allowed.end()) {
    result.allowed.push_back(Method::kHead);
  }
  return result;
}

}  // namespace sentinel::http
