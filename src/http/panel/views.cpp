#include "http/panel/views.hpp"

#include <map>
#include <memory>

#include <fmt/format.h>

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

}  // namespace

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

Response Page(int status, std::string_view name, const Data& data, const PageOptions& options) {
  Data layout;
  layout.set("title", options.title);
  layout.set("body", RenderTemplate(name, data));
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
  r.SetHeader("Content-Security-Policy",
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Response ErrorPage(int status, const std::string& heading, const std::string& message,
                   const Request& request, const services::Principal* user) {
  Data d;
  d.set("heading", heading);
  d.set("message", message);
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
  Response r;
  r.status = 200;
  r.body = std::string(*content);
  r.SetHeader("Content-Type", type);
  r.SetHeader("Cache-Control", "public, max-age=3600");
  return r;
}

}  // namespace nadajnik::http::panel
