#include "http/router.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <set>
#include <string_view>

#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace nadajnik::http {
namespace {

constexpr char kRequestsTotal[] = "nadajnik_http_requests_total";
constexpr char kRequestDuration[] = "nadajnik_http_request_duration_seconds";
constexpr char kUnmatched[] = "unmatched";

struct Segment {
  std::string text;  // the literal, or the placeholder's name
  bool placeholder = false;
};

// "/a/{id}/b" -> [a, {id}, b]; "/" -> []. Empty segments ("/a//b", "/a/") are kept as empty
// literals, so a trailing slash is a different path.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path == "/") return segments;
  if (path.front() == '/') path.remove_prefix(1);
  while (true) {
    const std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// The method label is user input: anything outside the standard set is "other".
std::string MethodLabel(std::string_view method) {
  static const std::set<std::string_view> kKnown = {"GET",   "HEAD",   "POST",   "PUT",
                                                    "PATCH", "DELETE", "OPTIONS"};
  return kKnown.contains(method) ? std::string(method) : "other";
}

}  // namespace

struct Router::Route {
  std::string method;
  std::string pattern;
  std::vector<Segment> segments;
  Handler handler;

  // Fills `params` if `path` matches.
  bool Match(const std::vector<std::string_view>& path,
             std::map<std::string, std::string>* params) const {
    if (path.size() != segments.size()) return false;
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (segments[i].placeholder ? path[i].empty() : path[i] != segments[i].text) return false;
    }
    params->clear();
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (segments[i].placeholder) (*params)[segments[i].text] = std::string(path[i]);
    }
    return true;
  }

  // Literal segments are more specific than placeholders, earlier segments weigh more:
  // "/orders/new" wins over "/orders/{id}".
  bool MoreSpecificThan(const Route& other) const {
    for (std::size_t i = 0; i < segments.size() && i < other.segments.size(); ++i) {
      if (segments[i].placeholder != other.segments[i].placeholder) {
        return !segments[i].placeholder;
      }
    }
    return false;
  }
};

Router::Router(observability::Metrics* metrics) : metrics_(metrics) {
  if (metrics_ != nullptr) {
    metrics_->Describe(kRequestsTotal, "counter", "HTTP requests by method, route and status.");
    metrics_->Describe(kRequestDuration, "histogram",
                       "Time to handle an HTTP request in seconds, by route.");
  }
}

Router::~Router() = default;

void Router::Add(std::string method, std::string pattern, Handler handler) {
  auto route = std::make_unique<Route>();
  for (std::string_view segment : SplitPath(pattern)) {
    Segment parsed;
    if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
      parsed.placeholder = true;
      parsed.text = std::string(segment.substr(1, segment.size() - 2));
    } else {
      parsed.text = std::string(segment);
    }
    route->segments.push_back(std::move(parsed));
  }
  route->method = std::move(method);
  route->pattern = std::move(pattern);
  route->handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Response Router::Dispatch(Request& request) const {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string_view> path = SplitPath(request.path);

  // HEAD is served by the GET handler when there is no HEAD route; the server drops the body.
  const Route* best = nullptr;
  const Route* best_get = nullptr;
  std::set<std::string> allowed;
  std::map<std::string, std::string> params;
  for (const auto& route : routes_) {
    if (!route->Match(path, &params)) continue;
    allowed.insert(route->method);
    if (route->method == request.method) {
      if (best == nullptr || route->MoreSpecificThan(*best)) best = route.get();
    } else if (route->method == "GET" && request.method == "HEAD") {
      if (best_get == nullptr || route->MoreSpecificThan(*best_get)) best_get = route.get();
    }
  }
  if (best == nullptr) best = best_get;

  Response response;
  std::string route_label = kUnmatched;
  if (best != nullptr) {
    route_label = best->pattern;
    best->Match(path, &request.path_params);
    try {
      response = best->handler(request);
    } catch (const std::exception& e) {
      log::Error(
          "http.handler_exception",
          {{"request_id", request.request_id}, {"route", best->pattern}, {"error", e.what()}});
      response = Response::Text(500, "Internal server error. Request id: " + request.request_id);
    } catch (...) {
      log::Error("http.handler_exception", {{"request_id", request.request_id},
                                            {"route", best->pattern},
                                            {"error", "unknown exception"}});
      response = Response::Text(500, "Internal server error. Request id: " + request.request_id);
    }
  } else if (allowed.empty()) {
    response = Response::Text(404, "Not found.");
  } else {
    if (allowed.contains("GET")) allowed.insert("HEAD");
    std::string allow;
    for (const std::string& method : allowed) {
      if (!allow.empty()) allow += ", ";
      allow += method;
    }
    response = Response::Text(405, "Method not allowed. Allowed: " + allow);
    response.SetHeader("Allow", allow);
  }

  if (metrics_ != nullptr) {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    metrics_->CounterAdd(kRequestsTotal, {{"method", MethodLabel(request.method)},
                                          {"route", route_label},
                                          {"status", std::to_string(response.status)}});
    metrics_->HistogramObserve(kRequestDuration, {{"route", route_label}}, elapsed.count());
  }
  return response;
}

}  // namespace nadajnik::http
