// Shipments and labels in the JSON API:
//   POST /api/v1/orders/{id}/shipments   one shipment (Idempotency-Key honoured; "wait" seconds)
//   GET  /api/v1/orders/{id}/shipments   the order's shipments
//   POST /api/v1/shipments/bulk          {"orderIds": [...], settings}: a result per order
//   GET  /api/v1/shipments/{id}
//   POST /api/v1/shipments/{id}/cancel
//   GET  /api/v1/shipments/{id}/label?format=pdf-a6|pdf-a4|zpl|zpl-300
//   POST /api/v1/labels                  {"shipmentIds"|"orderIds": [...], "format"}: one file
//   POST /api/v1/accounts/{alias}/carriers/{carrier}/close-day   the day's handover
#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/text.hpp"
#include "http/api/api_support.hpp"
#include "http/api/json_views.hpp"
#include "security/tokens.hpp"
#include "services/account_service.hpp"
#include "services/shipping.hpp"
#include "store/store.hpp"

namespace nadajnik::http::api {
namespace {

constexpr int kMaxWaitSeconds = 60;
constexpr std::size_t kMaxBulk = 1000;

// A key from the body, or from its "options" object.
const json::value* Field(const json::object& body, std::string_view key) {
  if (const auto* v = body.if_contains(key)) return v;
  if (const auto* o = body.if_contains("options"); o && o->is_object()) {
    return o->get_object().if_contains(key);
  }
  return nullptr;
}

Result<std::string> Text(const json::object& body, std::string_view key, std::size_t max) {
  const auto* v = Field(body, key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return Fail(ErrorCode::kInvalidArgument, fmt::format("{}: a text", key));
  if (v->get_string().size() > max) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("{}: at most {} bytes", key, max));
  }
  return std::string(v->get_string());
}

Result<std::optional<Money>> Amount(const json::object& body, std::string_view key) {
  const auto* v = Field(body, key);
  if (!v || v->is_null()) return std::optional<Money>();
  const json::object* o = v->if_object();
  const json::value* amount = o ? o->if_contains("amount") : nullptr;
  const json::value* currency = o ? o->if_contains("currency") : nullptr;
  if (!amount || !currency || !amount->is_string() || !currency->is_string()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: send {{\"amount\": \"123.45\", \"currency\": \"PLN\"}}", key));
  }
  auto m = ParseMoney(amount->get_string(), currency->get_string());
  if (!m) return Fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", key, m.error().message));
  return std::optional<Money>(*m);
}

Result<int> Int(const json::object& o, std::string_view key, int max) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return 0;
  if (!v->is_int64() || v->get_int64() < 0 || v->get_int64() > max) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("{}: an integer from 0 to {}", key, max));
  }
  return static_cast<int>(v->get_int64());
}

Result<services::ShipmentDraft> ParseDraft(const json::object& body) {
  services::ShipmentDraft d;
  NADAJNIK_ASSIGN_OR_RETURN(auto carrier, Text(body, "carrier", 40));
  if (carrier.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "carrier: one of inpost, dpd, poczta_polska, orlen_paczka, allegro_shipping");
  }
  d.carrier = domain::ParseCarrier(carrier);
  if (!d.carrier) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("carrier '{}' is unknown: use inpost, dpd, poczta_polska, "
                            "orlen_paczka or allegro_shipping",
                            TruncateUtf8(carrier, 40)));
  }
  NADAJNIK_ASSIGN_OR_RETURN(d.service, Text(body, "service", 100));
  if (const auto* parcels = Field(body, "parcels"); parcels && !parcels->is_null()) {
    if (!parcels->is_array() || parcels->get_array().size() > 20) {
      return Fail(ErrorCode::kInvalidArgument, "parcels: a list of at most 20 parcels");
    }
    for (const auto& item : parcels->get_array()) {
      if (!item.is_object()) return Fail(ErrorCode::kInvalidArgument, "parcels: objects");
      const auto& p = item.get_object();
      domain::Parcel parcel;
      NADAJNIK_ASSIGN_OR_RETURN(parcel.size_template, Text(p, "template", 40));
      NADAJNIK_ASSIGN_OR_RETURN(parcel.weight_grams, Int(p, "weightGrams", 1'000'000));
      NADAJNIK_ASSIGN_OR_RETURN(parcel.length_mm, Int(p, "lengthMm", 10'000));
      NADAJNIK_ASSIGN_OR_RETURN(parcel.width_mm, Int(p, "widthMm", 10'000));
      NADAJNIK_ASSIGN_OR_RETURN(parcel.height_mm, Int(p, "heightMm", 10'000));
      if (parcel.weight_grams == 0) parcel.weight_grams = 1000;
      d.parcels.push_back(parcel);
    }
  }
  if (Field(body, "cashOnDelivery")) {
    d.override_cash_on_delivery = true;
    NADAJNIK_ASSIGN_OR_RETURN(d.cash_on_delivery, Amount(body, "cashOnDelivery"));
  }
  NADAJNIK_ASSIGN_OR_RETURN(d.insurance, Amount(body, "insurance"));
  if (Field(body, "targetPoint")) {
    NADAJNIK_ASSIGN_OR_RETURN(auto v, Text(body, "targetPoint", 64));
    d.target_point = v;
  }
  if (Field(body, "sendingPoint")) {
    NADAJNIK_ASSIGN_OR_RETURN(auto v, Text(body, "sendingPoint", 64));
    d.sending_point = v;
  }
  if (Field(body, "comment")) {
    NADAJNIK_ASSIGN_OR_RETURN(auto v, Text(body, "comment", 500));
    d.comment = v;
  }
  if (const auto* r = Field(body, "receiver"); r && !r->is_null()) {
    if (!r->is_object()) return Fail(ErrorCode::kInvalidArgument, "receiver: an object");
    const auto& o = r->get_object();
    carriers::Party p;
    NADAJNIK_ASSIGN_OR_RETURN(p.name, Text(o, "name", 200));
    NADAJNIK_ASSIGN_OR_RETURN(p.company, Text(o, "company", 200));
    NADAJNIK_ASSIGN_OR_RETURN(p.street, Text(o, "street", 200));
    NADAJNIK_ASSIGN_OR_RETURN(p.postal_code, Text(o, "postalCode", 20));
    NADAJNIK_ASSIGN_OR_RETURN(p.city, Text(o, "city", 100));
    NADAJNIK_ASSIGN_OR_RETURN(p.country_code, Text(o, "countryCode", 2));
    NADAJNIK_ASSIGN_OR_RETURN(p.phone, Text(o, "phone", 40));
    NADAJNIK_ASSIGN_OR_RETURN(p.email, Text(o, "email", 200));
    if (p.country_code.empty()) p.country_code = "PL";
    d.receiver = p;
  }
  if (const auto* c = body.if_contains("confirm")) {
    if (!c->is_bool()) return Fail(ErrorCode::kInvalidArgument, "confirm: true or false");
    d.confirm_another = c->get_bool();
  }
  return d;
}

Result<json::object> ParseBody(const Request& req) {
  boost::system::error_code ec;
  auto body =
      json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), ec);
  if (ec || !body.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "send a JSON object");
  }
  return std::move(body.get_object());
}

std::string IdempotencyKey(const Request& req) {
  return std::string(req.Header("Idempotency-Key").value_or(""));
}

std::chrono::milliseconds WaitOf(const json::object& body) {
  const auto* w = body.if_contains("wait");
  if (!w || !w->is_int64()) return std::chrono::milliseconds(0);
  return std::chrono::seconds(std::clamp<std::int64_t>(w->get_int64(), 0, kMaxWaitSeconds));
}

json::object ErrorObject(const Error& e) {
  json::object o{{"code", std::string(ErrorCodeName(e.code))}, {"message", e.message}};
  if (e.code == ErrorCode::kAlreadyExists && e.details.starts_with("shipment:")) {
    o["existingShipmentId"] = std::stoll(e.details.substr(9));
  }
  return o;
}

Response ErrorWithShipment(const Error& e, const Request& req) {
  if (e.code == ErrorCode::kAlreadyExists && e.details.starts_with("shipment:")) {
    json::object o = ErrorObject(e);
    o["requestId"] = req.request_id;
    return Json(409, json::object{{"error", std::move(o)}});
  }
  return ErrorJson(e, req.request_id);
}

Response CreateShipment(AppContext& app, Request& req, const Principal& p) {
  auto id = ParsePositive(req.PathParam("id"));
  if (!id) return ApiError(ErrorCode::kNotFound, "no order with that id", req);
  auto body = ParseBody(req);
  if (!body) return ErrorJson(body.error(), req.request_id);
  auto draft = ParseDraft(*body);
  if (!draft) return ErrorJson(draft.error(), req.request_id);
  auto outcome = app.shipping->Request(OrderId(*id), *draft, IdempotencyKey(req), p.name);
  if (!outcome) return ErrorWithShipment(outcome.error(), req);
  domain::Shipment s = outcome->shipment;
  if (const auto wait = WaitOf(*body); wait.count() > 0) {
    auto done = app.shipping->Await(s.id, wait);
    if (done) s = *done;
  }
  json::object out = ShipmentJson(s);
  out["replayed"] = !outcome->created;
  return Json(outcome->created ? 201 : 200, out);
}

Response Bulk(AppContext& app, Request& req, const Principal& p) {
  auto body = ParseBody(req);
  if (!body) return ErrorJson(body.error(), req.request_id);
  const auto* ids = body->if_contains("orderIds");
  if (!ids || !ids->is_array() || ids->get_array().empty() || ids->get_array().size() > kMaxBulk) {
    return ApiError(ErrorCode::kInvalidArgument,
                    fmt::format("orderIds: a list of 1 to {} order ids", kMaxBulk), req);
  }
  std::vector<OrderId> orders;
  for (const auto& v : ids->get_array()) {
    if (!v.is_int64() || v.get_int64() <= 0) {
      return ApiError(ErrorCode::kInvalidArgument, "orderIds: positive integers", req);
    }
    orders.emplace_back(v.get_int64());
  }
  auto draft = ParseDraft(*body);
  if (!draft) return ErrorJson(draft.error(), req.request_id);
  auto results = app.shipping->RequestBulk(orders, *draft, IdempotencyKey(req), p.name);
  const auto wait = WaitOf(*body);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  json::array list;
  int created = 0, existing = 0, refused = 0;
  for (auto& r : results) {
    json::object item{{"orderId", r.order.value}};
    if (r.outcome) {
      domain::Shipment s = r.outcome->shipment;
      if (wait.count() > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (auto done = app.shipping->Await(s.id, std::max(left, std::chrono::milliseconds(0))))
          s = *done;
      }
      item["result"] = r.outcome->created ? "created" : "existing";
      (r.outcome->created ? created : existing)++;
      item["shipment"] = ShipmentJson(s);
    } else {
      item["result"] = "refused";
      item["error"] = ErrorObject(r.outcome.error());
      ++refused;
    }
    list.push_back(std::move(item));
  }
  return Json(200, json::object{{"results", std::move(list)},
                                {"created", created},
                                {"existing", existing},
                                {"refused", refused}});
}

Response GetShipment(AppContext& app, Request& req) {
  auto id = ParsePositive(req.PathParam("id"));
  if (!id) return ApiError(ErrorCode::kNotFound, "no shipment with that id", req);
  auto s = app.shipping->Get(ShipmentId(*id));
  if (!s) return ErrorJson(s.error(), req.request_id);
  return Json(200, ShipmentJson(*s));
}

Response OrderShipments(AppContext& app, Request& req) {
  auto id = ParsePositive(req.PathParam("id"));
  if (!id) return ApiError(ErrorCode::kNotFound, "no order with that id", req);
  auto list = app.store.Read(
      [&](store::UnitOfWork& uow) { return uow.shipments().ListForOrder(OrderId(*id)); });
  if (!list) return ErrorJson(list.error(), req.request_id);
  json::array out;
  for (const auto& s : *list) out.push_back(ShipmentJson(s));
  return Json(200, json::object{{"shipments", std::move(out)}});
}

Response CancelShipment(AppContext& app, Request& req, const Principal& p) {
  auto id = ParsePositive(req.PathParam("id"));
  if (!id) return ApiError(ErrorCode::kNotFound, "no shipment with that id", req);
  auto s = app.shipping->Cancel(ShipmentId(*id), p.name);
  if (!s) return ErrorJson(s.error(), req.request_id);
  return Json(200, ShipmentJson(*s));
}

Result<domain::LabelFormat> FormatParam(const std::optional<std::string>& text) {
  if (!text || text->empty()) return domain::LabelFormat::kPdfA6;
  auto f = services::ParseLabelFormatParam(*text);
  if (!f) {
    return Fail(ErrorCode::kInvalidArgument,
                "format must be pdf-a6, pdf-a4, zpl (203 dpi) or zpl-300");
  }
  return *f;
}

Response FileResponse(const services::LabelFile& file) {
  Response r;
  r.status = 200;
  r.body = file.bytes;
  r.SetHeader("Content-Type", file.content_type);
  r.SetHeader("Content-Disposition", fmt::format("attachment; filename=\"{}\"", file.file_name));
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Response LabelOf(AppContext& app, Request& req) {
  auto id = ParsePositive(req.PathParam("id"));
  if (!id) return ApiError(ErrorCode::kNotFound, "no shipment with that id", req);
  auto format = FormatParam(req.QueryParam("format"));
  if (!format) return ErrorJson(format.error(), req.request_id);
  auto label = app.shipping->Label(ShipmentId(*id), *format);
  if (!label) return ErrorJson(label.error(), req.request_id);
  return FileResponse(*label);
}

Result<std::vector<std::int64_t>> IdList(const json::object& body, std::string_view key) {
  const auto* v = body.if_contains(key);
  std::vector<std::int64_t> out;
  if (!v) return out;
  if (!v->is_array() || v->get_array().size() > 5000) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("{}: a list of at most 5,000 ids", key));
  }
  for (const auto& item : v->get_array()) {
    if (!item.is_int64() || item.get_int64() <= 0) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("{}: positive integers", key));
    }
    out.push_back(item.get_int64());
  }
  return out;
}

Response MergedLabels(AppContext& app, Request& req) {
  auto body = ParseBody(req);
  if (!body) return ErrorJson(body.error(), req.request_id);
  std::optional<std::string> format_text;
  if (const auto* f = body->if_contains("format"); f && f->is_string()) {
    format_text = std::string(f->get_string());
  }
  auto format = FormatParam(format_text);
  if (!format) return ErrorJson(format.error(), req.request_id);
  auto shipment_ids = IdList(*body, "shipmentIds");
  auto order_ids = IdList(*body, "orderIds");
  if (!shipment_ids) return ErrorJson(shipment_ids.error(), req.request_id);
  if (!order_ids) return ErrorJson(order_ids.error(), req.request_id);
  std::vector<ShipmentId> ids;
  for (auto v : *shipment_ids) ids.emplace_back(v);
  if (!order_ids->empty()) {
    std::vector<OrderId> orders;
    for (auto v : *order_ids) orders.emplace_back(v);
    auto of_orders = app.shipping->LabelShipmentsOf(orders);
    if (!of_orders) return ErrorJson(of_orders.error(), req.request_id);
    ids.insert(ids.end(), of_orders->begin(), of_orders->end());
  }
  if (ids.empty()) {
    return ApiError(ErrorCode::kInvalidArgument, "send shipmentIds or orderIds", req);
  }
  auto file = app.shipping->MergedLabels(ids, *format);
  if (!file) return ErrorJson(file.error(), req.request_id);
  return FileResponse(*file);
}

// POST /api/v1/accounts/{alias}/carriers/{carrier}/close-day: the day's handover; the carrier's
// document (DPD's protocol) as base64 PDF.
Response CloseDay(AppContext& app, Request& req, const Principal& p) {
  auto account = app.accounts->Find(req.PathParam("id").value_or(""));
  if (!account) return ErrorJson(account.error(), req.request_id);
  const std::string code = req.PathParam("carrier").value_or("");
  auto carrier = domain::ParseCarrier(code);
  if (!carrier) {
    return ApiError(ErrorCode::kInvalidArgument,
                    fmt::format("carrier '{}' is unknown", TruncateUtf8(code, 40)), req);
  }
  auto closed = app.shipping->CloseDay(account->id, *carrier, p.name);
  if (!closed) return ErrorJson(closed.error(), req.request_id);
  json::array ids;
  for (const auto& id : closed->shipments) ids.push_back(id.value);
  return Json(
      200, json::object{
               {"summary", closed->handover.summary},
               {"shipmentIds", std::move(ids)},
               {"document", closed->handover.document.empty()
                                ? json::value(nullptr)
                                : json::value(security::Base64Encode(closed->handover.document))}});
}

}  // namespace

void RegisterShippingRoutes(Router& router, AppContext& app) {
  if (!app.shipping) return;
  router.Post("/api/v1/orders/{id}/shipments",
              WithToken(app, false, [&app](Request& req, const Principal& p) {
                return CreateShipment(app, req, p);
              }));
  router.Get("/api/v1/orders/{id}/shipments",
             WithToken(app, false, [&app](Request& req, const Principal&) {
               return OrderShipments(app, req);
             }));
  router.Post("/api/v1/shipments/bulk",
              WithToken(app, false,
                        [&app](Request& req, const Principal& p) { return Bulk(app, req, p); }));
  router.Get("/api/v1/shipments/{id}",
             WithToken(app, false,
                       [&app](Request& req, const Principal&) { return GetShipment(app, req); }));
  router.Post("/api/v1/shipments/{id}/cancel",
              WithToken(app, false, [&app](Request& req, const Principal& p) {
                return CancelShipment(app, req, p);
              }));
  router.Get(
      "/api/v1/shipments/{id}/label",
      WithToken(app, false, [&app](Request& req, const Principal&) { return LabelOf(app, req); }));
  router.Post("/api/v1/accounts/{id}/carriers/{carrier}/close-day",
              WithToken(app, false, [&app](Request& req, const Principal& p) {
                return CloseDay(app, req, p);
              }));
  router.Post("/api/v1/labels", WithToken(app, false, [&app](Request& req, const Principal&) {
                return MergedLabels(app, req);
              }));
}

}  // namespace nadajnik::http::api
