#include "http/api/api.hpp"

#include <charconv>

#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/text.hpp"
#include "http/api/api_support.hpp"
#include "http/api/json_views.hpp"
#include "http/error_status.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "services/account_service.hpp"
#include "services/auth_service.hpp"
#include "services/status_sync.hpp"
#include "store/store.hpp"

namespace nadajnik::http::api {

namespace {

// Cursor of the orders list: "<boughtAt ms>.<id>" of the last order of the previous page.
std::string EncodeCursor(const domain::Order& o) {
  return fmt::format("{}.{}", o.bought_at ? ToUnixMillis(*o.bought_at) : 0, o.id.value);
}

std::optional<std::pair<Timestamp, OrderId>> DecodeCursor(const std::string& text) {
  const auto dot = text.find('.');
  if (dot == std::string::npos) return std::nullopt;
  std::int64_t ms = 0;
  auto id = ParsePositive(text.substr(dot + 1));
  auto [p, ec] = std::from_chars(text.data(), text.data() + dot, ms);
  if (ec != std::errc() || p != text.data() + dot || !id) return std::nullopt;
  return std::make_pair(FromUnixMillis(ms), OrderId(*id));
}

// A date (2026-11-25, the day in Poland) or an ISO 8601 time.
std::optional<Timestamp> ParseDateParam(const std::string& text, bool end_of_day) {
  if (auto t = ParseIso8601(text)) return *t;
  if (text.size() == 10) {
    if (auto t = ParseIso8601(text + "T00:00:00Z")) {
      // The day in Poland: midnight in Europe/Warsaw is 22:00 or 23:00 UTC the day before.
      const auto offset = UtcOffset(*t);
      return end_of_day ? *t - offset + std::chrono::days(1) - std::chrono::milliseconds(1)
                        : *t - offset;
    }
  }
  return std::nullopt;
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
  for (const char* name : {"account", "accountId"}) {
    auto account = req.QueryParam(name);
    if (!account) continue;
    if (!app.accounts) return ApiError(ErrorCode::kInternal, "accounts are not available", req);
    auto found = app.accounts->Find(*account);
    if (!found) return ErrorJson(found.error(), req.request_id);
    filter.account_id = found->id;
  }
  for (const char* name : {"status", "localStatusId"}) {
    auto status = req.QueryParam(name);
    if (!status) continue;
    auto statuses = app.store.Read([](store::UnitOfWork& uow) { return uow.statuses().List(); });
    if (!statuses) return ErrorJson(statuses.error(), req.request_id);
    const std::string folded = FoldCase(*status);
    for (const auto& s : *statuses) {
      if (FoldCase(s.name) == folded || std::to_string(s.id.value) == *status) {
        filter.local_status_id = s.id;
      }
    }
    if (!filter.local_status_id) {
      return ApiError(ErrorCode::kInvalidArgument,
                      "status must be the name or id of a local status (GET /api/v1/statuses)",
                      req);
    }
  }
  if (auto c = req.QueryParam("allegroStatus")) {
    filter.checkout_status = domain::ParseCheckoutStatus(*c);
    if (!filter.checkout_status) {
      return ApiError(ErrorCode::kInvalidArgument,
                      "allegroStatus must be BOUGHT, FILLED_IN, READY_FOR_PROCESSING or CANCELLED",
                      req);
    }
  }
  if (auto m = req.QueryParam("marketplace")) {
    auto v = domain::ParseMarketplace(*m);
    if (!v) {
      return ApiError(ErrorCode::kInvalidArgument,
                      "marketplace must be allegro-pl, allegro-cz, allegro-sk or allegro-hu", req);
    }
    filter.marketplace = *v;
  }
  for (const auto& [name, end_of_day] : {std::pair{"from", false}, std::pair{"to", true}}) {
    auto text = req.QueryParam(name);
    if (!text) continue;
    auto t = ParseDateParam(*text, end_of_day);
    if (!t) {
      return ApiError(ErrorCode::kInvalidArgument,
                      fmt::format("{} must be a date (2026-11-25) or an ISO 8601 time", name), req);
    }
    (end_of_day ? filter.bought_to : filter.bought_from) = *t;
  }
  if (auto cursor = req.QueryParam("cursor")) {
    filter.after = DecodeCursor(*cursor);
    if (!filter.after) {
      return ApiError(ErrorCode::kInvalidArgument,
                      "cursor is not one this API gave (use nextCursor of the previous page)", req);
    }
  }
  filter.text =
      TruncateUtf8(req.QueryParam("q").value_or(req.QueryParam("text").value_or("")), 200);
  auto orders = app.store.Read([&](store::UnitOfWork& uow) { return uow.orders().List(filter); });
  if (!orders) return ErrorJson(orders.error(), req.request_id);
  json::array list;
  for (const auto& o : *orders) list.push_back(OrderJson(o, false));
  json::value next = nullptr;
  if (static_cast<int>(orders->size()) == filter.limit)
    next = json::value(EncodeCursor(orders->back()));
  json::object body{{"orders", std::move(list)}, {"count", orders->size()}, {"nextCursor", next}};
  return Json(200, body);
}

Response GetOrder(AppContext& app, Request& req) {
  auto id = ParsePositive(req.PathParam("id"));
  if (!id) return ApiError(ErrorCode::kNotFound, "no order with that id", req);
  struct Found {
    std::optional<domain::Order> order;
    std::vector<domain::OrderEvent> timeline;
    std::vector<domain::Shipment> shipments;
  };
  auto found = app.store.Read([&](store::UnitOfWork& uow) -> Result<Found> {
    Found f;
    NADAJNIK_ASSIGN_OR_RETURN(f.order, uow.orders().Get(OrderId(*id)));
    if (f.order) {
      NADAJNIK_ASSIGN_OR_RETURN(f.timeline, uow.order_events().ListForOrder(OrderId(*id)));
      NADAJNIK_ASSIGN_OR_RETURN(f.shipments, uow.shipments().ListForOrder(OrderId(*id)));
    }
    return f;
  });
  if (!found) return ErrorJson(found.error(), req.request_id);
  if (!found->order) return ApiError(ErrorCode::kNotFound, "no order with that id", req);
  json::object body = OrderJson(*found->order, true);
  json::array timeline;
  for (const auto& e : found->timeline) timeline.push_back(TimelineEventJson(e));
  body["timeline"] = std::move(timeline);
  json::array shipments;
  for (const auto& s : found->shipments) shipments.push_back(ShipmentJson(s));
  body["shipments"] = std::move(shipments);
  return Json(200, body);
}

Response ChangeStatus(AppContext& app, Request& req, const Principal& p) {
  auto id = ParsePositive(req.PathParam("id"));
  if (!id) return ApiError(ErrorCode::kNotFound, "no order with that id", req);
  boost::system::error_code ec;
  auto body = json::parse(req.body, ec);
  const json::value* status =
      !ec && body.is_object() ? body.get_object().if_contains("status") : nullptr;
  if (!status || !(status->is_string() || status->is_int64())) {
    return ApiError(ErrorCode::kInvalidArgument,
                    "send {\"status\": \"W realizacji\"} (a local status name or id)", req);
  }
  const std::string wanted =
      status->is_string() ? std::string(status->get_string()) : std::to_string(status->get_int64());
  auto change = app.status_sync->Change(OrderId(*id), wanted, "api:" + p.name);
  if (!change) return ErrorJson(change.error(), req.request_id);
  return Json(200, StatusChangeJson(*change));
}

Response ListAccounts(AppContext& app, Request& req) {
  auto list = app.accounts->List();
  if (!list) return ErrorJson(list.error(), req.request_id);
  json::array out;
  for (const auto& h : *list) out.push_back(AccountJson(h));
  return Json(200, json::object{{"accounts", std::move(out)}});
}

Response ImportAccount(AppContext& app, Request& req) {
  auto account = app.accounts->Find(req.PathParam("id").value_or(""));
  if (!account) return ErrorJson(account.error(), req.request_id);
  services::ManualImport what;
  boost::system::error_code ec;
  auto body =
      json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), ec);
  if (ec || !body.is_object()) {
    return ApiError(ErrorCode::kInvalidArgument, "send {\"days\": 30, \"archived\": false}", req);
  }
  if (auto* d = body.get_object().if_contains("days")) {
    if (!d->is_int64() || d->get_int64() < 1 || d->get_int64() > 365) {
      return ApiError(ErrorCode::kInvalidArgument, "days must be an integer from 1 to 365", req);
    }
    what.days = static_cast<int>(d->get_int64());
  }
  if (auto* a = body.get_object().if_contains("archived")) {
    if (!a->is_bool())
      return ApiError(ErrorCode::kInvalidArgument, "archived must be true or false", req);
    what.archived = a->get_bool();
  }
  auto report = app.import(account->id, what);
  if (!report) return ErrorJson(report.error(), req.request_id);
  return Json(200, ReportJson(*report));
}

json::object MappingJson(const domain::MarketplaceAccount& account,
                         const std::vector<store::StatusMapping>& mappings) {
  json::array list;
  for (const auto& m : mappings) {
    list.push_back(json::object{
        {"localStatusId", m.local_status_id.value},
        {"localStatus", m.local_status_name},
        {"fulfillmentStatus", m.fulfillment
                                  ? json::value(domain::FulfillmentStatusName(*m.fulfillment))
                                  : json::value(nullptr)},
        {"accountSpecific", m.account_specific}});
  }
  return json::object{{"account", account.alias}, {"mappings", std::move(list)}};
}

// GET: the effective mapping of every local status. PUT {"mappings":[{"localStatus": name or id,
// "fulfillmentStatus": "PROCESSING" or null (the change stays local)}]}: sets those given.
Response StatusMapping(AppContext& app, Request& req, bool write) {
  auto account = app.accounts->Find(req.PathParam("id").value_or(""));
  if (!account) return ErrorJson(account.error(), req.request_id);
  const AccountId id = account->id;
  if (write) {
    boost::system::error_code ec;
    auto body = json::parse(req.body, ec);
    const json::value* list =
        !ec && body.is_object() ? body.get_object().if_contains("mappings") : nullptr;
    if (!list || !list->is_array()) {
      return ApiError(ErrorCode::kInvalidArgument,
                      "send {\"mappings\":[{\"localStatus\":\"Wysłane\",\"fulfillmentStatus\":"
                      "\"SENT\"}]} (fulfillmentStatus null keeps the change local)",
                      req);
    }
    auto set = app.store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
      NADAJNIK_ASSIGN_OR_RETURN(auto statuses, uow.statuses().List());
      for (const auto& item : list->get_array()) {
        const json::value* local =
            item.is_object() ? item.get_object().if_contains("localStatus") : nullptr;
        const json::value* remote =
            item.is_object() ? item.get_object().if_contains("fulfillmentStatus") : nullptr;
        if (!local || !remote || !(local->is_string() || local->is_int64()) ||
            !(remote->is_string() || remote->is_null())) {
          return Fail(ErrorCode::kInvalidArgument,
                      "each mapping needs localStatus (name or id) and fulfillmentStatus (a "
                      "status or null)");
        }
        const std::string wanted = local->is_string() ? std::string(local->get_string())
                                                      : std::to_string(local->get_int64());
        std::optional<StatusId> status;
        for (const auto& s : statuses) {
          if (FoldCase(s.name) == FoldCase(wanted) || std::to_string(s.id.value) == wanted) {
            status = s.id;
          }
        }
        if (!status) {
          return Fail(ErrorCode::kInvalidArgument,
                      fmt::format("unknown local status '{}'", TruncateUtf8(wanted, 64)));
        }
        std::optional<domain::FulfillmentStatus> fulfillment;
        if (remote->is_string()) {
          fulfillment = domain::ParseFulfillmentStatus(remote->get_string());
          if (!fulfillment || *fulfillment == domain::FulfillmentStatus::kReturned) {
            return Fail(ErrorCode::kInvalidArgument,
                        fmt::format("fulfillmentStatus '{}' can't be set by a seller: use NEW, "
                                    "PROCESSING, READY_FOR_SHIPMENT, READY_FOR_PICKUP, SENT, "
                                    "PICKED_UP, CANCELLED or SUSPENDED",
                                    TruncateUtf8(std::string(remote->get_string()), 40)));
          }
        }
        NADAJNIK_TRY(uow.status_mappings().Set(id, *status, fulfillment));
      }
      return Ok();
    });
    if (!set) return ErrorJson(set.error(), req.request_id);
  }
  auto mappings =
      app.store.Read([&](store::UnitOfWork& uow) { return uow.status_mappings().List(id); });
  if (!mappings) return ErrorJson(mappings.error(), req.request_id);
  return Json(200, MappingJson(*account, *mappings));
}

Response ListStatuses(AppContext& app, Request& req) {
  auto statuses = app.store.Read([](store::UnitOfWork& uow) { return uow.statuses().List(); });
  if (!statuses) return ErrorJson(statuses.error(), req.request_id);
  json::array out;
  for (const auto& s : *statuses) {
    out.push_back(json::object{{"id", s.id.value}, {"name", s.name}, {"color", s.color}});
  }
  return Json(200, json::object{{"statuses", std::move(out)}});
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
  router.Post("/api/v1/orders/{id}/status",
              WithToken(app, false, [&app](Request& req, const Principal& p) {
                return ChangeStatus(app, req, p);
              }));
  router.Get("/api/v1/accounts", WithToken(app, false, [&app](Request& req, const Principal&) {
               return ListAccounts(app, req);
             }));
  router.Post("/api/v1/accounts/{id}/import",
              WithToken(app, false, [&app](Request& req, const Principal&) {
                return ImportAccount(app, req);
              }));
  router.Get("/api/v1/accounts/{id}/status-mapping",
             WithToken(app, false, [&app](Request& req, const Principal&) {
               return StatusMapping(app, req, false);
             }));
  router.Add("PUT", "/api/v1/accounts/{id}/status-mapping",
             WithToken(app, true, [&app](Request& req, const Principal&) {
               return StatusMapping(app, req, true);
             }));
  router.Get("/api/v1/statuses", WithToken(app, false, [&app](Request& req, const Principal&) {
               return ListStatuses(app, req);
             }));
  RegisterShippingRoutes(router, app);
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
