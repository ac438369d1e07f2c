// ApiSession: the JSON API of a running NadajnikInstance as an ERP would use it: an API token
// created once through the CLI, then Bearer calls over loopback HTTP.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/sandbox_process.hpp"

namespace nadajnik::testing {

// Fast polling and short leases, so that shipping tests wait seconds, not minutes.
inline const NadajnikInstance::Env kFastShipping = {
    {"NADAJNIK_ALLEGRO_JOURNAL_INTERVAL_MS", "200"},
    {"NADAJNIK_JOBS_POLL_INTERVAL_MS", "50"},
    {"NADAJNIK_JOBS_LEASE_SECONDS", "5"},
    {"NADAJNIK_JOBS_BACKOFF_BASE_MS", "200"},
    {"NADAJNIK_JOBS_BACKOFF_MAX_MS", "2000"},
    {"NADAJNIK_SHIPPING_TRACKING_INTERVAL_MINUTES", "1"},
    {"NADAJNIK_SHIPPING_TRACKING_RUN_SECONDS", "1"}};

class ApiSession {
 public:
  explicit ApiSession(NadajnikInstance& nadajnik) : nadajnik_(nadajnik) {}

  // `nadajnik api-tokens create` on first use.
  const std::string& Token();
  HttpResult Call(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::vector<std::pair<std::string, std::string>>& extra = {});
  // The answer as JSON (null when it is not JSON), expecting status `expect`.
  boost::json::value Api(const std::string& method, const std::string& path,
                         const std::string& body = "", int expect = 200);

 private:
  NadajnikInstance& nadajnik_;
  HttpClient http_;
  std::string token_;
};

// `nadajnik accounts add` for a sandbox seller, authorized with a refresh token.
void AddSandboxAccount(NadajnikInstance& nadajnik, SandboxProcess& sandbox,
                       const std::string& alias, const std::string& login = "sprzedawca-pl");

// The tracking numbers Allegro (the sandbox) holds for a checkout form.
std::vector<std::string> AllegroWaybills(SandboxProcess& sandbox, const std::string& form);

}  // namespace nadajnik::testing
