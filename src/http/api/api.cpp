#include "http/api/api.hpp"

#include <algorithm>
#include <charconv>
#include <map>

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
#include "services/order_query.hpp"
#include "services/status_mapping.hpp"
#include "services/status_sync.hpp"
#include "store/store.hpp"

namespace nadajnik::http::api {

namespace {

// GET /api/v1/orders: the filters of services/order_query.hpp, `limit` 1..500 and keyset
// paging by `cursor` (the previous page's nextCursor).
Response ListOrders(AppContext& app, Request& req) {
  int limit = 50;
  if (auto text = req.QueryParam("limit")) {
    auto v = ParsePositive(text);
    if (!v || *v > 500) {
      return ApiError(ErrorCode::kInvalidArgument, "limit must be an integer from 1 to 500", req);
    }
    limit = static_cast<int>(*v);
  }
  struct Catalog {
    std::vector<domain::LocalStatus> statuses;
    std::vector<domain::MarketplaceAccount> accounts;
  };
  auto catalog = app.store.Read([](store::UnitOfWork& uow) -> Result<Catalog> {
    Catalog c;
    NADAJNIK_ASSIGN_OR_RETURN(c.statuses, uow.statuses().List());
    NADAJNIK_ASSIGN_OR_RETURN(c.accounts, uow.accounts().List());
    return c;
  });
  if (!catalog) return ErrorJson(catalog.error(), req.request_id);
  auto query = services::ParseOrderQuery(
      [&req](std::string_view name) { return req.QueryParam(std::string(name)); },
      catalog->statuses, catalog->accounts);
  if (!query.problems.empty()) {
    return ApiError(ErrorCode::kInvalidArgument, query.problems.front().english, req);
  }
  store::OrderFilter& filter = query.filter;
  filter.limit = limit;
  auto orders = app.store.Read([&](store::UnitOfWork& uow) { return uow.orders().List(filter); });
  if (!orders) return ErrorJson(orders.error(), req.request_id);
  json::array list;
  for (const auto& o : *orders) list.push_back(OrderJson(o, false));
  json::value next = nullptr;
  if (static_cast<int>(orders->size()) == filter.limit) {
    next = json::value(services::EncodeOrderCursor(orders->back(), filter.sort));
  }
  json::object body{{"orders", std::move(list)}, {"count", orders->size()}, {"nextCursor", next}};
  return Json(200, body);
}

// GET /api/v1/orders/counts: orders per account and local status, and needing attention, from
// the counters (no scan): what the panel's status tabs show.
Response OrderCounts(AppContext& app, Request& req) {
  struct Counts {
    std::vector<store::OrderStatusCount> by_status;
    std::vector<std::pair<AccountId, std::int64_t>> attention;
    std::vector<domain::LocalStatus> statuses;
    std::vector<domain::MarketplaceAccount> accounts;
  };
  auto counts = app.store.Read([](store::UnitOfWork& uow) -> Result<Counts> {
    Counts c;
    NADAJNIK_ASSIGN_OR_RETURN(c.by_status, uow.orders().CountByStatus());
    NADAJNIK_ASSIGN_OR_RETURN(c.attention, uow.orders().CountAttention());
    NADAJNIK_ASSIGN_OR_RETURN(c.statuses, uow.statuses().List());
    NADAJNIK_ASSIGN_OR_RETURN(c.accounts, uow.accounts().List());
    return c;
  });
  if (!counts) return ErrorJson(counts.error(), req.request_id);
  std::map<std::int64_t, std::string> alias, status;
  for (const auto& a : counts->accounts) alias[a.id.value] = a.alias;
  for (const auto& s : counts->statuses) status[s.id.value] = s.name;
  json::array rows;
  std::int64_t total = 0;
  for (const auto& c : counts->by_status) {
    total += c.orders;
    rows.push_back(json::object{
        {"account", alias[c.account_id.value]},
        {"localStatusId", c.local_status_id ? json::value(c.local_status_id->value) : nullptr},
        {"localStatus",
         c.local_status_id ? json::value(status[c.local_status_id->value]) : nullptr},
        {"orders", c.orders}});
  }
  json::array attention;
  std::int64_t attention_total = 0;
  for (const auto& [account, n] : counts->attention) {
    attention_total += n;
    attention.push_back(json::object{{"account", alias[account.value]}, {"orders", n}});
  }
  return Json(200, json::object{{"total", total},
                                {"byStatus", std::move(rows)},
                                {"needsAttention", attention_total},
                                {"needsAttentionByAccount", std::move(attention)}});
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

// POST /api/v1/orders/bulk-status {"orderIds":[1,2],"status":"Wysłane"}: each order changed
// on its own; a result per order in the given order.
Response BulkChangeStatus(AppContext& app, Request& req, const Principal& p) {
  boost::system::error_code ec;
  auto body = json::parse(req.body, ec);
  const json::object* o = !ec && body.is_object() ? &body.get_object() : nullptr;
  const json::value* status = o ? o->if_contains("status") : nullptr;
  const json::value* ids = o ? o->if_contains("orderIds") : nullptr;
  if (!status || !(status->is_string() || status->is_int64()) || !ids || !ids->is_array()) {
    return ApiError(ErrorCode::kInvalidArgument,
                    "send {\"orderIds\": [1, 2], \"status\": \"W realizacji\"}", req);
  }
  std::vector<OrderId> orders;
  for (const auto& v : ids->get_array()) {
    if (!v.is_int64() || v.get_int64() <= 0) {
      return ApiError(ErrorCode::kInvalidArgument, "orderIds must hold positive integers", req);
    }
    if (std::find(orders.begin(), orders.end(), OrderId(v.get_int64())) == orders.end()) {
      orders.emplace_back(v.get_int64());
    }
  }
  const std::string wanted =
      status->is_string() ? std::string(status->get_string()) : std::to_string(status->get_int64());
  auto results = app.status_sync->ChangeMany(orders, wanted, "api:" + p.name);
  if (!results) return ErrorJson(results.error(), req.request_id);
  json::array out;
  for (const auto& r : *results) {
    json::object item{{"orderId", r.order.value}};
    if (r.change) {
      item["result"] = r.change->unchanged ? "unchanged" : "changed";
      item["change"] = StatusChangeJson(*r.change);
    } else {
      item["result"] = "refused";
      item["error"] = r.change.error().message;
    }
    out.push_back(std::move(item));
  }
  return Json(200, json::object{{"results", std::move(out)}});
}

Response ListAccounts(AppContext& app, Request& req) {
  auto list = app.accounts->List();
  if (!list) return ErrorJson(list.error(), req.request_id);
  // The application's request budget as this process counts it since it started (null: not
  // known here); shared by the accounts of one client id.
  const auto iso = [](const std::optional<Timestamp>& t) {
    return t ? json::value(FormatIso8601(*t)) : json::value(nullptr);
  };
  json::array out;
  for (const auto& h : *list) {
    json::object account = AccountJson(h);
    if (h.budget) {
      const auto& b = *h.budget;
      account["requestBudget"] = json::object{
          {"usedLastMinute", b.used_last_minute},
          {"limitPerMinute", b.limit},
          {"blockedUntil", iso(b.blocked_until)},
          {"rateLimitedTotal", b.rate_limited_total},
          {"lastRateLimitedAt", iso(b.last_rate_limited_at)},
          {"lastRetryAfterMs",
           b.last_retry_after ? json::value(b.last_retry_after->count()) : json::value(nullptr)},
          {"countedSince", iso(b.counted_since)},
          {"scope", "process"}};
    } else {
      account["requestBudget"] = nullptr;
    }
    out.push_back(std::move(account));
  }
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
    std::vector<services::StatusMappingChange> changes;
    for (const auto& item : list->get_array()) {
      const json::value* local =
          item.is_object() ? item.get_object().if_contains("localStatus") : nullptr;
      const json::value* remote =
          item.is_object() ? item.get_object().if_contains("fulfillmentStatus") : nullptr;
      if (!local || !remote || !(local->is_string() || local->is_int64()) ||
          !(remote->is_string() || remote->is_null())) {
        return ApiError(ErrorCode::kInvalidArgument,
                        "each mapping needs localStatus (name or id) and fulfillmentStatus (a "
                        "status or null)",
                        req);
      }
      services::StatusMappingChange c;
      c.local_status = local->is_string() ? std::string(local->get_string())
                                          : std::to_string(local->get_int64());
      if (remote->is_string()) c.fulfillment = std::string(remote->get_string());
      changes.push_back(std::move(c));
    }
    // The same checks as the panel's "Ustawienia › Statusy": all stored or none.
    auto set = app.store.InTransaction(
        [&](store::UnitOfWork& uow) { return services::SetStatusMappingsIn(uow, id, changes); });
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
  router.Get("/api/v1/orders/counts", WithToken(app, false, [&app](Request& req, const Principal&) {
               return OrderCounts(app, req);
             }));
  router.Get("/api/v1/orders", WithToken(app, false, [&app](Request& req, const Principal&) {
               return ListOrders(app, req);
             }));
  router.Get("/api/v1/orders/{id}", WithToken(app, false, [&app](Request& req, const Principal&) {
               return GetOrder(app, req);
             }));
  router.Post("/api/v1/orders/bulk-status",
              WithToken(app, false, [&app](Request& req, const Principal& p) {
                return BulkChangeStatus(app, req, p);
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
