// Allegro wire format <-> our model, with no I/O (tested on fixtures typed from the reference).
//
// Everything here reads untrusted input: each field is checked for type, strings are bounded
// (and must be valid UTF-8), money is parsed as a decimal string in the order's currency, times
// as ISO 8601. A checkout form missing a required field (id, buyer, status, lineItems,
// surcharges, summary.totalToPay), or carrying a malformed one, is kInvalidArgument with a message
// that names the field ("lineItems[2].price.amount: '12,5' is not a decimal amount"). Optional
// fields that are absent or null are left empty.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "domain/order.hpp"
#include "marketplace/marketplace_connector.hpp"

namespace nadajnik::marketplace::allegro {

// One CheckoutForm object -> Order for `account` (id, local status and import times unset).
Result<domain::Order> MapCheckoutForm(const boost::json::value& form, AccountId account);

// A GET /order/checkout-forms/{id} body. Never fails as a whole: a form that can't be mapped
// keeps its raw JSON and the error in `order`.
RemoteOrder MapCheckoutFormBody(std::string_view body, AccountId account);

// A GET /order/checkout-forms body: each form mapped on its own (one broken form does not hide
// the others). kInvalidArgument only if the envelope itself is broken.
Result<OrderPage> MapCheckoutFormList(std::string_view body, AccountId account);

// A GET /order/events body. An event without id/type/occurredAt fails the page (the cursor could
// not advance past it safely); unknown event types are kept (the caller decides).
Result<std::vector<JournalEvent>> MapEvents(std::string_view body);

// A GET /order/event-stats body: latestEvent.id, or "" when the seller has no events.
Result<std::string> MapEventStats(std::string_view body);

// A GET /me body.
Result<SellerProfile> MapMe(std::string_view body);

// GET .../shipments body; the 201 body of POST .../shipments (one waybill).
Result<std::vector<Waybill>> MapWaybills(std::string_view body);
Result<Waybill> MapWaybill(std::string_view body);
// The body of POST .../shipments (CheckoutFormAddWaybillRequest).
std::string WaybillBody(const Waybill& waybill);

// The body of PUT .../fulfillment.
std::string FulfillmentBody(domain::FulfillmentStatus status);

// The REST error body (ErrorsHolder) or the OAuth-shaped one ({"error","error_description"}):
// a short, safe description ("CheckoutFormNotFoundException: Checkout form not found"), bounded.
std::string DescribeErrorBody(std::string_view body);

}  // namespace nadajnik::marketplace::allegro
