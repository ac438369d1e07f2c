// The seller panel: server-rendered HTML pages in Polish.
//
// Authentication is a session cookie (HttpOnly, SameSite=Lax, Secure over TLS). Every POST
// carries a CSRF token: the session's token for logged-in forms, a double-submit cookie for the
// login form; a missing or wrong token is 403. Pages for admins only answer 403 to packers.
// A user with a one-time password is sent to /account/password until they set their own.
#pragma once

#include "http/app_context.hpp"
#include "http/router.hpp"

namespace nadajnik::services {
struct Principal;
}

namespace nadajnik::http::panel {

void RegisterPanelRoutes(Router& router, AppContext& app);

// The order sources (marketplace accounts) pages, in sources_pages.cpp. RegisterPanelRoutes puts
// them behind the panel's guard (session, role, CSRF); they assume it ran. Viewing is open to
// every user; adding, authorizing and importing are for admins.
namespace sources {

// GET /sources: every account with its health, and the form to add one.
Response List(AppContext& app, Request& req, const services::Principal& user);
// POST /sources: adds an account (the form again with what is wrong, or a redirect).
Response Add(AppContext& app, Request& req, const services::Principal& user);
// GET /sources/{alias}: the account's integrity incidents and open import failures.
Response Detail(AppContext& app, Request& req, const services::Principal& user);
// POST /sources/{alias}/authorize: a redirect to the marketplace's consent page.
Response Authorize(AppContext& app, Request& req, const services::Principal& user);
// GET /sources/callback: where the marketplace sends the seller back (code and state).
Response Callback(AppContext& app, Request& req, const services::Principal& user);
// POST /sources/{alias}/import: the manual import, answered with its report.
Response Import(AppContext& app, Request& req, const services::Principal& user);

}  // namespace sources

}  // namespace nadajnik::http::panel
