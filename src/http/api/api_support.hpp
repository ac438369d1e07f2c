// Shared by the API's route files: JSON responses, errors, Bearer-token authentication and
// parameter parsing. Internal to http/api.
#pragma once

#include <charconv>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "http/app_context.hpp"
#include "http/error_status.hpp"
#include "http/request.hpp"
#include "http/router.hpp"
#include "observability/log.hpp"
#include "services/auth_service.hpp"

namespace nadajnik::http::api {

namespace json = boost::json;
using services::Principal;

inline Response Json(int status, const json::value& v) {
  return Response::Json(status, json::serialize(v));
}

inline Response ApiError(ErrorCode code, const std::string& message, const Request& req) {
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

inline std::optional<std::int64_t> ParsePositive(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v <= 0) return std::nullopt;
  return v;
}

// Routes of shipments and labels (shipping_routes.cpp).
void RegisterShippingRoutes(Router& router, AppContext& app);

}  // namespace nadajnik::http::api
