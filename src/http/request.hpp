// Request and Response: what handlers see. No Beast types here (build time; see style.md).
//
// The server fills Request from the wire with bounded sizes (headers, body) and decodes the
// path and query; the router fills path_params. Header lookups are case-insensitive.
// Everything in a Request is untrusted input.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace nadajnik::http {

using Headers = std::vector<std::pair<std::string, std::string>>;
using FormData = std::multimap<std::string, std::string>;

struct Request {
  std::string method;                             // upper case: GET, POST, ...
  std::string target;                             // as received: "/orders?page=2"
  std::string path;                               // percent-decoded path: "/orders"
  std::multimap<std::string, std::string> query;  // decoded
  Headers headers;
  std::string body;
  std::string remote_address;                      // peer IP, without port
  bool tls = false;                                // the connection (or a trusted proxy) used TLS
  std::map<std::string, std::string> path_params;  // {id} -> value, set by the router
  std::string request_id;  // from X-Request-Id if sane, else generated; echoed in the response

  std::optional<std::string_view> Header(std::string_view name) const;
  std::optional<std::string> Cookie(std::string_view name) const;
  std::optional<std::string> QueryParam(std::string_view name) const;
  std::optional<std::string> PathParam(std::string_view name) const;
  // Parses an application/x-www-form-urlencoded body; kInvalidArgument for another content type.
  Result<FormData> Form() const;
};

struct CookieSpec {
  std::string name;
  std::string value;
  std::string path = "/";
  std::optional<int> max_age_seconds;  // 0 deletes the cookie
  bool http_only = true;
  bool secure = false;
  std::string same_site = "Lax";
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response Html(int status, std::string body);
  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body);
  // 303 See Other by default (after a POST).
  static Response Redirect(std::string location, int status = 303);

  void SetHeader(std::string name, std::string value);
  std::optional<std::string_view> Header(std::string_view name) const;
  void SetCookie(const CookieSpec& cookie);
};

// Decodes application/x-www-form-urlencoded text ('+' is a space).
FormData ParseUrlEncoded(std::string_view text);
std::string UrlEncode(std::string_view text);

}  // namespace nadajnik::http
