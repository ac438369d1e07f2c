// The sandbox's own admin endpoints under /__sandbox/ (no Allegro path starts so), JSON in and
// out, for tests and the demo: issue tokens without a browser, create/pay/cancel orders, advance
// time, revoke a seller's tokens, read what the sandbox received.
#pragma once

#include "http/router.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

void RegisterAdminRoutes(http::Router& router, World& world);

}  // namespace nadajnik::sandbox::allegro
