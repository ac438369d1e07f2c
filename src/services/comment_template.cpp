#include "services/comment_template.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/text.hpp"

namespace nadajnik::services {

namespace {

// Line breaks and other controls (C0, DEL, C1, the Unicode line/paragraph separators) would
// break a label line or a carrier's field.
bool IsControl(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}
// Invisible marks that reorder or hide text (bidi overrides, isolates, the BOM).
bool IsHidden(char32_t cp) {
  return cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// Controls become spaces, hidden marks and invalid bytes go; with `collapse`, runs of spaces
// become one and the ends are trimmed (for values, whose spacing nobody chose).
std::string Clean(std::string_view s, bool collapse) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto cp = DecodeUtf8(s, i);
    if (!cp || IsHidden(*cp)) continue;
    if (IsControl(*cp)) cp = U' ';
    if (collapse && *cp == U' ' && (out.empty() || out.back() == ' ')) continue;
    AppendUtf8(out, *cp);
  }
  if (collapse && !out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string BuyerName(const domain::Buyer& b) {
  std::string name = Clean(b.first_name + " " + b.last_name, true);
  return name.empty() ? Clean(b.company, true) : name;
}

std::string Items(const domain::Order& order) {
  std::string out;
  for (const auto& item : order.items) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{}\u00D7 {}", item.quantity, Clean(item.offer_name, true));
  }
  return out;
}

// nullopt for an unknown name.
std::optional<std::string> ValueOf(std::string_view name, const domain::Order& o) {
  if (name == "order.id") return std::to_string(o.id.value);
  if (name == "order.checkoutFormId") return o.checkout_form_id.value;
  if (name == "order.total") return o.total.ToString();
  if (name == "order.items") return Items(o);
  if (name == "order.boughtAt") return o.bought_at ? FormatLocal(*o.bought_at) : std::string();
  if (name == "buyer.login") return o.buyer.login;
  if (name == "buyer.name") return BuyerName(o.buyer);
  if (name == "buyer.email") return o.buyer.email;
  if (name == "delivery.method") return o.delivery.method_name;
  return std::nullopt;
}

std::string KnownList() {
  std::string out;
  for (auto v : CommentVariables()) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{{{}}}", v);
  }
  return out;
}

// Walks `tmpl`: literal text to `text`, each variable name to `variable`. Fails on an unknown
// variable or an unpaired brace.
template <typename Text, typename Variable>
Result<void> Walk(std::string_view tmpl, Text text, Variable variable) {
  std::size_t i = 0;
  while (i < tmpl.size()) {
    const std::size_t brace = tmpl.find_first_of("{}", i);
    if (brace == std::string_view::npos) {
      text(tmpl.substr(i));
      break;
    }
    text(tmpl.substr(i, brace - i));
    const char c = tmpl[brace];
    if (brace + 1 < tmpl.size() && tmpl[brace + 1] == c) {
      text(tmpl.substr(brace, 1));
      i = brace + 2;
      continue;
    }
    if (c == '}') {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("The comment template has a '}}' with no '{{' before it (after "
                              "\"{}\"): write }}}} for a brace in the text",
                              TruncateUtf8(Clean(tmpl.substr(0, brace), false), 40)));
    }
    const std::size_t close = tmpl.find('}', brace + 1);
    if (close == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("The comment template opens a variable that is never closed: "
                              "\"{}\"; end it with '}}', or write {{{{ for a brace in the text",
                              TruncateUtf8(Clean(tmpl.substr(brace), false), 40)));
    }
    std::string_view name = tmpl.substr(brace + 1, close - brace - 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    const auto& known = CommentVariables();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("The comment template uses an unknown variable {{{}}}: use {}",
                              TruncateUtf8(Clean(name, false), 40), KnownList()),
                  fmt::format("unknown variable {}", TruncateUtf8(Clean(name, false), 40)));
    }
    variable(name);
    i = close + 1;
  }
  return Ok();
}

}  // namespace

const std::vector<std::string_view>& CommentVariables() {
  static const std::vector<std::string_view> kNames = {
      "order.id",    "order.checkoutFormId", "order.total", "order.items",    "order.boughtAt",
      "buyer.login", "buyer.name",           "buyer.email", "delivery.method"};
  return kNames;
}

Result<void> CheckCommentTemplate(std::string_view tmpl) {
  return Walk(
      tmpl, [](std::string_view) {}, [](std::string_view) {});
}

Result<std::string> RenderComment(std::string_view tmpl, const domain::Order& order,
                                  std::size_t max_length) {
  std::string out;
  NADAJNIK_TRY(Walk(
      tmpl, [&](std::string_view text) { out += Clean(text, false); },
      [&](std::string_view name) { out += Clean(ValueOf(name, order).value_or(""), true); }));
  // A value left empty (no login, no purchase time) must not leave the comment padded.
  std::string_view trimmed = out;
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  return TruncateUtf8(trimmed, max_length);
}

}  // namespace nadajnik::services
