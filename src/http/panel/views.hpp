// Views: the panel's mustache templates (web/resources/templates, compiled into the binary).
//
// Every {{value}} is HTML-escaped by mustache; only {{{body}}} in the layout is raw, and it holds
// a page rendered with escaping. Templates are parsed once per thread (kainjow's renderer is not
// const), and all of them are parsed at start-up by Validate() so a broken template stops start,
// not a request. Include this header only in panel sources (kainjow is heavy).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <kainjow/mustache.hpp>

#include "core/result.hpp"
#include "http/request.hpp"
#include "services/auth_service.hpp"

namespace nadajnik::http::panel {

using Data = kainjow::mustache::data;

// Parses every embedded template; kInternal naming the first broken one.
Result<void> ValidateTemplates();

std::string RenderTemplate(std::string_view name, const Data& data);

// A one-time message shown on the page after a redirect (Post/Redirect/Get): kept in a short-lived
// HttpOnly cookie, never in the URL, so a crafted link can't put words into the panel's mouth.
// Rendered escaped like everything else.
struct Flash {
  std::string kind;  // "ok" | "notice" | "error"
  std::vector<std::string> lines;
};

// Sets the flash cookie on a redirect (lines are bounded: the cookie stays under 4 KiB).
void SetFlash(Response& response, const Flash& flash, bool secure);
// The flash the request carries, if any and well-formed. Page() clears the cookie when it
// renders one (PageOptions::flash).
std::optional<Flash> TakeFlash(const Request& request);

// The panel speaks Polish first; English is a choice of the browser (the nadajnik_lang cookie,
// set by GET /language?set=en|pl), so a packing station keeps its language whoever logs in.
enum class Language { kPolish, kEnglish };
Language RequestLanguage(const Request& request);

// The language of the request this thread is handling: set by the panel's guard and the login
// pages for the handler's duration, read by Page() and Tr(), so handlers need not pass it on.
class LanguageScope {
 public:
  explicit LanguageScope(Language language);
  ~LanguageScope();
  LanguageScope(const LanguageScope&) = delete;
  LanguageScope& operator=(const LanguageScope&) = delete;

 private:
  Language previous_;
};
Language CurrentLanguage();

// A Polish panel text in the current language: the catalog web/resources/i18n/en.tsv
// ("polski<TAB>English" per line); a text missing there stays Polish. Templates mark their
// texts {{#t}}...{{/t}} (a lambda Page() provides), code calls Tr().
std::string Tr(std::string_view polish);

struct PageOptions {
  std::string title;
  const services::Principal* user = nullptr;
  std::string nav;  // "orders" | "sources" | "jobs" | "users"
  std::optional<Flash> flash;
  // Origins ("https://allegro.pl") a form on the page may lead to through a redirect (CSP
  // form-action; browsers check redirects after a form submission too).
  std::vector<std::string> form_targets;
};

// "https://allegro.pl" of "https://allegro.pl/auth/...", or nullopt if `url` is not a plain
// http(s) URL (only such origins go into the CSP).
std::optional<std::string> OriginOf(std::string_view url);

// A full HTML page: `name` rendered with `data`, inside the layout. Sets the panel's security
// headers (CSP without inline scripts, no caching of pages with buyer data).
Response Page(int status, std::string_view name, const Data& data, const PageOptions& options);
Response ErrorPage(int status, const std::string& heading, const std::string& message,
                   const Request& request, const services::Principal* user = nullptr);

// `path` when it is a path on this site ("/orders?q=x"), else "/orders": a crafted ?next= or
// back= field can't send the browser elsewhere or put control characters into a header.
std::string SafeLocalPath(std::string_view path);

// "1 234 567": thousands separated by a no-break space, as Polish writes them.
std::string FormatCount(std::int64_t n);

// An embedded static file (web/resources/static/...), or nullopt.
std::optional<Response> StaticFile(std::string_view path);

}  // namespace nadajnik::http::panel
