// The JSON API under /api/v1 for machine clients (ERP systems): Bearer tokens created with
// `nadajnik api-tokens create`, JSON errors {"error":{code,message,requestId}}, 401 with
// WWW-Authenticate without a valid token, 403 for an endpoint above the token's role.
// Also /healthz (200 {"status":"ok"} or 503 when the database does not answer) and /metrics
// (Prometheus text).
#pragma once

#include "http/app_context.hpp"
#include "http/router.hpp"

namespace nadajnik::http::api {

void RegisterApiRoutes(Router& router, AppContext& app);
void RegisterOperationsRoutes(Router& router, AppContext& app);

}  // namespace nadajnik::http::api
