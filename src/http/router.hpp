// Router: maps METHOD + path pattern to a handler. Patterns are literal segments and
// {name} placeholders ("/api/v1/orders/{id}"); a placeholder matches one non-empty segment.
//
// Dispatch() answers 404 for an unknown path and 405 (with Allow) for a known path with another
// method. It records nadajnik_http_requests_total{method,route,status} and
// nadajnik_http_request_duration_seconds{route} in the metrics registry, where route is the
// pattern (bounded cardinality), or "unmatched". Handlers are called on server threads and must be
// thread-safe. A handler that throws yields a 500 with the request id (logged, never the details).
// Add() is not thread-safe: build the router before the server starts.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/request.hpp"

namespace nadajnik::observability {
class Metrics;
}

namespace nadajnik::http {

using Handler = std::function<Response(Request&)>;

class Router {
 public:
  explicit Router(observability::Metrics* metrics = nullptr);
  ~Router();

  void Add(std::string method, std::string pattern, Handler handler);
  void Get(std::string pattern, Handler handler) {
    Add("GET", std::move(pattern), std::move(handler));
  }
  void Post(std::string pattern, Handler handler) {
    Add("POST", std::move(pattern), std::move(handler));
  }

  Response Dispatch(Request& request) const;

 private:
  struct Route;
  std::vector<std::unique_ptr<Route>> routes_;
  observability::Metrics* metrics_;
};

}  // namespace nadajnik::http
