// SandboxProcess: nadajnik-sandbox in a child process for integration tests, with helpers for
// its admin endpoints (/__sandbox/...) and Allegro-shaped REST calls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {

inline constexpr char kVendor[] = "application/vnd.allegro.public.v1+json";
inline constexpr char kSandboxClientId[] = "nadajnik-sandbox";
inline constexpr char kSandboxClientSecret[] = "nadajnik-sandbox-secret";

class SandboxProcess {
 public:
  // Starts the sandbox (seed 42) with `extra` arguments; fails the test if it does not listen.
  void Start(std::vector<std::string> extra = {});
  // An admin call; expects a 2xx answer.
  boost::json::value Admin(const std::string& method, const std::string& path,
                           const std::string& body = "{}");
  // A fresh access token of a seller (no browser).
  std::string Token(const std::string& login = "sprzedawca-pl");
  // A fresh refresh token of a seller (what another tool would hand over).
  std::string RefreshToken(const std::string& login = "sprzedawca-pl");
  HttpResult Api(const std::string& method, const std::string& path, const std::string& token,
                 const std::string& body = "");
  static boost::json::value Json(const HttpResult& r);
  const std::string& base() const { return base_; }

  std::string base_;
  HttpClient client_;

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
};

}  // namespace nadajnik::testing
