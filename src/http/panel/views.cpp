#include "http/panel/views.hpp"

#include <algorithm>

#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "core/text.hpp"

namespace nadajnik::http::web {
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}

namespace nadajnik::http::panel {

namespace {

std::optional<std::string_view> Embedded(std::string_view name) {
  for (const auto& [file, content] : web::EmbeddedFiles()) {
    if (file == name) return content;
  }
  return std::nullopt;
}

kainjow::mustache::mustache& Template(std::string_view name) {
  thread_local std::map<std::string, std::unique_ptr<kainjow::mustache::mustache>, std::less<>>
      cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    auto text = Embedded(fmt::format("templates/{}.mustache", name));
    auto parsed = std::make_unique<kainjow::mustache::mustache>(std::string(text.value_or("")));
    it = cache.emplace(std::string(name), std::move(parsed)).first;
  }
  return *it->second;
}

std::string_view RoleLabel(domain::Role role) {
  return role == domain::Role::kAdmin ? "administrator" : "pakowacz";
}

constexpr std::string_view kFlashCookie = "nadajnik_flash";
// Before percent-encoding (Polish letters triple in size): the cookie stays far below 4 KiB.
constexpr std::size_t kFlashMaxBytes = 1000;

bool KnownFlashKind(std::string_view kind) {
  return kind == "ok" || kind == "notice" || kind == "error";
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '[' || c == ']' || c == ':';
}

thread_local Language current_language = Language::kPolish;

// Polish text -> English, parsed once from the embedded catalog.
const std::map<std::string, std::string, std::less<>>& EnglishCatalog() {
  static const auto catalog = [] {
    std::map<std::string, std::string, std::less<>> out;
    std::string_view text = Embedded("i18n/en.tsv").value_or("");
    while (!text.empty()) {
      const auto end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      if (line.empty() || line.starts_with('#')) continue;
      const auto tab = line.find('\t');
      if (tab == std::string_view::npos) continue;
      out.emplace(std::string(line.substr(0, tab)), std::string(line.substr(tab + 1)));
    }
    return out;
  }();
  return catalog;
}

}  // namespace

Language RequestLanguage(const Request& request) {
  return request.Cookie("nadajnik_lang") == "en" ? Language::kEnglish : Language::kPolish;
}

LanguageScope::LanguageScope(Language language) : previous_(current_language) {
  current_language = language;
}
LanguageScope::~LanguageScope() { current_language = previous_; }
Language CurrentLanguage() { return current_language; }

std::string Tr(std::string_view polish) {
  if (current_language == Language::kPolish) return std::string(polish);
  const auto& catalog = EnglishCatalog();
  auto it = catalog.find(Trim(polish));
  return it == catalog.end() ? std::string(polish) : it->second;
}

Result<void> ValidateTemplates() {
  for (const auto& [file, content] : web::EmbeddedFiles()) {
    if (!file.starts_with("templates/")) continue;
    kainjow::mustache::mustache m{std::string(content)};
    if (!m.is_valid()) {
      return Fail(ErrorCode::kInternal,
                  fmt::format("panel template {} is broken: {}", file, m.error_message()));
    }
  }
  if (!Embedded("templates/layout.mustache")) {
    return Fail(ErrorCode::kInternal, "the panel's layout template is missing from the binary");
  }
  return Ok();
}

std::string RenderTemplate(std::string_view name, const Data& data) {
  return Template(name).render(data);
}

void SetFlash(Response& response, const Flash& flash, bool secure) {
  std::string value = KnownFlashKind(flash.kind) ? flash.kind : "notice";
  for (const auto& line : flash.lines) {
    std::string clean;
    for (char c : line) clean += (c == '\n' || c == '\r') ? ' ' : c;
    const std::size_t room =
        kFlashMaxBytes > value.size() + 1 ? kFlashMaxBytes - value.size() - 1 : 0;
    if (room < 8) break;
    value += '\n';
    value += TruncateUtf8(clean, room);
  }
  CookieSpec c;
  c.name = std::string(kFlashCookie);
  c.value = std::move(value);
  c.max_age_seconds = 120;
  c.secure = secure;
  response.SetCookie(c);
}

std::optional<Flash> TakeFlash(const Request& request) {
  auto value = request.Cookie(kFlashCookie);
  if (!value || value->size() > 4 * kFlashMaxBytes || !IsValidUtf8(*value)) return std::nullopt;
  Flash flash;
  std::string_view rest = *value;
  const std::size_t first = rest.find('\n');
  flash.kind = std::string(rest.substr(0, first));
  if (!KnownFlashKind(flash.kind) || first == std::string_view::npos) return std::nullopt;
  rest.remove_prefix(first + 1);
  while (true) {
    const std::size_t nl = rest.find('\n');
    if (!rest.substr(0, nl).empty()) flash.lines.emplace_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  if (flash.lines.empty()) return std::nullopt;
  return flash;
}

std::optional<std::string> OriginOf(std::string_view url) {
  std::string_view scheme;
  if (url.starts_with("https://")) {
    scheme = "https://";
  } else if (url.starts_with("http://")) {
    scheme = "http://";
  } else {
    return std::nullopt;
  }
  std::string_view rest = url.substr(scheme.size());
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.size() > 255) return std::nullopt;
  for (char c : authority) {
    if (!IsHostChar(c)) return std::nullopt;  // no userinfo, spaces or ';' in a CSP source
  }
  return std::string(scheme) + AsciiLower(authority);
}

Response Page(int status, std::string_view name, const Data& data, const PageOptions& options) {
  // {{#t}}Polski tekst{{/t}}: the text in the request's language, then rendered as usual.
  const Data translate{kainjow::mustache::lambda{[](const std::string& text) { return Tr(text); }}};
  Data page = data;
  page.set("t", translate);
  Data layout;
  layout.set("t", translate);
  layout.set("lang", std::string(current_language == Language::kEnglish ? "en" : "pl"));
  layout.set("english", current_language == Language::kEnglish);
  layout.set("title", Tr(options.title));
  layout.set("body", RenderTemplate(name, page));
  if (options.flash) {
    Data flash;
    flash.set("class",
              options.flash->kind == "notice" ? std::string("notice") : options.flash->kind);
    flash.set("alert", options.flash->kind != "ok");
    Data lines = Data::type::list;
    for (const auto& line : options.flash->lines) {
      Data item;
      item.set("text", line);
      lines.push_back(item);
    }
    flash.set("lines", lines);
    layout.set("flash", flash);
  }
  if (options.user) {
    Data user;
    user.set("name", options.user->name);
    user.set("role_label", std::string(RoleLabel(options.user->role)));
    user.set("csrf_token", options.user->csrf_token);
    user.set("is_admin", options.user->is_admin());
    if (!options.nav.empty()) user.set("nav_" + options.nav, true);
    layout.set("user", user);
  }
  Response r = Response::Html(status, RenderTemplate("layout", layout));
  std::set<std::string> origins;
  for (const auto& target : options.form_targets) {
    if (auto origin = OriginOf(target)) origins.insert(*origin);
  }
  std::string form_action = "'self'";
  for (const auto& origin : origins) form_action += " " + origin;
  r.SetHeader("Content-Security-Policy",
              fmt::format("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
                          "data:; frame-ancestors 'none'; form-action {}; base-uri 'none'",
                          form_action));
  if (options.flash) {
    CookieSpec clear;
    clear.name = std::string(kFlashCookie);
    clear.max_age_seconds = 0;
    r.SetCookie(clear);
  }
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Response ErrorPage(int status, const std::string& heading, const std::string& message,
                   const Request& request, const services::Principal* user) {
  Data d;
  d.set("heading", Tr(heading));
  d.set("message", Tr(message));
  d.set("request_id", request.request_id);
  return Page(status, "error", d, {heading, user, ""});
}

std::optional<Response> StaticFile(std::string_view path) {
  if (path.find("..") != std::string_view::npos) return std::nullopt;
  auto content = Embedded(fmt::format("static/{}", path));
  if (!content) return std::nullopt;
  std::string type = "application/octet-stream";
  if (path.ends_with(".css")) type = "text/css; charset=utf-8";
  if (path.ends_with(".js")) type = "text/javascript; charset=utf-8";
  if (path.ends_with(".svg")) type = "image/svg+xml";
  Response r;
  r.status = 200;
  r.body = std::string(*content);
  r.SetHeader("Content-Type", type);
  r.SetHeader("Cache-Control", "public, max-age=3600");
  return r;
}

std::string SafeLocalPath(std::string_view path) {
  if (path.empty() || path[0] != '/' || path.starts_with("//") ||
      path.find('\\') != std::string_view::npos || path.size() > 512 ||
      std::ranges::any_of(path, [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    return "/orders";
  }
  return std::string(path);
}

std::string FormatCount(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u00a0";
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace nadajnik::http::panel
