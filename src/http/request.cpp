#include "http/request.hpp"

#include <algorithm>
#include <cctype>

namespace nadajnik::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes leniently, as browsers do: a '%' not followed by two hex digits stays as is.
std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

void AppendPercentEncoded(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0x0F];
}

// RFC 6265 cookie-octet: visible ASCII except '"', ',', ';' and '\'.
bool IsCookieOctet(unsigned char c) {
  return c >= 0x21 && c <= 0x7E && c != '"' && c != ',' && c != ';' && c != '\\';
}

// RFC 9110 token characters (header and cookie names).
bool IsTokenChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

// A header value can't carry CR, LF or NUL (response splitting); other controls but tab go too.
std::string SafeHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) continue;
    out += c;
  }
  return std::string(Trim(out));
}

// Cookie attribute values (Path): no ';' so an attribute can't be smuggled in.
std::string SafeAttribute(std::string_view value) {
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u < 0x7F && c != ';') out += c;
  }
  return out;
}

std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  // Every Cookie header counts (HTTP/1.1 clients send one, but nothing forbids more).
  for (const auto& [key, header] : headers) {
    if (!EqualsIgnoreCase(key, "Cookie")) continue;
    std::string_view rest = header;
    while (!rest.empty()) {
      const std::size_t semicolon = rest.find(';');
      std::string_view pair = rest.substr(0, semicolon);
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (Trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      // SetCookie() percent-encodes what isn't a cookie-octet; this undoes it.
      return PercentDecode(value, /*plus_is_space=*/false);
    }
  }
  return std::nullopt;
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  // lower_bound: the first of several values with this name, in the order they were sent.
  const auto it = query.lower_bound(std::string(name));
  if (it == query.end() || it->first != name) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::PathParam(std::string_view name) const {
  const auto it = path_params.find(std::string(name));
  if (it == path_params.end()) return std::nullopt;
  return it->second;
}

Result<FormData> Request::Form() const {
  const std::string_view content_type = Header("Content-Type").value_or("");
  const std::string_view media_type = Trim(content_type.substr(0, content_type.find(';')));
  if (!EqualsIgnoreCase(media_type, "application/x-www-form-urlencoded")) {
    return Fail(ErrorCode::kInvalidArgument,
                "Expected a form (application/x-www-form-urlencoded); send the form again.",
                "content type: " + std::string(content_type.substr(0, 100)));
  }
  return ParseUrlEncoded(body);
}

Response Response::Html(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  return response;
}

Response Response::Json(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Content-Type", "application/json");
  return response;
}

Response Response::Text(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  return response;
}

Response Response::Redirect(std::string location, int status) {
  Response response;
  response.status = status;
  response.SetHeader("Location", std::move(location));
  return response;
}

// An invalid name is a bug in the caller; it is dropped rather than mangled into another name.
void Response::SetHeader(std::string name, std::string value) {
  if (!IsToken(name)) return;
  std::erase_if(headers, [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
  headers.emplace_back(std::move(name), SafeHeaderValue(value));
}

std::optional<std::string_view> Response::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

void Response::SetCookie(const CookieSpec& cookie) {
  const std::string& name = cookie.name;
  if (!IsToken(name)) return;
  std::string header = name + "=";
  for (char c : cookie.value) {
    const auto u = static_cast<unsigned char>(c);
    if (IsCookieOctet(u) && c != '%') {
      header += c;
    } else {
      AppendPercentEncoded(header, u);
    }
  }
  const std::string path = SafeAttribute(cookie.path);
  if (!path.empty()) header += "; Path=" + path;
  if (cookie.max_age_seconds) {
    header += "; Max-Age=" + std::to_string(std::max(0, *cookie.max_age_seconds));
    if (*cookie.max_age_seconds <= 0) header += "; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
  }
  if (cookie.http_only) header += "; HttpOnly";
  // Browsers drop SameSite=None cookies without Secure.
  if (cookie.secure || EqualsIgnoreCase(cookie.same_site, "None")) header += "; Secure";
  const std::string same_site = SafeAttribute(cookie.same_site);
  if (!same_site.empty()) header += "; SameSite=" + same_site;

  // One Set-Cookie per name: the last SetCookie() for a name wins, as it would in the browser.
  const std::string prefix = name + "=";
  std::erase_if(headers, [&](const auto& h) {
    return EqualsIgnoreCase(h.first, "Set-Cookie") && h.second.starts_with(prefix);
  });
  headers.emplace_back("Set-Cookie", std::move(header));
}

FormData ParseUrlEncoded(std::string_view text) {
  FormData form;
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    std::string value = eq == std::string_view::npos
                            ? std::string()
                            : PercentDecode(pair.substr(eq + 1), /*plus_is_space=*/true);
    form.emplace(std::move(key), std::move(value));
  }
  return form;
}

std::string UrlEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      AppendPercentEncoded(out, u);
    }
  }
  return out;
}

}  // namespace nadajnik::http
