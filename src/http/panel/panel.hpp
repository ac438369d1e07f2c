// The seller panel: server-rendered HTML pages in Polish.
//
// Authentication is a session cookie (HttpOnly, SameSite=Lax, Secure over TLS). Every POST
// carries a CSRF token: the session's token for logged-in forms, a double-submit cookie for the
// login form; a missing or wrong token is 403. Pages for admins only answer 403 to packers.
// A user with a one-time password is sent to /account/password until they set their own.
#pragma once

#include "http/app_context.hpp"
#include "http/router.hpp"

namespace nadajnik::http::panel {

void RegisterPanelRoutes(Router& router, AppContext& app);

}  // namespace nadajnik::http::panel
