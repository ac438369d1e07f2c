// What every REST call of the Allegro sandbox checks and how it answers, per
// shared/reference/allegro-api.md sections 0, 1.7 and 7: the vendor media type (406 / 415),
// Bearer tokens (401 in the OAuth shape, 403 AccessDenied for a missing scope or an application
// token on a user resource), the per-client-id request budget (429), and the ErrorsHolder body.
// Callers hold World::mu.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include <boost/json.hpp>

#include "http/request.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

inline constexpr std::string_view kVendorJson = "application/vnd.allegro.public.v1+json";

// The scopes of section 1.9 that the sandbox's endpoints check.
inline constexpr std::string_view kOrdersRead = "allegro:api:orders:read";
inline constexpr std::string_view kOrdersWrite = "allegro:api:orders:write";
inline constexpr std::string_view kOffersRead = "allegro:api:sale:offers:read";
inline constexpr std::string_view kOffersWrite = "allegro:api:sale:offers:write";
inline constexpr std::string_view kShipmentsRead = "allegro:api:shipments:read";
inline constexpr std::string_view kShipmentsWrite = "allegro:api:shipments:write";

http::Response VendorJson(int status, const boost::json::value& body);
// The language of userMessage for the request being served on this thread, from its
// Accept-Language header (section 0): Polish for pl-*, English otherwise (the Error schema's
// default). The sandbox's middleware sets it before every request.
void SetRequestLanguage(std::string_view accept_language);

// {"errors":[{"code","message","details":null,"path","userMessage","metadata":{}}]}
// userMessage is given in Polish or English and answered in the request's language (known
// messages are translated; others pass as they are). message is always English.
http::Response RestError(int status, std::string_view code, std::string_view message,
                         std::string_view user_message, std::string_view path = {});
// {"error": ..., "error_description": ...} (401s on the API host).
http::Response OAuthShapedError(int status, std::string_view error, std::string_view description);

struct Caller {
  AccessGrant grant;
  const Seller* seller = nullptr;  // null for application tokens
};

// Checks Accept, the token, its scope and the client's budget. `user_only`: an application
// (client_credentials) token gets 403. Returns the caller or the response to send.
std::variant<Caller, http::Response> Authorize(World& world, const http::Request& request,
                                               std::string_view scope, bool user_only = true);
// 415 NotSupportedException unless Content-Type is the vendor JSON type.
std::optional<http::Response> RequireVendorJsonBody(const http::Request& request);

std::string FormatWireTime(std::int64_t unix_ms);  // "2024-01-10T10:12:32.321Z"
boost::json::object MoneyJson(const Money& m);     // {"amount":"138.44","currency":"PLN"}

}  // namespace nadajnik::sandbox::allegro
