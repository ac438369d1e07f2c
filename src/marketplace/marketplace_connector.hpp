// MarketplaceConnector: what the import and sync services need from a marketplace (Allegro
// today), for one connected account.
//
// A connector owns the account's tokens (refreshing them under a store lease, one refresher per
// account across processes) and its share of the application's request budget. Errors:
//   kUnauthenticated  the seller must authorize again (invalid_grant, revoked token); the account
//                     is already marked needs_reauthorization when this is returned
//   kRateLimited      429; retry_after says when the client id may call again
//   kUnavailable      transport failure or 5xx; retryable
//   kNotFound         the checkout form does not exist for this seller (merged, too old, other
//                     account)
//   kConflict         a stale checkout-form revision (fulfilment update)
//   kInvalidArgument  Allegro refused the request as invalid (422/400); message names why
// Remote data is untrusted: a checkout form that fails to map is returned as a RemoteOrder whose
// `order` holds the error, with the raw JSON kept (bounded) so that it can be stored and shown.
// Not thread-safe: one connector per job run.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "domain/order.hpp"

namespace nadajnik::marketplace {

// One entry of /order/events.
struct JournalEvent {
  std::string id;    // decimal string, ascending
  std::string type;  // READY_FOR_PROCESSING, BUYER_CANCELLED, ...
  Timestamp occurred_at;
  CheckoutFormId checkout_form_id;  // empty if the event carried none
  std::string revision;
  std::vector<LineItemId> line_items;
};

struct RemoteOrder {
  CheckoutFormId id;     // as sent (may be empty when the form is too broken to name itself)
  std::string raw_json;  // the form as received, at most 256 KiB
  Result<domain::Order> order = Fail(ErrorCode::kInternal, "not mapped");
};

// GET /order/checkout-forms filters (all optional).
struct OrderQuery {
  std::optional<std::string> status;              // READY_FOR_PROCESSING
  std::optional<std::string> fulfillment_status;  // NEW
  std::optional<Timestamp> bought_from;           // lineItems.boughtAt.gte
  std::optional<Timestamp> bought_to;             // lineItems.boughtAt.lte
  std::optional<Timestamp> updated_from;          // updatedAt.gte
  std::optional<Timestamp> updated_to;            // updatedAt.lte
  std::string sort;                               // "updatedAt", "lineItems.boughtAt", ...
  int offset = 0;
  int limit = 100;  // 1..100
};

struct OrderPage {
  std::vector<RemoteOrder> orders;
  std::int64_t total_count = 0;
};

// A tracking number attached to an order (POST/GET /order/checkout-forms/{id}/shipments).
struct Waybill {
  std::string id;  // Allegro's opaque id
  std::string waybill;
  std::string carrier_id;              // INPOST, DPD, POCZTA_POLSKA, ORLEN, ALLEGRO, OTHER ...
  std::string carrier_name;            // only with OTHER
  std::vector<LineItemId> line_items;  // empty: all
};

struct SellerProfile {
  std::string id;
  std::string login;
  std::string base_marketplace;  // "allegro-pl"
};

// Any other authorized call (Allegro's shipment management, "Wysyłam z Allegro"): the path
// with its query, the connector's tokens, budget and 401/429 handling; the status is the
// caller's to judge. `accept` defaults to Allegro's vendor JSON type, as does the body's type.
struct RawCall {
  std::string method = "GET";
  std::string path;  // "/shipment-management/delivery-services"
  std::string body;
  std::string accept;
  bool idempotent = false;       // retried on 5xx and transport errors when true
  std::string endpoint = "raw";  // the metric label
};

struct RawResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string trace_id;
};

class MarketplaceConnector {
 public:
  virtual ~MarketplaceConnector() = default;
  // GET /order/event-stats: the newest event id ("" when the seller has none yet).
  virtual Result<std::string> LatestEventId() = 0;
  // GET /order/events?from=...&limit=...; `from` empty reads from the oldest kept event.
  virtual Result<std::vector<JournalEvent>> ReadEvents(const std::string& from, int limit) = 0;
  virtual Result<RemoteOrder> GetOrder(const CheckoutFormId& id) = 0;
  virtual Result<OrderPage> ListOrders(const OrderQuery& query) = 0;
  // PUT /order/checkout-forms/{id}/fulfillment?checkoutForm.revision=...
  virtual Result<void> SetFulfillmentStatus(const CheckoutFormId& id,
                                            domain::FulfillmentStatus status,
                                            const std::string& revision) = 0;
  virtual Result<SellerProfile> Me() = 0;
  // The tracking numbers an order has (ours, the web UI's, the carrier's).
  virtual Result<std::vector<Waybill>> ListWaybills(const CheckoutFormId& id) = 0;
  // Adds one; kConflict when Allegro says the waybill is used on too many orders.
  virtual Result<Waybill> AddWaybill(const CheckoutFormId& id, const Waybill& waybill) = 0;
  virtual Result<RawResponse> Raw(const RawCall& call) {
    (void)call;
    return Fail(ErrorCode::kFailedPrecondition, "this marketplace has no raw calls");
  }
  // Requests sent through this connector (for the requests-per-order figures).
  virtual std::int64_t requests_sent() const = 0;
};

// Builds connectors for stored accounts (reads the account's URLs, client and tokens).
class ConnectorFactory {
 public:
  virtual ~ConnectorFactory() = default;
  virtual Result<std::unique_ptr<MarketplaceConnector>> ForAccount(AccountId account) = 0;
};

}  // namespace nadajnik::marketplace
