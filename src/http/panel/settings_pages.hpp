// The panel's settings pages (settings_pages.cpp): "Ustawienia › Przewoźnicy", the carrier
// contracts of every marketplace account, and the form that adds or replaces one, so a seller
// doesn't need `nadajnik carriers add`; "Ustawienia › Statusy", which Allegro fulfilment status
// each local status sends per account (through services::SetStatusMappingsIn, as the JSON API);
// and "Użytkownicy": adding users, changing a role, resetting a password (to be changed at the
// next login), disabling and deleting, through AuthService, which refuses an admin locking
// themself out and losing the last enabled admin. Destructive actions need a confirm checkbox.
//
// Secrets (tokens, passwords) are never rendered: the list says only "ustawiony", and the form's
// password inputs start empty, where empty means "keep the stored value". Settings are checked
// with carriers::ValidateCarrierSettings (and the comment template with its renderer) before
// anything is stored; every problem is shown next to its field. The credentials are not checked
// with the carrier here: the panel has no outbound HTTP client (use `carriers check`).
//
// Routes are registered behind the panel's guard (session, CSRF on POST) by RegisterRoutes;
// all of them are for admins only.
#pragma once

#include <functional>

#include "http/app_context.hpp"
#include "http/router.hpp"
#include "services/auth_service.hpp"

namespace nadajnik::http::panel::settings {

using GuardedHandler = std::function<Response(Request&, const services::Principal&)>;
// Wraps a handler in the panel's guard (admin_only, handler).
using Guard = std::function<http::Handler(bool, GuardedHandler)>;

// GET /settings/carriers, GET and POST /settings/carriers/{alias}/{carrier}; GET
// /settings/statuses, GET and POST /settings/statuses/{alias}; GET and POST /admin/users, GET
// /admin/users/{id}, POST /admin/users/{id}/{role,password,disabled,delete}.
void RegisterRoutes(Router& router, AppContext& app, const Guard& guard);

}  // namespace nadajnik::http::panel::settings
