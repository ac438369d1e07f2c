// Views: the panel's mustache templates (web/resources/templates, compiled into the binary).
//
// Every {{value}} is HTML-escaped by mustache; only {{{body}}} in the layout is raw, and it holds
// a page rendered with escaping. Templates are parsed once per thread (kainjow's renderer is not
// const), and all of them are parsed at start-up by Validate() so a broken template stops start,
// not a request. Include this header only in panel sources (kainjow is heavy).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>

#include "core/result.hpp"
#include "http/request.hpp"
#include "services/auth_service.hpp"

namespace nadajnik::http::panel {

using Data = kainjow::mustache::data;

// Parses every embedded template; kInternal naming the first broken one.
Result<void> ValidateTemplates();

std::string RenderTemplate(std::string_view name, const Data& data);

struct PageOptions {
  std::string title;
  const services::Principal* user = nullptr;
  std::string nav;  // "orders" | "jobs" | "users"
};

// A full HTML page: `name` rendered with `data`, inside the layout. Sets the panel's security
// headers (CSP without inline scripts, no caching of pages with buyer data).
Response Page(int status, std::string_view name, const Data& data, const PageOptions& options);
Response ErrorPage(int status, const std::string& heading, const std::string& message,
                   const Request& request, const services::Principal* user = nullptr);

// An embedded static file (web/resources/static/...), or nullopt.
std::optional<Response> StaticFile(std::string_view path);

}  // namespace nadajnik::http::panel
