// AllegroAuthorizer: AccountAuthorizer over Allegro's OAuth server (see account_authorizer.hpp).
#pragma once

#include "marketplace/account_authorizer.hpp"
#include "marketplace/allegro/allegro_connector.hpp"

namespace nadajnik::marketplace::allegro {

class AllegroAuthorizer final : public AccountAuthorizer {
 public:
  explicit AllegroAuthorizer(ConnectorEnv env) : env_(std::move(env)) {}
  Result<std::string> BeginBrowser(AccountId account, const std::string& redirect_uri) override;
  Result<std::pair<AccountId, SellerProfile>> FinishBrowser(const std::string& state,
                                                            const std::string& code) override;
  Result<DeviceStart> StartDevice(AccountId account) override;
  Result<DeviceProgress> PollDevice(AccountId account, const Secret<>& device_code) override;
  Result<SellerProfile> UseRefreshToken(AccountId account, const Secret<>& refresh_token) override;

 private:
  ConnectorEnv env_;
};

}  // namespace nadajnik::marketplace::allegro
