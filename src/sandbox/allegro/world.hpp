// World: everything the Allegro sandbox remembers, in memory.
//
// One mutex guards it all (handlers lock `mu` for the whole request; the sandbox is a test tool
// and correctness beats parallelism here). Time is the sandbox's own: the real clock plus an
// offset that the admin endpoint can advance, so tests can expire tokens and age the journal
// without waiting.
//
// Orders are compact records; their static content comes from the generator (GenerateOrder with
// the run's seed and the record's index), so 1,000,000 orders fit in well under 2 GB.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "sandbox/allegro/model.hpp"
#include "sandbox/allegro/sale_state.hpp"

namespace nadajnik::sandbox::allegro {

struct SandboxOptions {
  std::uint64_t seed = 1;
  std::string client_id = "nadajnik-sandbox";
  std::string client_secret = "nadajnik-sandbox-secret";
  // Registered redirect URIs; empty accepts any http://127.0.0.1:* or http://localhost:* URI.
  std::vector<std::string> redirect_uris;
  std::chrono::seconds access_token_ttl{43199};
  std::chrono::seconds refresh_token_ttl{std::chrono::hours(24 * 90)};
  int requests_per_minute = 9000;  // per client id, as in production
  // How long a client id over its budget is blocked (Allegro: "about one minute"); each call
  // during the block extends it by a sixth of this, so a short block for tests scales alike.
  std::chrono::seconds rate_limit_block{60};
  std::vector<std::string> scenarios;
};

// A seller account that can log in on the consent page.
struct Seller {
  std::string id;  // numeric string, e.g. "437848322"
  std::string login;
  std::string password;
  Marketplace base_marketplace = Marketplace::kPl;
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string company_name;
  std::string tax_id;
};

// An issued access token (user token, or an application token when seller_id is empty).
struct AccessGrant {
  std::string seller_id;
  std::string client_id;
  std::vector<std::string> scopes;
  Timestamp expires_at;
  bool revoked = false;
};

struct RefreshGrant {
  std::string seller_id;
  std::string client_id;
  std::vector<std::string> scopes;
  Timestamp expires_at;
  std::optional<Timestamp> used_at;  // single use, with Allegro's 60 s grace period
  std::string access_token;          // the pair it was issued with
  bool revoked = false;
};

struct AuthorizationCode {
  std::string seller_id;
  std::string client_id;
  std::string redirect_uri;
  std::vector<std::string> scopes;
  std::string code_challenge;  // PKCE S256, may be empty
  Timestamp expires_at;
  bool used = false;
};

enum class DeviceState : std::uint8_t { kPending, kApproved, kDenied };

struct DeviceAuthorization {
  std::string device_code;
  std::string user_code;
  std::string client_id;
  std::string seller_id;  // set on approval
  DeviceState state = DeviceState::kPending;
  Timestamp expires_at;
  std::optional<Timestamp> last_poll;
  bool redeemed = false;
};

enum class CheckoutStatus : std::uint8_t { kBought, kFilledIn, kReadyForProcessing, kCancelled };
enum class FulfillmentStatus : std::uint8_t {
  kNew,
  kProcessing,
  kReadyForShipment,
  kReadyForPickup,
  kSent,
  kPickedUp,
  kCancelled,
  kSuspended,
  kReturned,
};
std::string_view CheckoutStatusWire(CheckoutStatus s);
std::optional<CheckoutStatus> ParseCheckoutStatusWire(std::string_view s);
std::string_view FulfillmentStatusWire(FulfillmentStatus s);
std::optional<FulfillmentStatus> ParseFulfillmentStatusWire(std::string_view s);
// "NEW, PROCESSING, ..., SUSPENDED": every status but RETURNED, which only Allegro sets.
std::string SellerFulfillmentStatusList();

// One checkout form's mutable part, 56 bytes: keep it small (a million orders fit in ~270 MB).
struct OrderRecord {
  std::uint64_t index = 0;   // generator index
  std::uint32_t seller = 0;  // index into World::sellers
  Marketplace marketplace = Marketplace::kPl;
  CheckoutStatus status = CheckoutStatus::kBought;
  FulfillmentStatus fulfillment = FulfillmentStatus::kNew;
  bool fulfilled_by_allegro = false;  // One Fulfillment (provider ALLEGRO)
  // Served malformed (summary.totalToPay.amount "12,34 zł") until repaired; a serving fault,
  // not a change of the order, so it has no revision, updatedAt or event of its own.
  bool served_corrupt = false;
  std::uint32_t version = 0;  // revision = RevisionHex(seed, index, version)
  std::int64_t bought_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  // A form merged into another after a joint payment answers 404; -1 when not merged.
  std::int64_t merged_into = -1;
  // The form answers 404 until this time (the "404 for a while" fault); 0 when not set.
  std::int64_t hidden_until_ms = 0;
};

enum class EventType : std::uint8_t {
  kBought,
  kFilledIn,
  kReadyForProcessing,
  kBuyerCancelled,
  kFulfillmentStatusChanged,
  kBuyerModified,
  kAutoCancelled,
};
std::string_view EventTypeWire(EventType t);
std::optional<EventType> ParseEventTypeWire(std::string_view s);

struct JournalEvent {
  std::int64_t id = 0;  // microsecond-like, strictly increasing
  EventType type = EventType::kBought;
  std::uint32_t order = 0;    // index into World::orders
  std::uint32_t version = 0;  // the order's version when the event happened
  std::int64_t occurred_at_ms = 0;
};

// A tracking number added with POST /order/checkout-forms/{id}/shipments.
struct TrackingEntry {
  std::string id;  // UUID
  std::string carrier_id;
  std::string carrier_name;  // for carrierId OTHER
  std::string waybill;
  std::vector<std::pair<std::string, int>> line_items;  // line item id, quantity
  std::int64_t created_at_ms = 0;
};

// What the sandbox received from a client, for tests and the demo (GET /__sandbox/received).
struct ReceivedChange {
  std::string kind;  // "fulfillment", "tracking", "invoice", "stock", "shipment"
  std::string checkout_form_id;
  std::string seller_id;
  std::string detail;  // JSON text of what was sent
  std::int64_t at_ms = 0;
};

// Allegro's global limit: requests per minute per client id; past it the client id is blocked
// for about a minute (SandboxOptions::rate_limit_block), and calls during the block make it last
// longer. The first call after the block starts a fresh window.
struct RateWindow {
  std::int64_t window_start_ms = 0;
  int used = 0;
  std::int64_t blocked_until_ms = 0;
};

// Switched on by scenarios (faults.hpp); all off by default.
struct Faults {
  int server_error_every = 0;
  int server_error_burst = 0;
  std::chrono::milliseconds slow{0};
  bool duplicate_events = false;
  bool missing_ready_event = false;
  int cancel_every = 0;                   // every Nth new paid order is cancelled by its buyer...
  std::chrono::seconds cancel_after{30};  // ...this long after payment
  int hide_every = 0;                     // every Nth new order answers 404...
  std::chrono::seconds hide_for{60};      // ...for this long
  std::int64_t revoke_after_requests = 0;
  std::int64_t rest_requests = 0;
  std::uint64_t orders_created = 0;  // counts orders for the every-Nth rules
};

struct ScheduledCancellation {
  std::int64_t at_ms = 0;
  std::uint32_t order = 0;
};

struct World {
  explicit World(SandboxOptions opts);

  std::mutex mu;
  SandboxOptions options;

  // Time: real clock + offset (POST /__sandbox/time advances it).
  Timestamp Now() const;
  std::chrono::milliseconds offset{0};

  std::vector<Seller> sellers;
  const Seller* FindSellerById(const std::string& id) const;
  const Seller* FindSellerByLogin(const std::string& login) const;

  std::unordered_map<std::string, AccessGrant> access_tokens;
  std::unordered_map<std::string, RefreshGrant> refresh_tokens;
  std::unordered_map<std::string, AuthorizationCode> authorization_codes;
  std::unordered_map<std::string, DeviceAuthorization> device_authorizations;  // by device_code

  std::vector<OrderRecord> orders;
  std::unordered_map<std::string, std::uint32_t> order_by_checkout_form;
  std::vector<JournalEvent> journal;  // ascending ids
  std::int64_t last_event_id = 0;
  std::unordered_map<std::uint32_t, std::vector<TrackingEntry>> tracking;  // by order
  std::vector<ReceivedChange> received;
  std::unordered_map<std::string, RateWindow> rate;  // by client id
  SaleState sale;  // offers, invoices, Ship with Allegro (sale_state.hpp)
  Faults faults;
  std::vector<ScheduledCancellation> scheduled_cancellations;
  // A form that replaced others after a joint payment, and the forms it holds.
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> merged_from;

  // Creates `count` paid orders for a seller in a marketplace, bought now (minus a spread),
  // with their journal events (BOUGHT, FILLED_IN, READY_FOR_PROCESSING). Returns their indexes.
  std::vector<std::uint32_t> CreatePaidOrders(std::uint32_t seller, Marketplace marketplace,
                                              int count, std::chrono::milliseconds spread);
  // The same, unpaid (status BOUGHT, one BOUGHT event); Pay() completes them later.
  std::vector<std::uint32_t> CreateOrders(std::uint32_t seller, Marketplace marketplace, int count,
                                          std::chrono::milliseconds spread, bool paid);
  // The buyer fills in the form and pays: FILLED_IN and READY_FOR_PROCESSING.
  void Pay(std::uint32_t order);
  // A joint payment: a new paid form holding the line items of `orders` (one seller's), which
  // answer 404 from now on. Returns the new form's index.
  std::uint32_t MergeAndPay(const std::vector<std::uint32_t>& orders);
  // Applies scheduled changes whose time has come (buyer cancellations).
  void ApplyDueChanges();
  // Appends an event for an order at its current version (journal ids are unique and rising).
  void AppendEvent(std::uint32_t order, EventType type);
  // Bumps an order's version (a new revision) and its updatedAt.
  void Touch(std::uint32_t order);
  // Moves updatedAt forward (at least 1 ms) without a new revision.
  void TouchUpdatedAt(std::uint32_t order);
  // Sets the fulfilment status as PUT /order/checkout-forms/{id}/fulfillment does (doc 4.1),
  // whoever asks: the client's PUT or the seller in Allegro's web panel. A changed status gets a
  // new revision and updatedAt and a FULFILLMENT_STATUS_CHANGED event; the current status
  // changes nothing. Errors: kInvalidArgument for an unknown status or RETURNED (the message
  // lists the statuses a seller may set), kConflict when `revision` is given and not current.
  // Records nothing in `received`: that is the caller's business.
  Result<void> SetFulfillmentStatus(std::uint32_t order, std::string_view status,
                                    std::optional<std::string_view> revision);
  GeneratedOrder Materialize(std::uint32_t order) const;

 private:
  void PayAt(std::uint32_t order, std::int64_t at_ms);

 public:
  std::string CheckoutFormId(std::uint32_t order) const;
  std::string Revision(std::uint32_t order) const;
};

}  // namespace nadajnik::sandbox::allegro
