// AllegroOAuthClient: the seller-authorization side of Allegro (shared/reference/allegro-api.md
// section 1): the authorization-code flow with PKCE, the device flow, and refresh.
//
// The auth server's base URL (https://allegro.pl, its sandbox, or a custom one) is the account's
// setting. Client authentication is HTTP Basic. Errors follow the OAuth body:
//   invalid_grant (refresh token used, expired or revoked)  -> kUnauthenticated, details
//                                                              "invalid_grant": re-authorize
//   invalid_client / unauthorized / unauthorized_client     -> kPermissionDenied (fix client id
//                                                              or secret)
//   access_denied (the seller refused)                      -> kPermissionDenied
//   expired_token (device code expired)                     -> kFailedPrecondition
//   429 -> kRateLimited, 5xx and transport -> kUnavailable (retryable)
// Tokens never reach logs or error texts. Thread-safe if the HttpClient is.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "net/http_client.hpp"

namespace nadajnik::marketplace::allegro {

struct TokenSet {
  Secret<> access_token;
  Secret<> refresh_token;
  Timestamp expires_at;
  std::string scope;
};

struct DeviceAuthorization {
  Secret<> device_code;
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete;
  std::chrono::seconds expires_in{3600};
  std::chrono::seconds interval{5};
};

// One device-flow poll: tokens, or still waiting (possibly asked to slow down).
struct DevicePoll {
  std::optional<TokenSet> tokens;
  bool slow_down = false;
};

// PKCE (RFC 7636, S256): a random verifier and its challenge.
struct Pkce {
  std::string verifier;
  std::string challenge;
};
Pkce MakePkce();

class AllegroOAuthClient {
 public:
  AllegroOAuthClient(net::HttpClient& http, const Clock& clock, std::string auth_base_url,
                     std::string client_id, Secret<> client_secret);

  // The address to send the seller's browser to.
  std::string AuthorizeUrl(const std::string& redirect_uri, const std::string& state,
                           const std::string& code_challenge) const;
  Result<TokenSet> ExchangeCode(const std::string& code, const std::string& redirect_uri,
                                const std::string& code_verifier);
  Result<DeviceAuthorization> StartDevice();
  Result<DevicePoll> PollDevice(const Secret<>& device_code);
  Result<TokenSet> Refresh(const Secret<>& refresh_token);

 private:
  Result<net::HttpResponse> PostForm(const std::string& path, const std::string& form);
  Result<TokenSet> ParseTokens(const net::HttpResponse& response);

  net::HttpClient& http_;
  const Clock& clock_;
  std::string auth_base_url_;
  std::string client_id_;
  Secret<> client_secret_;
};

}  // namespace nadajnik::marketplace::allegro
