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
#include "domain/carrier_settings.hpp"
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

// Orders list order; each has an index, and keyset paging continues after the last row's key.
enum class OrderSort { kNewest, kOldest, kTotalDesc, kTotalAsc };

// The last row of a page: its sort key (bought_at in Unix ms, or total_minor) and id.
struct OrderCursor {
  std::int64_t key = 0;
  OrderId id;
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
  // The carrier code of the order's latest active shipment; "" = orders without one.
  std::optional<std::string> carrier;
  // Buyer login, e-mail, name, checkout form id (substring, case-insensitive) or a shipment's
  // tracking number (exact).
  std::string text;
  bool needs_attention = false;
  OrderSort sort = OrderSort::kNewest;
  std::optional<OrderCursor> after;  // rows strictly after this one in `sort` order
  int limit = 50;                    // 1..500
};

// Orders per account and local status (merged orders left out).
struct OrderStatusCount {
  AccountId account_id;
  std::optional<StatusId> local_status_id;
  std::int64_t orders = 0;
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
  // Counts up to `cap` matches (cap + 1 means "more than cap"): a bounded scan for the list's
  // filtered total, where an exact count of a million rows would cost a full scan.
  virtual Result<std::int64_t> CountUpTo(const OrderFilter& filter, std::int64_t cap) = 0;
  // Orders per (account, local status) from the counters the triggers keep: no scan.
  virtual Result<std::vector<OrderStatusCount>> CountByStatus() = 0;
  // Orders needing attention per account (merged left out).
  virtual Result<std::vector<std::pair<AccountId, std::int64_t>>> CountAttention() = 0;
  // Folds the counters' +1/-1 rows into one row per key; returns how many rows it folded.
  virtual Result<std::int64_t> CompactCounts() = 0;
  // The sort key of `o` for an OrderCursor in `sort` order.
  static std::int64_t SortKey(const domain::Order& o, OrderSort sort);
  virtual Result<void> SetLocalStatus(OrderId id, StatusId status, Timestamp now) = 0;
  virtual Result<void> SetAttention(OrderId id, bool needs_attention, const std::string& reason,
                                    Timestamp now) = 0;
  // Hides `id` behind the order that replaced it (a joint payment merged its checkout form).
  virtual Result<void> MarkMerged(OrderId id, OrderId into, Timestamp now) = 0;
  // The (checkout form id, revision, remote updatedAt) of stored forms among `ids`: lets the
  // import skip fetching forms it already holds. Ids not stored are absent from the result.
  struct StoredRevision {
    CheckoutFormId checkout_form_id;
    std::string revision;
    Timestamp remote_updated_at;
  };
  virtual Result<std::vector<StoredRevision>> StoredRevisions(
      AccountId account, const std::vector<CheckoutFormId>& ids) = 0;
};

class StatusRepository {
 public:
  virtual ~StatusRepository() = default;
  virtual Result<std::vector<domain::LocalStatus>> List() = 0;
  virtual Result<std::optional<domain::LocalStatus>> FindByName(const std::string& name) = 0;
};

// Which Allegro fulfilment status a local status sends, per account. An account without its own
// row for a status uses the status's default (W realizacji -> PROCESSING, Gotowe do wysyłki ->
// READY_FOR_SHIPMENT, Wysłane -> SENT, Anulowane -> CANCELLED, Nowe -> nothing).
struct StatusMapping {
  StatusId local_status_id;
  std::string local_status_name;
  std::optional<domain::FulfillmentStatus> fulfillment;  // nullopt: the change stays local
  bool account_specific = false;                         // false: the default applies
};
class StatusMappingRepository {
 public:
  virtual ~StatusMappingRepository() = default;
  // The effective mapping of every local status for `account`, in status order.
  virtual Result<std::vector<StatusMapping>> List(AccountId account) = 0;
  virtual Result<std::optional<domain::FulfillmentStatus>> Mapped(AccountId account,
                                                                  StatusId status) = 0;
  // The first local status (by position) that maps to `fulfillment` for `account`.
  virtual Result<std::optional<StatusId>> LocalFor(AccountId account,
                                                   domain::FulfillmentStatus fulfillment) = 0;
  virtual Result<void> Set(AccountId account, StatusId status,
                           std::optional<domain::FulfillmentStatus> fulfillment) = 0;
};

// Orders the journal missed and the reconciliation sweep caught (Allegro is known to skip
// events), kept per account so the seller and operator can see how often it happens.
struct IntegrityIncident {
  std::int64_t id = 0;
  AccountId account_id;
  CheckoutFormId checkout_form_id;
  std::string kind;     // "missed_by_journal"
  std::string message;  // Polish, safe to show
  Timestamp at;
};
class IntegrityIncidentRepository {
 public:
  virtual ~IntegrityIncidentRepository() = default;
  virtual Result<void> Record(const IntegrityIncident& incident) = 0;
  // Newest first; account nullopt = all accounts.
  virtual Result<std::vector<IntegrityIncident>> List(std::optional<AccountId> account,
                                                      int limit) = 0;
  virtual Result<std::int64_t> Count(AccountId account) = 0;
};

// Checkout forms that could not be mapped or stored: kept raw with the error, retried by the
// import, shown until they import (resolved) . One open row per (account, checkout form).
struct ImportFailure {
  std::int64_t id = 0;
  AccountId account_id;
  CheckoutFormId checkout_form_id;
  std::string raw_json;  // bounded by the caller (256 KiB)
  std::string error;
  int attempts = 0;
  Timestamp first_failed_at;
  Timestamp last_failed_at;
  std::optional<Timestamp> resolved_at;
};
class ImportFailureRepository {
 public:
  virtual ~ImportFailureRepository() = default;
  // Inserts an open failure, or updates the open one (raw, error, attempts + 1, last_failed_at).
  virtual Result<void> Record(AccountId account, const CheckoutFormId& id,
                              const std::string& raw_json, const std::string& error,
                              Timestamp now) = 0;
  // Marks the open failure of this form resolved (no-op if none).
  virtual Result<void> Resolve(AccountId account, const CheckoutFormId& id, Timestamp now) = 0;
  // Open failures, oldest first; account nullopt = all accounts.
  virtual Result<std::vector<ImportFailure>> ListOpen(std::optional<AccountId> account,
                                                      int limit) = 0;
  virtual Result<std::int64_t> CountOpen(AccountId account) = 0;
};

// The browser OAuth flow between the redirect to Allegro and the callback: the state value
// (stored hashed) maps to the account and the PKCE verifier (encrypted). Single use.
struct OAuthState {
  AccountId account_id;
  Secret<> code_verifier;
  std::string redirect_uri;
  Timestamp created_at;
  Timestamp expires_at;
};
class OAuthStateRepository {
 public:
  virtual ~OAuthStateRepository() = default;
  virtual Result<void> Create(const std::string& state_hash, const OAuthState& state) = 0;
  // Deletes and returns the unexpired state with this hash (nullopt if unknown or expired).
  virtual Result<std::optional<OAuthState>> Take(const std::string& state_hash, Timestamp now) = 0;
  virtual Result<std::int64_t> DeleteExpired(Timestamp now) = 0;
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
  virtual Result<std::optional<domain::MarketplaceAccount>> FindByAlias(
      const std::string& alias) = 0;
  // Login and Allegro user id learnt from GET /me after authorization.
  virtual Result<void> SetProfile(AccountId id, const std::string& login,
                                  const std::string& seller_id, Timestamp now) = 0;
  // Journal progress: the cursor, the time of the event it names, and when it was read; clears
  // last_error. Written in the same transaction as the orders the events produced.
  virtual Result<void> RecordJournalProgress(AccountId id, const std::string& cursor,
                                             std::optional<Timestamp> position_at,
                                             Timestamp now) = 0;
  virtual Result<void> SetSweepCursor(AccountId id, Timestamp cursor, Timestamp now) = 0;
  // The last import/sync failure (shown per account); an empty error clears it.
  virtual Result<void> SetLastError(AccountId id, const std::string& error, Timestamp now) = 0;
  // The refresh lease: one refresher per account across processes. Acquired when no lease is
  // held, the held one expired, or `owner` holds it already; returns whether it was acquired.
  virtual Result<bool> AcquireRefreshLease(AccountId id, const std::string& owner, Timestamp until,
                                           Timestamp now) = 0;
  virtual Result<void> ReleaseRefreshLease(AccountId id, const std::string& owner) = 0;
};

// ---- Shipments ----------------------------------------------------------------------------

struct ShipmentFilter {
  std::optional<AccountId> account;
  std::optional<domain::ShipmentState> state;
  std::optional<domain::Carrier> carrier;
  bool not_handed_over = false;  // only shipments no closed day has handed over yet
  int limit = 100;
};

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
  // Shipments with a label whose tracking is not final and was last checked before
  // `checked_before` (never checked first), at most `limit`.
  virtual Result<std::vector<domain::Shipment>> ListDueForTracking(Timestamp checked_before,
                                                                   int limit) = 0;
  // Newest first.
  virtual Result<std::vector<domain::Shipment>> List(const ShipmentFilter& filter) = 0;
  // Writes state, remote id, tracking, label, error and bookkeeping fields of a stored shipment.
  virtual Result<void> Update(const domain::Shipment& shipment, Timestamp now) = 0;
};

// ---- Carrier contracts --------------------------------------------------------------------

// Secrets are sealed before they reach the database, bound to (account, carrier), so a value
// copied to another row does not open. kNotFound for an unknown account.
class CarrierSettingsRepository {
 public:
  virtual ~CarrierSettingsRepository() = default;
  // Inserts or replaces the account's settings for that carrier.
  virtual Result<void> Put(const domain::CarrierSettings& settings, Timestamp now) = 0;
  virtual Result<std::optional<domain::CarrierSettings>> Get(AccountId account,
                                                             domain::Carrier carrier) = 0;
  virtual Result<std::vector<domain::CarrierSettings>> List(AccountId account) = 0;
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
  // The user's label printer; kNotFound for an unknown user.
  virtual Result<void> SetLabelFormat(UserId id, domain::LabelFormat format, Timestamp now) = 0;
  // Role and the disabled flag (a disabled user can't log in, its sessions don't authenticate);
  // kNotFound for an unknown user. Whether the last admin may lose the role is the caller's rule.
  virtual Result<void> SetRole(UserId id, domain::Role role, Timestamp now) = 0;
  virtual Result<void> SetDisabled(UserId id, bool disabled, Timestamp now) = 0;
  // Removes the user and its sessions (ON DELETE CASCADE); kNotFound for an unknown user.
  virtual Result<void> Delete(UserId id) = 0;
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
