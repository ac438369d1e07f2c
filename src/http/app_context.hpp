// What the panel and API handlers need from the rest of the process. Built in app/wiring.cpp;
// everything here outlives the HTTP server.
#pragma once

#include <string>

namespace nadajnik {
class Clock;
namespace store {
class Store;
}
namespace services {
class AuthService;
}
namespace observability {
class Metrics;
}
}  // namespace nadajnik

namespace nadajnik::http {

struct AppContext {
  store::Store& store;
  const Clock& clock;
  services::AuthService& auth;
  observability::Metrics& metrics;
  bool secure_cookies = false;  // public_url is https: cookies get Secure
  int session_ttl_seconds = 12 * 3600;
  std::string version;
};

}  // namespace nadajnik::http
