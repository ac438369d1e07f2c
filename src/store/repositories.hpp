// Repository interfaces: what services may ask of the store. One implementation (store/sql/)
// in SQL both backends accept; the backend is a DbConnection (store/sqlite/, store/postgres/).
//
// Contract for every method: it runs inside the unit of work it came from (so a job enqueued
// with a change commits or rolls back with it); it returns kNotFound / kAlreadyExists /
// kInvalidArgument with a message safe to show, kUnavailable when the database is busy or gone.
// Repositories are not thread-safe; a UnitOfWork belongs to one thread for its lifetime.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "domain/account.hpp"
#include "domain/order.hpp"
#include "domain/order_event.hpp"
#include "domain/shipment.hpp"
#include "domain/user.hpp"

namespace nadajnik::store {

// ---- Orders -------------------------------------------------------------------------------

enum class UpsertOutcome { kInserted, kUpdated, kUnchanged, kStale };

struct UpsertResult {
  OrderId id;
  UpsertOutcome outcome = UpsertOutcome::kUnchanged;
};

struct OrderFilter {
  std::optional<AccountId> account_id;
  std::optional<domain::Marketplace> marketplace;
  std::optional<StatusId> local_status_id;
  std::optional<domain::CheckoutStatus> checkout_status;
  std::optional<bool> smart;
  std::optional<bool> cash_on_delivery;
  std::optional<Timestamp> bought_from;
  std::optional<Timestamp> bought_to;
  std::string text;  // buyer login, e-mail, name, checkout form id (substring, case-insensitive)
  bool needs_attention = false;
  // Keyset paging, newest first: orders strictly after (bought_at, id) of the last row seen.
  std::optional<std::pair<Timestamp, OrderId>> after;
  int limit = 50;  // 1..500
};

class OrderRepository {
 public:
  virtual ~OrderRepository() = default;
  // Inserts a new checkout form or updates a stored one if the incoming revision is newer.
  // Local fields (local status, attention flag) survive updates. Same revision: kUnchanged;
  // older: kStale (nothing written).
  virtual Result<UpsertResult> Upsert(const domain::Order& order, Timestamp now) = 0;
  virtual Result<std::optional<domain::Order>> Get(OrderId id) = 0;
  virtual Result<std::optional<domain::Order>> FindByCheckoutForm(AccountId account,
                                                                  const CheckoutFormId& id) = 0;
  // Orders holding a line item (a merged payment moves line items to a new checkout form).
  virtual Result<std::vector<OrderId>> FindByLineItem(AccountId account, const LineItemId& id) = 0;
  // Orders without their line items (items is empty), newest first.
  virtual Result<std::vector<domain::Order>> List(const OrderFilter& filter) = 0;
  virtual Result<std::int64_t> Count(const OrderFilter& filter) = 0;
  virtual Result<void> SetLocalStatus(OrderId id, StatusId status, Timestamp now) = 0;
  virtual Result<void> SetAttention(OrderId id, bool needs_attention, const std::string& reason,
                                    Timestamp now) = 0;
};

class StatusRepository {
 public:
  virtual ~StatusRepository() = default;
  virtual Result<std::vector<domain::LocalStatus>> List() = 0;
};

class OrderEventRepository {
 public:
  virtual ~OrderEventRepository() = default;
  virtual Result<void> Append(const domain::OrderEvent& event) = 0;
  virtual Result<std::vector<domain::OrderEvent>> ListForOrder(OrderId id) = 0;
};

// ---- Accounts -----------------------------------------------------------------------------

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;
  // Secrets (client secret, tokens) are encrypted before they reach the database.
  virtual Result<AccountId> Create(const domain::MarketplaceAccount& account, Timestamp now) = 0;
  virtual Result<std::optional<domain::MarketplaceAccount>> Get(AccountId id) = 0;
  virtual Result<std::vector<domain::MarketplaceAccount>> List() = 0;
  virtual Result<void> UpdateTokens(AccountId id, const Secret<>& access_token,
                                    const Secret<>& refresh_token, Timestamp expires_at,
                                    Timestamp now) = 0;
  virtual Result<void> SetState(AccountId id, domain::AccountState state, const std::string& reason,
                                Timestamp now) = 0;
  virtual Result<void> SetJournalCursor(AccountId id, const std::string& cursor, Timestamp now) = 0;
};

// ---- Shipments ----------------------------------------------------------------------------

class ShipmentRepository {
 public:
  virtual ~ShipmentRepository() = default;
  // Stores a pending shipment under its idempotency key. If the key exists, returns the stored
  // shipment's id and created=false: the caller asks what happened instead of creating again.
  struct InsertResult {
    ShipmentId id;
    bool created = false;
  };
  virtual Result<InsertResult> InsertPending(const domain::Shipment& shipment, Timestamp now) = 0;
  virtual Result<std::optional<domain::Shipment>> Get(ShipmentId id) = 0;
  virtual Result<std::optional<domain::Shipment>> FindByIdempotencyKey(const std::string& key) = 0;
  virtual Result<std::vector<domain::Shipment>> ListForOrder(OrderId id) = 0;
  // Writes state, remote id, tracking, label and error fields of a stored shipment.
  virtual Result<void> Update(const domain::Shipment& shipment, Timestamp now) = 0;
};

// ---- Users, sessions, API tokens ------------------------------------------------------------

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  virtual Result<UserId> Create(const domain::User& user, Timestamp now) = 0;
  virtual Result<std::optional<domain::User>> Get(UserId id) = 0;
  virtual Result<std::optional<domain::User>> FindByUsername(const std::string& username) = 0;
  virtual Result<std::vector<domain::User>> List() = 0;
  virtual Result<void> SetPassword(UserId id, const std::string& password_hash,
                                   bool must_change_password, Timestamp now) = 0;
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  virtual Result<void> Create(const domain::Session& session) = 0;
  // A session that exists and has not expired at `now`.
  virtual Result<std::optional<domain::Session>> FindValid(const std::string& token_hash,
                                                           Timestamp now) = 0;
  virtual Result<void> Delete(const std::string& token_hash) = 0;
  virtual Result<void> DeleteForUser(UserId id) = 0;
  virtual Result<std::int64_t> DeleteExpired(Timestamp now) = 0;
};

class ApiTokenRepository {
 public:
  virtual ~ApiTokenRepository() = default;
  virtual Result<ApiTokenId> Create(const domain::ApiToken& token, domain::Role role) = 0;
  // An unrevoked token with this hash, and its role.
  virtual Result<std::optional<std::pair<domain::ApiToken, domain::Role>>> FindActive(
      const std::string& token_hash) = 0;
  virtual Result<void> Touch(ApiTokenId id, Timestamp now) = 0;
  virtual Result<std::vector<domain::ApiToken>> List() = 0;
  virtual Result<void> Revoke(ApiTokenId id, Timestamp now) = 0;
};

// Failed logins, counted per key ("user:<name>", "addr:<ip>") for rate limiting across instances.
class LoginFailureRepository {
 public:
  virtual ~LoginFailureRepository() = default;
  virtual Result<void> Record(const std::string& key, Timestamp at) = 0;
  virtual Result<std::int64_t> CountSince(const std::string& key, Timestamp since) = 0;
  // The time of the oldest failure counted since `since` (to compute Retry-After).
  virtual Result<std::optional<Timestamp>> OldestSince(const std::string& key, Timestamp since) = 0;
  virtual Result<void> Clear(const std::string& key) = 0;
  virtual Result<std::int64_t> Prune(Timestamp before) = 0;
};

}  // namespace nadajnik::store
