// Order: one Allegro checkout form as Nadajnik keeps it.
//
// Everything the checkout form carries is kept (buyer, delivery, payment, invoice request, line
// items, surcharges, totals, notes, Allegro statuses and revision), in the order's own currency.
// Identity is (account, checkout form id); Allegro's revision orders versions of one form, and
// remote_updated_at (Allegro's updatedAt) tells which of two revisions is newer.
// Local status is the seller's (a row in order_statuses); remote statuses are Allegro's.
// Pure data plus rules; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"
#include "domain/marketplace.hpp"
#include "domain/shipment.hpp"

namespace nadajnik::domain {

// Allegro's CheckoutFormStatus: set by Allegro only.
enum class CheckoutStatus { kBought, kFilledIn, kReadyForProcessing, kCancelled };
// Allegro's fulfillment.status: owned by the seller (RETURNED only by Allegro).
enum class FulfillmentStatus {
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
enum class PaymentType { kOnline, kCashOnDelivery, kWireTransfer, kSplitPayment, kExtendedTerm };
// Who ships: the seller, or Allegro's own warehouse (One Fulfillment; read-only here).
enum class FulfillmentProvider { kSeller, kAllegro };

std::string_view CheckoutStatusName(CheckoutStatus s);  // "READY_FOR_PROCESSING"
std::optional<CheckoutStatus> ParseCheckoutStatus(std::string_view s);
std::string_view FulfillmentStatusName(FulfillmentStatus s);  // "READY_FOR_SHIPMENT"
std::optional<FulfillmentStatus> ParseFulfillmentStatus(std::string_view s);
std::string_view PaymentTypeName(PaymentType t);  // "CASH_ON_DELIVERY"
std::optional<PaymentType> ParsePaymentType(std::string_view s);

struct Address {
  std::string first_name;
  std::string last_name;
  std::string company;
  std::string street;
  std::string postal_code;
  std::string city;
  std::string country_code;  // ISO 3166-1 alpha-2
  std::string phone;
};

struct Buyer {
  std::string remote_id;
  std::string login;
  std::string email;  // Allegro's masked relay address (…@allegromail.pl)
  std::string first_name;
  std::string last_name;
  std::string company;
  std::string phone;
  bool guest = false;
  Address address;
};

struct PickupPoint {
  std::string id;  // "POZ08A"
  std::string name;
  std::string description;
  Address address;
};

struct Delivery {
  std::string method_id;  // Allegro delivery-method UUID
  std::string method_name;
  bool smart = false;
  std::optional<Money> cost;
  std::optional<Address> address;           // courier delivery
  std::optional<PickupPoint> pickup_point;  // locker or point delivery
  std::optional<Timestamp> dispatch_by;     // delivery.time.dispatch.to
  int packages = 1;
};

struct Payment {
  std::string remote_id;
  PaymentType type = PaymentType::kOnline;
  std::string provider;  // P24, PAYU, AF, OFFLINE, EPT
  std::optional<Money> paid;
  std::optional<Timestamp> finished_at;

  bool cash_on_delivery() const { return type == PaymentType::kCashOnDelivery; }
};

struct TaxId {
  std::string type;  // PL_NIP, CZ_ICO, ...
  std::string value;
};

struct InvoiceRequest {
  bool required = false;
  std::string company_name;
  std::string tax_id;
  std::vector<TaxId> tax_ids;
  Address address;
};

struct LineItem {
  LineItemId id;  // stable across order merges
  std::string offer_id;
  std::string offer_name;
  std::string external_id;  // the seller's SKU
  int quantity = 1;
  Money unit_price;
  std::optional<Money> original_unit_price;
  std::optional<Timestamp> bought_at;
  // lineItems[].discounts[].type (BUNDLE, COUPON, CAMPAIGN, ...): what lowered the price.
  std::vector<std::string> discounts;
};

struct Surcharge {
  std::string remote_id;
  PaymentType type = PaymentType::kOnline;
  std::string provider;
  std::optional<Money> paid;
  std::optional<Timestamp> finished_at;
};

struct Order {
  OrderId id;
  AccountId account_id;
  CheckoutFormId checkout_form_id;
  std::string revision;
  Marketplace marketplace = Marketplace::kAllegroPl;
  CheckoutStatus checkout_status = CheckoutStatus::kBought;
  FulfillmentStatus fulfillment_status = FulfillmentStatus::kNew;
  FulfillmentProvider fulfillment_provider = FulfillmentProvider::kSeller;
  StatusId local_status_id;  // invalid (0) until assigned

  Buyer buyer;
  Delivery delivery;
  std::optional<Payment> payment;
  InvoiceRequest invoice;
  std::vector<LineItem> items;
  std::vector<Surcharge> surcharges;
  Money total;              // summary.totalToPay
  std::string buyer_note;   // messageToSeller
  std::string seller_note;  // note.text (the seller's private note)

  std::optional<Timestamp> bought_at;
  Timestamp remote_updated_at;  // Allegro's updatedAt
  Timestamp imported_at;
  Timestamp updated_at;
  bool needs_attention = false;
  std::string attention_reason;
  // Set when Allegro replaced this checkout form by a merged one (a joint payment): the order
  // lives on under that id and this one is hidden from lists.
  std::optional<OrderId> merged_into;
  // The carrier of the latest active shipment (kept by the store's triggers; read-only here).
  std::optional<Carrier> shipment_carrier;

  bool cash_on_delivery() const { return payment && payment->cash_on_delivery(); }
  // Orders that Allegro's warehouse ships are never offered for shipping.
  bool read_only() const { return fulfillment_provider == FulfillmentProvider::kAllegro; }
  bool cancelled() const { return checkout_status == CheckoutStatus::kCancelled; }
};

// Which of two versions of one checkout form wins. An older updatedAt is stale; a different
// revision, or the same revision with a later updatedAt (a seller-side change), is newer.
enum class RevisionOrder { kSame, kNewer, kStale };
RevisionOrder CompareRevision(const Order& stored, const Order& incoming);

// Sum of line items and surcharges is not always totalToPay (delivery, discounts); this
// checks only the invariant we rely on: every amount is in the order's currency.
Result<void> ValidateOrder(const Order& order);

}  // namespace nadajnik::domain
