#include "sandbox/allegro/admin_api.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/text.hpp"
#include "sandbox/allegro/faults.hpp"
#include "sandbox/allegro/oauth.hpp"
#include "sandbox/allegro/orders_api.hpp"

namespace nadajnik::sandbox::allegro {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

Response Json(int status, const json::value& v) {
  return Response::Json(status, json::serialize(v));
}
Response Bad(std::string message) { return Json(400, json::object{{"error", std::move(message)}}); }

std::optional<json::object> Body(const Request& req) {
  boost::system::error_code ec;
  auto v = json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v.get_object();
}

std::string Str(const json::object& o, std::string_view key, std::string fallback = {}) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                  : std::move(fallback);
}

std::optional<std::int64_t> Int(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_int64()) return std::nullopt;
  return it->value().get_int64();
}

std::optional<std::uint32_t> SellerIndex(const World& world, const std::string& login) {
  for (std::uint32_t i = 0; i < world.sellers.size(); ++i) {
    if (world.sellers[i].login == login) return i;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> OrderIndex(const World& world, const std::string& id) {
  auto it = world.order_by_checkout_form.find(id);
  if (it == world.order_by_checkout_form.end()) return std::nullopt;
  return it->second;
}

Response PostTokens(World& world, Request& req) {
  auto body = Body(req);
  if (!body) return Bad("send a JSON object such as {\"login\": \"sprzedawca-pl\"}");
  const std::string login = Str(*body, "login");
  const Seller* seller = world.FindSellerByLogin(login);
  if (!seller) return Bad("no seller with login '" + TruncateUtf8(login, 64) + "'");
  IssuedTokens t = IssueUserTokens(world, seller->id, world.options.client_id, {});
  return Json(200, json::object{{"access_token", t.access_token},
                                {"refresh_token", t.refresh_token},
                                {"token_type", "bearer"},
                                {"expires_in", t.expires_in}});
}

Response PostOrders(World& world, Request& req) {
  auto body = Body(req);
  if (!body) return Bad("send a JSON object such as {\"count\": 10}");
  const auto count = Int(*body, "count").value_or(1);
  if (count < 1 || count > 1000000) return Bad("count must be from 1 to 1000000");
  const std::string login =
      Str(*body, "seller", world.sellers.empty() ? "" : world.sellers[0].login);
  auto seller = SellerIndex(world, login);
  if (!seller) return Bad("no seller with login '" + TruncateUtf8(login, 64) + "'");
  auto marketplace = ParseMarketplaceWireId(
      Str(*body, "marketplace",
          std::string(MarketplaceWireId(world.sellers[*seller].base_marketplace))));
  if (!marketplace)
    return Bad("marketplace must be allegro-pl, allegro-cz, allegro-sk or allegro-hu");
  const auto spread_minutes = Int(*body, "spreadMinutes").value_or(0);
  auto paid_it = body->find("paid");
  const bool paid =
      paid_it == body->end() || !paid_it->value().is_bool() || paid_it->value().get_bool();
  auto created =
      world.CreateOrders(*seller, *marketplace, static_cast<int>(count),
                         std::chrono::minutes(std::max<std::int64_t>(0, spread_minutes)), paid);
  json::array ids;
  for (auto i : created) ids.push_back(json::value(world.CheckoutFormId(i)));
  return Json(201, json::object{{"checkoutFormIds", std::move(ids)}});
}

Response PostOrderAction(World& world, Request& req) {
  auto order = OrderIndex(world, req.PathParam("id").value_or(""));
  if (!order) return Json(404, json::object{{"error", "no such checkout form"}});
  const std::string action = req.PathParam("action").value_or("");
  OrderRecord& r = world.orders[*order];
  if (action == "pay") {
    if (r.status == CheckoutStatus::kCancelled) return Bad("a cancelled order can't be paid");
    world.Pay(*order);
  } else if (action == "cancel") {
    // A buyer cancellation after payment: status CANCELLED, fulfillment left as it was.
    r.status = CheckoutStatus::kCancelled;
    world.Touch(*order);
    world.AppendEvent(*order, EventType::kBuyerCancelled);
  } else if (action == "hide") {
    auto body = Body(req);
    const auto seconds = body ? Int(*body, "seconds").value_or(60) : 60;
    r.hidden_until_ms = ToUnixMillis(world.Now()) + seconds * 1000;
  } else if (action == "corrupt") {
    // A fault in Allegro's serving, not a change of the order: no event, updatedAt as it was.
    r.served_corrupt = true;
  } else if (action == "repair") {
    // Allegro fixed its serving: nothing changed for the buyer, so no event and no new revision,
    // but updatedAt moves so that a reconciliation by updatedAt.gte picks the form up again.
    r.served_corrupt = false;
    world.TouchUpdatedAt(*order);
  } else if (action == "fulfillment") {
    // The seller set the status in Allegro's web panel: what the PUT does, minus `received`
    // (that lists what the client sent).
    auto body = Body(req);
    auto status_it = body ? body->find("status") : nullptr;
    const bool has_status = body && status_it != body->end() && status_it->value().is_string();
    const auto revision = req.QueryParam("checkoutForm.revision");
    auto set = world.SetFulfillmentStatus(
        *order, has_status ? std::string_view(status_it->value().get_string()) : "",
        revision ? std::optional<std::string_view>(*revision) : std::nullopt);
    if (!set && set.error().code == ErrorCode::kConflict) {
      return Json(409, json::object{{"error",
                                     "checkoutForm.revision is outdated: fetch the "
                                     "form and send its current revision"}});
    }
    if (!set) {
      return Bad(has_status
                     ? set.error().message
                     : "send {\"status\": S} where S is one of " + SellerFulfillmentStatusList());
    }
  } else {
    return Bad("unknown action '" + TruncateUtf8(action, 32) +
               "': use pay, cancel, hide, corrupt, repair or fulfillment");
  }
  return Json(200, CheckoutFormJson(world, *order));
}

// A joint payment of several purchases: {"checkoutFormIds": [...]} of one seller.
Response PostMerge(World& world, Request& req) {
  auto body = Body(req);
  auto it = body ? body->find("checkoutFormIds") : nullptr;
  if (!body || it == body->end() || !it->value().is_array() || it->value().get_array().size() < 2) {
    return Bad("send {\"checkoutFormIds\": [two or more ids of one seller]}");
  }
  std::vector<std::uint32_t> sources;
  for (const auto& v : it->value().get_array()) {
    auto order = v.is_string() ? OrderIndex(world, std::string(v.get_string())) : std::nullopt;
    if (!order) return Bad("unknown checkout form in checkoutFormIds");
    if (world.orders[*order].merged_into >= 0)
      return Bad("a form in checkoutFormIds was merged already");
    if (world.orders[*order].seller != world.orders[sources.empty() ? *order : sources[0]].seller) {
      return Bad("the forms belong to different sellers");
    }
    sources.push_back(*order);
  }
  const std::uint32_t merged = world.MergeAndPay(sources);
  return Json(201, CheckoutFormJson(world, merged));
}

Response PostScenario(World& world, Request& req) {
  auto body = Body(req);
  if (!body) return Bad("send {\"name\": \"slow\", \"on\": true, ...parameters}");
  auto on_it = body->find("on");
  const bool on = on_it == body->end() || !on_it->value().is_bool() || on_it->value().get_bool();
  auto set = SetScenario(world, Str(*body, "name"), on, *body);
  if (!set) return Bad(set.error().message);
  return Json(200, json::object{{"active", ActiveScenarios(world)}});
}

Response GetScenarios(World& world, Request&) {
  json::array known;
  for (const auto& s : Scenarios()) {
    known.push_back(json::object{{"name", s.name}, {"description", s.description}});
  }
  return Json(200, json::object{{"active", ActiveScenarios(world)}, {"known", std::move(known)}});
}

Response PostTime(World& world, Request& req) {
  auto body = Body(req);
  const auto seconds = body ? Int(*body, "advanceSeconds") : std::nullopt;
  if (!seconds || *seconds < 0) return Bad("send {\"advanceSeconds\": N} with N >= 0");
  world.offset += std::chrono::seconds(*seconds);
  return Json(200, json::object{{"now", FormatIso8601(world.Now())}});
}

Response PostRevoke(World& world, Request& req) {
  auto body = Body(req);
  const Seller* seller = body ? world.FindSellerByLogin(Str(*body, "login")) : nullptr;
  if (!seller) return Bad("send {\"login\": \"...\"} naming an existing seller");
  RevokeSellerTokens(world, seller->id);
  return Json(200, json::object{{"revoked", seller->login}});
}

Response GetReceived(World& world, Request& req) {
  const auto kind = req.QueryParam("kind");
  json::array list;
  for (const auto& r : world.received) {
    if (kind && r.kind != *kind) continue;
    boost::system::error_code ec;
    auto detail = json::parse(r.detail, ec);
    list.push_back(json::object{{"kind", r.kind},
                                {"checkoutFormId", r.checkout_form_id},
                                {"sellerId", r.seller_id},
                                {"at", FormatIso8601(FromUnixMillis(r.at_ms))},
                                {"body", ec ? json::value(r.detail) : detail}});
  }
  return Json(200, json::object{{"received", std::move(list)}});
}

Response GetSellers(World& world, Request&) {
  json::array list;
  for (const auto& s : world.sellers) {
    list.push_back(json::object{{"id", s.id},
                                {"login", s.login},
                                {"baseMarketplace", MarketplaceWireId(s.base_marketplace)}});
  }
  return Json(200, json::object{{"sellers", std::move(list)}});
}

}  // namespace

void RegisterAdminRoutes(http::Router& router, World& world) {
  auto locked = [&world](Response (*fn)(World&, Request&)) {
    return [&world, fn](Request& req) {
      std::lock_guard lock(world.mu);
      return fn(world, req);
    };
  };
  router.Post("/__sandbox/tokens", locked(PostTokens));
  router.Post("/__sandbox/orders", locked(PostOrders));
  router.Post("/__sandbox/orders/merge", locked(PostMerge));
  router.Post("/__sandbox/orders/{id}/{action}", locked(PostOrderAction));
  router.Post("/__sandbox/scenarios", locked(PostScenario));
  router.Get("/__sandbox/scenarios", locked(GetScenarios));
  router.Post("/__sandbox/time", locked(PostTime));
  router.Post("/__sandbox/revoke", locked(PostRevoke));
  router.Get("/__sandbox/received", locked(GetReceived));
  router.Get("/__sandbox/sellers", locked(GetSellers));
}

}  // namespace nadajnik::sandbox::allegro
