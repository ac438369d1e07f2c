// MarketplaceAccount: one Allegro seller account connected to Nadajnik.
//
// The environment decides the base URLs (production, Allegro's sandbox, or custom URLs for the
// auth server and the REST API: never constants in code). Tokens and the client secret are
// Secret<> in memory and encrypted at rest by the repository. An account whose refresh token
// died is kNeedsReauthorization with the reason and time: its jobs pause, nothing is dropped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/secret.hpp"
#include "domain/marketplace.hpp"

namespace nadajnik::domain {

enum class AccountEnvironment { kProduction, kSandbox, kCustom };
std::string_view AccountEnvironmentName(AccountEnvironment e);  // "production"
std::optional<AccountEnvironment> ParseAccountEnvironment(std::string_view s);

enum class AccountState { kNew, kActive, kNeedsReauthorization, kDisabled };
std::string_view AccountStateName(AccountState s);  // "needs_reauthorization"
std::optional<AccountState> ParseAccountState(std::string_view s);

struct MarketplaceAccount {
  AccountId id;
  std::string name;
  std::string alias;  // two letters, unique, shown on every order
  std::string login;
  std::string seller_id;  // Allegro user id (GET /me id, the token's user_name)
  Marketplace base_marketplace = Marketplace::kAllegroPl;
  AccountEnvironment environment = AccountEnvironment::kProduction;
  std::string auth_base_url;  // e.g. https://allegro.pl (custom environments only)
  std::string api_base_url;   // e.g. https://api.allegro.pl
  std::string client_id;
  Secret<> client_secret;
  Secret<> access_token;
  Secret<> refresh_token;
  std::optional<Timestamp> access_token_expires_at;
  AccountState state = AccountState::kNew;
  std::string state_reason;
  std::optional<Timestamp> state_changed_at;
  std::string journal_cursor;                     // last processed /order/events id
  std::optional<Timestamp> journal_position_at;   // occurredAt of that event
  std::optional<Timestamp> last_journal_read_at;  // when the journal was last read successfully
  std::optional<Timestamp> sweep_cursor;          // reconciliation done up to this updatedAt
  std::string last_error;  // the last import/sync failure, shown until the next success
  std::optional<Timestamp> last_error_at;
  Timestamp created_at;
  Timestamp updated_at;
};

// Alias rules: exactly two characters A-Z or 0-9 (stored upper-case).
Result<std::string> NormalizeAlias(std::string_view alias);

}  // namespace nadajnik::domain
