#include "http/api/json_views.hpp"
#include <fmt/format.h>

#include "core/clock.hpp"

namespace nadajnik::http::api {

namespace json = boost::json;

namespace {

json::value Time(const std::optional<Timestamp>& t) {
  return t ? json::value(FormatIso8601(*t)) : json::value(nullptr);
}

json::value OptMoney(const std::optional<Money>& m) {
  return m ? MoneyJson(*m) : json::value(nullptr);
}

json::value AddressJson(const domain::Address& a) {
  return json::object{{"firstName", a.first_name},     {"lastName", a.last_name},
                      {"company", a.company},          {"street", a.street},
                      {"postalCode", a.postal_code},   {"city", a.city},
                      {"countryCode", a.country_code}, {"phone", a.phone}};
}

json::object PaymentJson(const std::string& id, domain::PaymentType type,
                         const std::string& provider, const std::optional<Money>& paid,
                         const std::optional<Timestamp>& finished) {
  return json::object{{"id", id},
                      {"type", domain::PaymentTypeName(type)},
                      {"provider", provider},
                      {"paidAmount", OptMoney(paid)},
                      {"finishedAt", Time(finished)}};
}

}  // namespace

json::value MoneyJson(const Money& m) {
  return json::object{{"amount", m.AmountString()}, {"currency", m.currency.code()}};
}

json::object OrderJson(const domain::Order& o, bool with_details, const std::string& alias,
                       const std::string& status_name) {
  json::object delivery{{"methodId", o.delivery.method_id},
                        {"methodName", o.delivery.method_name},
                        {"smart", o.delivery.smart},
                        {"cost", OptMoney(o.delivery.cost)},
                        {"dispatchBy", Time(o.delivery.dispatch_by)},
                        {"packages", o.delivery.packages}};
  if (o.delivery.address) delivery["address"] = AddressJson(*o.delivery.address);
  if (o.delivery.pickup_point) {
    delivery["pickupPoint"] =
        json::object{{"id", o.delivery.pickup_point->id},
                     {"name", o.delivery.pickup_point->name},
                     {"description", o.delivery.pickup_point->description},
                     {"address", AddressJson(o.delivery.pickup_point->address)}};
  }
  json::object out{
      {"id", o.id.value},
      {"accountId", o.account_id.value},
      {"checkoutFormId", o.checkout_form_id.value},
      {"revision", o.revision},
      {"marketplace", domain::MarketplaceId(o.marketplace)},
      {"currency", o.total.currency.code()},
      {"status", domain::CheckoutStatusName(o.checkout_status)},
      {"fulfillmentStatus", domain::FulfillmentStatusName(o.fulfillment_status)},
      {"fulfillmentProvider",
       o.fulfillment_provider == domain::FulfillmentProvider::kAllegro ? "ALLEGRO" : "SELLER"},
      {"localStatusId", o.local_status_id.value},
      {"readOnly", o.read_only()},
      {"buyer", json::object{{"id", o.buyer.remote_id},
                             {"login", o.buyer.login},
                             {"email", o.buyer.email},
                             {"firstName", o.buyer.first_name},
                             {"lastName", o.buyer.last_name},
                             {"companyName", o.buyer.company},
                             {"phoneNumber", o.buyer.phone},
                             {"guest", o.buyer.guest}}},
      {"delivery", std::move(delivery)},
      {"cashOnDelivery", o.cash_on_delivery()},
      {"total", MoneyJson(o.total)},
      {"buyerNote", o.buyer_note},
      {"needsAttention", o.needs_attention},
      {"attentionReason", o.attention_reason},
      {"mergedInto", o.merged_into ? json::value(o.merged_into->value) : json::value(nullptr)},
      {"boughtAt", Time(o.bought_at)},
      {"updatedAt", FormatIso8601(o.updated_at)},
      {"allegroUpdatedAt", FormatIso8601(o.remote_updated_at)},
      {"importedAt", FormatIso8601(o.imported_at)},
  };
  if (!alias.empty()) out["accountAlias"] = alias;
  if (!status_name.empty()) out["localStatus"] = status_name;
  out["payment"] =
      o.payment
          ? json::value(PaymentJson(o.payment->remote_id, o.payment->type, o.payment->provider,
                                    o.payment->paid, o.payment->finished_at))
          : json::value(nullptr);
  if (!with_details) return out;
  out["sellerNote"] = o.seller_note;
  json::array tax_ids;
  for (const auto& t : o.invoice.tax_ids) {
    tax_ids.push_back(json::object{{"type", t.type}, {"value", t.value}});
  }
  out["invoice"] = json::object{{"required", o.invoice.required},
                                {"companyName", o.invoice.company_name},
                                {"taxId", o.invoice.tax_id},
                                {"ids", std::move(tax_ids)},
                                {"address", AddressJson(o.invoice.address)}};
  json::array items;
  for (const auto& i : o.items) {
    json::array discounts;
    for (const auto& d : i.discounts) discounts.push_back(json::object{{"type", d}});
    items.push_back(json::object{{"id", i.id.value},
                                 {"offerId", i.offer_id},
                                 {"offerName", i.offer_name},
                                 {"externalId", i.external_id},
                                 {"quantity", i.quantity},
                                 {"price", MoneyJson(i.unit_price)},
                                 {"originalPrice", OptMoney(i.original_unit_price)},
                                 {"boughtAt", Time(i.bought_at)},
                                 {"discounts", std::move(discounts)}});
  }
  out["lineItems"] = std::move(items);
  json::array surcharges;
  for (const auto& s : o.surcharges) {
    surcharges.push_back(PaymentJson(s.remote_id, s.type, s.provider, s.paid, s.finished_at));
  }
  out["surcharges"] = std::move(surcharges);
  return out;
}

json::object TimelineEventJson(const domain::OrderEvent& e) {
  json::object out{{"kind", e.kind},
                   {"at", FormatIso8601(e.at)},
                   {"remoteAt", Time(e.remote_at)},
                   {"message", e.message},
                   {"actor", e.actor}};
  if (e.remote_at) {
    out["lagMs"] =
        std::chrono::duration_cast<std::chrono::milliseconds>(e.at - *e.remote_at).count();
  }
  return out;
}

json::object AccountJson(const services::AccountHealth& h) {
  const auto& a = h.account;
  return json::object{
      {"id", a.id.value},
      {"alias", a.alias},
      {"name", a.name},
      {"login", a.login},
      {"sellerId", a.seller_id},
      {"environment", domain::AccountEnvironmentName(a.environment)},
      {"authUrl", a.auth_base_url},
      {"apiUrl", a.api_base_url},
      {"clientId", a.client_id},
      {"state", domain::AccountStateName(a.state)},
      {"stateReason", a.state_reason},
      {"stateChangedAt", Time(a.state_changed_at)},
      {"tokenExpiresAt", Time(a.access_token_expires_at)},
      {"journalCursor", a.journal_cursor},
      {"journalPositionAt", Time(a.journal_position_at)},
      {"lastJournalReadAt", Time(a.last_journal_read_at)},
      {"sweepCursor", Time(a.sweep_cursor)},
      {"lastError", a.last_error},
      {"lastErrorAt", Time(a.last_error_at)},
      {"integrityIncidents", h.incidents},
      {"failedOrders", h.failed_orders},
  };
}

json::object ReportJson(const services::ImportReport& r) {
  json::object skipped;
  for (const auto& [k, v] : r.skipped_by_reason) skipped[k] = v;
  json::array failures;
  for (const auto& [id, error] : r.failures) {
    failures.push_back(json::object{{"checkoutFormId", id}, {"error", error}});
  }
  return json::object{{"new", r.inserted},
                      {"updated", r.updated},
                      {"unchanged", r.unchanged},
                      {"skipped", r.skipped},
                      {"skippedByReason", std::move(skipped)},
                      {"failed", r.failed},
                      {"failures", std::move(failures)},
                      {"incidents", r.incidents},
                      {"requests", r.requests},
                      {"summary", services::DescribeReport(r)}};
}

json::object StatusChangeJson(const services::StatusChange& c) {
  json::array warnings;
  for (const auto& w : c.warnings) warnings.push_back(json::value(w));
  return json::object{
      {"orderId", c.order.value},
      {"localStatusId", c.status.value},
      {"localStatus", c.status_name},
      {"fulfillmentStatus",
       c.pushes ? json::value(domain::FulfillmentStatusName(*c.pushes)) : json::value(nullptr)},
      {"queued", c.queued},
      {"warnings", std::move(warnings)}};
}

boost::json::object ShipmentJson(const domain::Shipment& s) {
  boost::json::array parcels;
  for (const auto& p : s.parcels) {
    parcels.push_back(boost::json::object{{"template", p.size_template},
                                          {"weightGrams", p.weight_grams},
                                          {"lengthMm", p.length_mm},
                                          {"widthMm", p.width_mm},
                                          {"heightMm", p.height_mm}});
  }
  const bool labelled = s.state == domain::ShipmentState::kLabelReady;
  return boost::json::object{
      {"id", s.id.value},
      {"orderId", s.order_id.value},
      {"carrier", domain::CarrierCode(s.carrier)},
      {"carrierName", domain::CarrierDisplayName(s.carrier)},
      {"service", s.service},
      {"state", domain::ShipmentStateName(s.state)},
      {"trackingState", domain::TrackingStateName(s.tracking_state)},
      {"trackingStateLabel", domain::TrackingStateLabel(s.tracking_state)},
      {"trackingDetail", s.tracking_detail},
      {"trackingNumber", s.tracking_number},
      {"remoteId", s.remote_id},
      {"shipmentNo", s.shipment_no},
      {"parcels", std::move(parcels)},
      {"cashOnDelivery", s.cash_on_delivery ? MoneyJson(*s.cash_on_delivery) : nullptr},
      {"insurance", s.insurance ? MoneyJson(*s.insurance) : nullptr},
      {"error",
       s.last_error.empty() ? boost::json::value(nullptr) : boost::json::value(s.last_error)},
      {"labelUrl", labelled
                       ? boost::json::value(fmt::format("/api/v1/shipments/{}/label", s.id.value))
                       : boost::json::value(nullptr)},
      {"createdBy", s.created_by},
      {"carrierCalledAt", s.carrier_called_at
                              ? boost::json::value(FormatIso8601(*s.carrier_called_at))
                              : boost::json::value(nullptr)},
      {"createdAt", FormatIso8601(s.created_at)},
      {"updatedAt", FormatIso8601(s.updated_at)}};
}

}  // namespace nadajnik::http::api
