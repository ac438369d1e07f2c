// The panel's shipping pages (shipping_pages.cpp): the "Przesyłki" section of the order page
// (the order's shipments, label downloads, cancel, the create form), the bulk actions of the
// orders list (create shipments, merged labels) and the label downloads. Everything goes
// through services::ShippingService, the same service the JSON API uses.
//
// Idempotency: the create form carries a random key made when the form is rendered, and the
// bulk form a random bulk key, so a double click or a resubmitted page sends the same key and
// the service answers with the shipments of the first submission.
//
// Routes are registered behind the panel's guard (session, CSRF on POST) by RegisterRoutes;
// every user (admin or packer) may use them.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "domain/order.hpp"
#include "domain/shipment.hpp"
#include "http/app_context.hpp"
#include "http/panel/views.hpp"
#include "http/router.hpp"

namespace nadajnik::http::panel {

namespace shipping {

// What the user typed into "Utwórz przesyłkę", shown again with what is wrong next to each field
// when the service or the panel refuses it.
struct CreateForm {
  std::string key;
  std::string carrier;
  std::string service;
  std::string size_template;
  std::string weight_kg;
  std::string target_point;
  std::string cod;
  std::string insurance;
  bool confirm = false;
  std::map<std::string, std::string> field_errors;  // field -> Polish message
  std::vector<std::string> errors;                  // not tied to a field
};

// Adds the shipping data of the order page to `d` (shipments, label links, the create form
// prefilled from the order and the account's carrier contracts, or `form` when given).
void AddToOrderPage(AppContext& app, const domain::Order& order, const services::Principal& user,
                    Data& d, const CreateForm* form);

// Adds the bulk form of the orders list (carriers of the listed accounts' contracts, a fresh
// bulk key, the label formats with the user's printer chosen) to `d` under "bulk".
void AddToOrdersList(AppContext& app, const std::vector<AccountId>& accounts,
                     const std::string& back, const services::Principal& user, Data& d);

// The user's label printer (users.label_format): what a label download without a format gives.
// PDF A6 for a principal without a user (API token) or a user no longer there; an error only
// when the database can't be read.
Result<domain::LabelFormat> UserLabelFormat(AppContext& app, const services::Principal& user);

// The label formats for a <select>, in the order offered: a list of {param ("pdf-a6", "pdf-a4",
// "zpl", "zpl-300": what ?format= and the forms send), name ("ZPL 203 dpi"), title (the longer
// Polish description), selected}.
Data LabelFormatOptions(domain::LabelFormat selected);
// "PDF A6", "PDF A4", "ZPL 203 dpi", "ZPL 300 dpi".
std::string LabelFormatDisplayName(domain::LabelFormat format);

// The orders ticked on a bulk form (fields "order"), each once, in the page's order; at most
// kMaxBulkOrders + 1 (so the caller can refuse a larger selection).
constexpr std::size_t kMaxBulkOrders = 1000;
std::vector<OrderId> SelectedOrders(const FormData& form);

using GuardedHandler = std::function<Response(Request&, const services::Principal&)>;
// Wraps a handler in the panel's guard (admin_only, handler).
using Guard = std::function<http::Handler(bool, GuardedHandler)>;

void RegisterRoutes(Router& router, AppContext& app, const Guard& guard);

}  // namespace shipping

// The order page (panel.cpp): `status` 200 with the flash the request carries, or another status
// with `form` shown again as the user left it.
Response OrderPage(AppContext& app, Request& req, const services::Principal& user,
                   std::int64_t order_id, int status, const shipping::CreateForm* form);

}  // namespace nadajnik::http::panel
