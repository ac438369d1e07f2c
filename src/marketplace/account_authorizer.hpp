// AccountAuthorizer: connecting a seller's marketplace account (Allegro today) to Nadajnik.
//
// Three ways in, all ending with the account active, its tokens stored encrypted and its seller
// learnt from the marketplace (a different seller than the account had before is refused, so
// two sellers' orders never mix):
//   - the browser flow: BeginBrowser gives the address to send the seller to (with a single-use
//     `state` stored hashed and a PKCE verifier); FinishBrowser takes the callback's state and
//     code;
//   - the device flow (CLI, headless servers): StartDevice, then PollDevice until it is done;
//   - a refresh token migrated from another tool: UseRefreshToken.
// Errors: kInvalidArgument (unknown/expired state), kPermissionDenied (the seller refused, or
// the client id/secret is wrong), kFailedPrecondition (device code expired, other seller),
// kUnavailable (the marketplace is unreachable). Thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "marketplace/marketplace_connector.hpp"

namespace nadajnik::marketplace {

struct DeviceStart {
  Secret<> device_code;
  std::string user_code;
  std::string verification_uri_complete;
  std::chrono::seconds interval{5};
  std::chrono::seconds expires_in{3600};
};

struct DeviceProgress {
  bool done = false;
  bool slow_down = false;
  SellerProfile seller;  // when done
};

class AccountAuthorizer {
 public:
  virtual ~AccountAuthorizer() = default;
  virtual Result<std::string> BeginBrowser(AccountId account, const std::string& redirect_uri) = 0;
  // Returns the account the state belonged to and the seller.
  virtual Result<std::pair<AccountId, SellerProfile>> FinishBrowser(const std::string& state,
                                                                    const std::string& code) = 0;
  virtual Result<DeviceStart> StartDevice(AccountId account) = 0;
  virtual Result<DeviceProgress> PollDevice(AccountId account, const Secret<>& device_code) = 0;
  virtual Result<SellerProfile> UseRefreshToken(AccountId account,
                                                const Secret<>& refresh_token) = 0;
};

}  // namespace nadajnik::marketplace
