// What the panel and API handlers need from the rest of the process. Built in app/wiring.cpp;
// everything here outlives the HTTP server.
#pragma once

#include <functional>
#include <string>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace nadajnik {
class Clock;
namespace store {
class Store;
}
namespace services {
class AuthService;
class AccountService;
class StatusSync;
class ShippingService;
struct ImportReport;
struct ManualImport;
}  // namespace services
namespace marketplace {
class AccountAuthorizer;
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
  // The marketplace side (set by wiring.cpp before the server starts).
  services::AccountService* accounts = nullptr;
  services::StatusSync* status_sync = nullptr;
  services::ShippingService* shipping = nullptr;
  marketplace::AccountAuthorizer* authorizer = nullptr;
  // A manual import of one account ("Importuj"), synchronous, with its report.
  std::function<Result<services::ImportReport>(AccountId, const services::ManualImport&)> import;
  // After an account was authorized: start its import jobs.
  std::function<void(AccountId)> account_authorized;
  std::string public_url;  // for OAuth redirect URIs; empty: the request's own address
};

}  // namespace nadajnik::http
