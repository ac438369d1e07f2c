// AllegroConnector: MarketplaceConnector over Allegro's REST API for one stored account.
//
// Every call: takes a slot from the application's RequestBudget (priority kHigh: import and
// status pushes), sends Allegro's vendor media type, and maps the answer (see
// marketplace_connector.hpp for the error codes). Idempotent calls (GET, the fulfilment PUT) are
// retried twice on 5xx and transport errors with a short pause; everything else is the job
// runner's business.
//
// Tokens: the access token is refreshed ahead of expiry, or once after a 401 invalid_token.
// Refreshing takes the account's refresh lease in the store (one refresher per account across
// processes, shorter than Allegro's 60-second grace for a used refresh token, so a process that
// died mid-refresh is covered), writes the new pair before using it, and releases the lease. An
// invalid_grant marks the account needs_reauthorization with the reason; the caller gets
// kUnauthenticated. Each response's trace-id is logged with failures (Allegro support asks for
// it); tokens never are.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "marketplace/allegro/oauth_client.hpp"
#include "marketplace/allegro/request_budget.hpp"
#include "marketplace/marketplace_connector.hpp"
#include "net/http_client.hpp"
#include "store/store.hpp"

namespace nadajnik::observability {
class Metrics;
}

namespace nadajnik::marketplace::allegro {

struct ConnectorOptions {
  std::string lease_owner;                  // this process (host:pid:random)
  std::chrono::seconds refresh_ahead{600};  // refresh when less than this is left
  std::chrono::seconds refresh_lease{30};   // < Allegro's 60 s grace of a used refresh token
  std::chrono::milliseconds retry_pause{300};
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // one call
  std::string accept_language = "pl-PL";
};

// The process-wide parts every connector shares.
struct ConnectorEnv {
  net::HttpClient& http;
  store::Store& store;
  const Clock& clock;
  BudgetRegistry& budgets;
  ConnectorOptions options;
  observability::Metrics* metrics = nullptr;
};

class AllegroConnectorFactory final : public ConnectorFactory {
 public:
  explicit AllegroConnectorFactory(ConnectorEnv env) : env_(std::move(env)) {}
  Result<std::unique_ptr<MarketplaceConnector>> ForAccount(AccountId account) override;

 private:
  ConnectorEnv env_;
};

// Stores a freshly issued token pair for `account` (after the browser or device flow, or a
// refresh token migrated from another tool), learns the seller from GET /me, and makes the
// account active again. Jobs paused by a needs_reauthorization state resume.
Result<SellerProfile> StoreAuthorization(ConnectorEnv& env, AccountId account,
                                         const TokenSet& tokens);

// An OAuth client for a stored account (its auth URL, client id and secret).
Result<AllegroOAuthClient> OAuthClientFor(ConnectorEnv& env, AccountId account);

}  // namespace nadajnik::marketplace::allegro
