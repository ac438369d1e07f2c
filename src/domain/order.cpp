#include "domain/order.hpp"

#include <fmt/format.h>

#include "core/enum_names.hpp"

namespace nadajnik::domain {

namespace {
constexpr std::pair<CheckoutStatus, std::string_view> kCheckoutStatuses[] = {
    {CheckoutStatus::kBought, "BOUGHT"},
    {CheckoutStatus::kFilledIn, "FILLED_IN"},
    {CheckoutStatus::kReadyForProcessing, "READY_FOR_PROCESSING"},
    {CheckoutStatus::kCancelled, "CANCELLED"},
};
constexpr std::pair<FulfillmentStatus, std::string_view> kFulfillmentStatuses[] = {
    {FulfillmentStatus::kNew, "NEW"},
    {FulfillmentStatus::kProcessing, "PROCESSING"},
    {FulfillmentStatus::kReadyForShipment, "READY_FOR_SHIPMENT"},
    {FulfillmentStatus::kReadyForPickup, "READY_FOR_PICKUP"},
    {FulfillmentStatus::kSent, "SENT"},
    {FulfillmentStatus::kPickedUp, "PICKED_UP"},
    {FulfillmentStatus::kCancelled, "CANCELLED"},
    {FulfillmentStatus::kSuspended, "SUSPENDED"},
    {FulfillmentStatus::kReturned, "RETURNED"},
};
constexpr std::pair<PaymentType, std::string_view> kPaymentTypes[] = {
    {PaymentType::kOnline, "ONLINE"},
    {PaymentType::kCashOnDelivery, "CASH_ON_DELIVERY"},
    {PaymentType::kWireTransfer, "WIRE_TRANSFER"},
    {PaymentType::kSplitPayment, "SPLIT_PAYMENT"},
    {PaymentType::kExtendedTerm, "EXTENDED_TERM"},
};

}  // namespace

std::string_view CheckoutStatusName(CheckoutStatus s) { return NameOf(kCheckoutStatuses, s); }
std::optional<CheckoutStatus> ParseCheckoutStatus(std::string_view s) {
  return ParseName(kCheckoutStatuses, s);
}
std::string_view FulfillmentStatusName(FulfillmentStatus s) {
  return NameOf(kFulfillmentStatuses, s);
}
std::optional<FulfillmentStatus> ParseFulfillmentStatus(std::string_view s) {
  return ParseName(kFulfillmentStatuses, s);
}
std::string_view PaymentTypeName(PaymentType t) { return NameOf(kPaymentTypes, t); }
std::optional<PaymentType> ParsePaymentType(std::string_view s) {
  return ParseName(kPaymentTypes, s);
}

RevisionOrder CompareRevision(const Order& stored, const Order& incoming) {
  if (incoming.remote_updated_at < stored.remote_updated_at) return RevisionOrder::kStale;
  if (stored.revision != incoming.revision) return RevisionOrder::kNewer;
  // The revision follows the buyer's side only: a seller-side change (fulfilment status set in
  // Allegro's panel) keeps it and moves updatedAt.
  return incoming.remote_updated_at > stored.remote_updated_at ? RevisionOrder::kNewer
                                                               : RevisionOrder::kSame;
}

Result<void> ValidateOrder(const Order& order) {
  if (order.checkout_form_id.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "order has no checkout form id");
  }
  if (!order.account_id.valid()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("order {} has no account", order.checkout_form_id.value));
  }
  const Currency currency = order.total.currency;
  if (currency.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("order {} has no currency", order.checkout_form_id.value));
  }
  auto check = [&](const Money& m, std::string_view what) -> Result<void> {
    if (!(m.currency == currency)) {
      return Fail(
          ErrorCode::kInvalidArgument,
          fmt::format("order {}: {} is in {}, the order is in {}", order.checkout_form_id.value,
                      what, m.currency.code(), currency.code()));
    }
    return Ok();
  };
  for (const auto& item : order.items) {
    NADAJNIK_TRY(check(item.unit_price, "a line item price"));
    if (item.quantity < 1) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("order {}: line item {} has quantity {}",
                              order.checkout_form_id.value, item.id.value, item.quantity));
    }
  }
  if (order.delivery.cost) NADAJNIK_TRY(check(*order.delivery.cost, "the delivery cost"));
  if (order.payment && order.payment->paid) {
    NADAJNIK_TRY(check(*order.payment->paid, "the paid amount"));
  }
  return Ok();
}

}  // namespace nadajnik::domain
