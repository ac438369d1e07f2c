#include "http/api/api.hpp"

#include <charconv>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/text.hpp"
#include "http/error_status.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "services/auth_service.hpp"
#include "store/store.hpp"

namespace nadajnik::http::api {

namespace json = boost::json;
using services::Principal;

namespace {

Response Json(int status, const json::value& v) {
  return Response::Json(status, json::serialize(v));
}

Response ApiError(ErrorCode code, const std::string& message, const Request& req) {
  Error e;
  e.code = code;
  e.message = message;
  Response r = ErrorJson(e, req.request_id);
  if (code == ErrorCode::kUnauthenticated) {
    r.SetHeader("WWW-Authenticate", "Bearer realm=\"nadajnik\"");
  }
  return r;
}

template <typename Handler>
http::Handler WithToken(AppContext& app, bool admin_only, Handler handler) {
  return [&app, admin_only, handler](Request& req) -> Response {
    auto header = req.Header("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (!header || header->size() <= kBearer.size() ||
        header->substr(0, kBearer.size()) != kBearer) {
      return ApiError(ErrorCode::kUnauthenticated,
                      "send an API token as 'Authorization: Bearer <token>' (create one with "
                      "'nadajnik api-tokens create')",
                      req);
    }
    auto principal = app.auth.AuthenticateApiToken(std::string(header->substr(kBearer.size())));
    if (!principal) {
      if (principal.error().code == ErrorCode::kUnauthenticated) {
        return ApiError(ErrorCode::kUnauthenticated, principal.error().message, req);
      }
      log::Error("api.auth_error", {{"error", principal.error().Describe()}});
      return ErrorJson(principal.error(), req.request_id);
    }
    if (admin_only && !principal->is_admin()) {
      return ApiError(ErrorCode::kPermissionDenied, "this endpoint needs an admin token", req);
    }
    return handler(req, *principal);
  };
}

json::value MoneyJson(const Money& m) {
  return json::object{{"amount", m.AmountString()}, {"currency", m.currency.code()}};
}

json::value AddressJson(const domain::Address& a) {
  return json::object{{"firstName", a.first_name},     {"lastName", a.last_name},
                      {"company", a.company},          {"street", a.street},
                      {"postalCode", a.postal_code},   {"city", a.city},
                      {"countryCode", a.country_code}, {"phone", a.phone}};
}

json::object OrderJson(const domain::Order& o, bool with_items) {
  json::object delivery{{"methodId", o.delivery.method_id},
                        {"methodName", o.delivery.method_name},
                        {"smart", o.delivery.smart}};
  if (o.delivery.cost) delivery["cost"] = MoneyJson(*o.delivery.cost);
  if (o.delivery.address) delivery["address"] = AddressJson(*o.delivery.address);
  if (o.delivery.pickup_point) {
    delivery["pickupPoint"] =
        json::object{{"id", o.delivery.pickup_point->id},
                     {"name", o.delivery.pickup_point->name},
                     {"address", AddressJson(o.delivery.pickup_point->address)}};
  }
  json::object out{
      {"id", o.id.value},
      {"accountId", o.account_id.value},
      {"checkoutFormId", o.checkout_form_id.value},
      {"revision", o.revision},
      {"marketplace", domain::MarketplaceId(o.marketplace)},
      {"status", domain::CheckoutStatusName(o.checkout_status)},
      {"fulfillmentStatus", domain::FulfillmentStatusName(o.fulfillment_status)},
      {"localStatusId", o.local_status_id.value},
      {"readOnly", o.read_only()},
      {"buyer", json::object{{"login", o.buyer.login},
                             {"email", o.buyer.email},
                             {"firstName", o.buyer.first_name},
                             {"lastName", o.buyer.last_name},
                             {"company", o.buyer.company},
                             {"phone", o.buyer.phone},
                             {"guest", o.buyer.guest}}},
      {"delivery", std::move(delivery)},
      {"cashOnDelivery", o.cash_on_delivery()},
      {"total", MoneyJson(o.total)},
      {"buyerNote", o.buyer_note},
      {"needsAttention", o.needs_attention},
      {"boughtAt", o.bought_at ? json::value(FormatIso8601(*o.bought_at)) : json::value(nullptr)},
      {"updatedAt", FormatIso8601(o.updated_at)},
  };
  if (o.payment) {
    out["payment"] = json::object{
        {"type", domain::PaymentTypeName(o.payment->type)},
        {"provider", o.payment->provider},
        {"paid", o.payment->paid ? MoneyJson(*o.payment->paid) : json::value(nullptr)}};
  }
  if (o.invoice.required) {
    out["invoice"] = json::object{{"companyName", o.invoice.company_name},
                                  {"taxId", o.invoice.tax_id},
                                  {"address", AddressJson(o.invoice.address)}};
  }
  if (with_items) {
    json::array items;
    for (const auto& i : o.items) {
      items.push_back(json::object{{"lineItemId", i.id.value},
                                   {"offerId", i.offer_id},
                                   {"offerName", i.offer_name},
                                   {"externalId", i.external_id},
                                   {"quantity", i.quantity},
                                   {"unitPrice", MoneyJson(i.unit_price)}});
    }
    out["items"] = std::move(items);
  }
  return out;
}

std::optional<std::int64_t> ParsePositive(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v <= 0) return std::nullopt;
  return v;
}

Response ListOrders(AppContext& app, Request& req) {
  store::OrderFilter filter;
  filter.limit = 50;
  if (auto limit = req.QueryParam("limit")) {
    auto v = ParsePositive(limit);
    if (!v || *v > 500) {
      return ApiError(ErrorCode::kInvalidArgument, "limit must be an integer from 1 to 500", req);
    }
    filter.limit = static_cast<int>(*v);
  }
  if (auto account = req.QueryParam("accountId")) {
    auto v = ParsePositive(account);
    if (!v)
      return ApiError(ErrorCode::kInvalidArgument, "accountId must be a positive integer", req);
    filter.account_id = AccountId(*v);
  }
  if (auto status = req.QueryParam("localStatusId")) {
    auto v = ParsePositive(status);
    if (!v) {
      return ApiError(ErrorCode::kInvalidArgument, "localStatusId must be a positive integer", req);
    }
    filter.local_status_id = StatusId(*v);
  }
  if (auto m = req.QueryParam("marketplace")) {
    auto v = domain::ParseMarketplace(*m);
    if (!v) {
      return ApiError(ErrorCode::kInvalidArgument,
                      "marketplace must be allegro-pl, allegro-cz, allegro-sk or allegro-hu", req);
    }
    filter.marketplace = *v;
  }
  filter.text = TruncateUtf8(req.QueryParam("q").value_or(""), 200);
  auto orders = app.store.Read([&](store::UnitOfWork& uow) { return uow.orders().List(filter); });
  if (!orders) return ErrorJson(orders.error(), req.request_id);
  json::array list;
  for (const auto& o : *orders) list.push_back(OrderJson(o, false));
  json::object body{{"orders", std::move(list)}, {"count", orders->size()}};
  return Json(200, body);
}

Response GetOrder(AppContext& app, Request& req) {
  auto id = ParsePositive(req.PathParam("id"));
  if (!id) return ApiError(ErrorCode::kNotFound, "no order with that id", req);
  auto order =
      app.store.Read([&](store::UnitOfWork& uow) { return uow.orders().Get(OrderId(*id)); });
  if (!order) return ErrorJson(order.error(), req.request_id);
  if (!*order) return ApiError(ErrorCode::kNotFound, "no order with that id", req);
  return Json(200, OrderJson(**order, true));
}

Response ListJobs(AppContext& app, Request& req) {
  store::JobFilter filter;
  if (auto s = req.QueryParam("state")) {
    filter.state = store::ParseJobState(*s);
    if (!filter.state) {
      return ApiError(ErrorCode::kInvalidArgument, "state must be queued, running, done or dead",
                      req);
    }
  }
  if (auto k = req.QueryParam("kind")) filter.kind = TruncateUtf8(*k, 100);
  auto jobs = app.store.Read([&](store::UnitOfWork& uow) { return uow.jobs().List(filter); });
  if (!jobs) return ErrorJson(jobs.error(), req.request_id);
  json::array list;
  for (const auto& j : *jobs) {
    list.push_back(json::object{
        {"id", j.id.value},
        {"kind", j.kind},
        {"state", store::JobStateName(j.state)},
        {"attempts", j.attempts},
        {"maxAttempts", j.max_attempts},
        {"lastError", j.last_error},
        {"runAt", FormatIso8601(j.run_at)},
        {"finishedAt", j.finished_at ? json::value(FormatIso8601(*j.finished_at)) : nullptr}});
  }
  return Json(200, json::object{{"jobs", std::move(list)}});
}

}  // namespace

void RegisterApiRoutes(Router& router, AppContext& app) {
  router.Get("/api/v1/me", WithToken(app, false, [](Request&, const Principal& p) {
               return Json(200, json::object{{"name", p.name}, {"role", domain::RoleName(p.role)}});
             }));
  router.Get("/api/v1/orders", WithToken(app, false, [&app](Request& req, const Principal&) {
               return ListOrders(app, req);
             }));
  router.Get("/api/v1/orders/{id}", WithToken(app, false, [&app](Request& req, const Principal&) {
               return GetOrder(app, req);
             }));
  router.Get("/api/v1/jobs", WithToken(app, true, [&app](Request& req, const Principal&) {
               return ListJobs(app, req);
             }));
}

void RegisterOperationsRoutes(Router& router, AppContext& app) {
  router.Get("/healthz", [&app](Request&) {
    auto db = app.store.Read([](store::UnitOfWork& uow) -> Result<void> {
      NADAJNIK_TRY(uow.statuses().List());
      return Ok();
    });
    json::object body{{"status", db ? "ok" : "degraded"},
                      {"database", db ? "ok" : "unavailable"},
                      {"version", app.version}};
    return Json(db ? 200 : 503, body);
  });
  router.Get("/metrics", [&app](Request&) {
    Response r = Response::Text(200, app.metrics.RenderPrometheus());
    r.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return r;
  });
}

}  // namespace nadajnik::http::api
