#include "services/order_query.hpp"

#include <charconv>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/text.hpp"
#include "domain/shipment.hpp"

namespace nadajnik::services {

namespace {

// A date (2026-11-25, the day in Poland) or an ISO 8601 time.
std::optional<Timestamp> ParseDate(const std::string& text, bool end_of_day) {
  if (auto t = ParseIso8601(text)) return *t;
  if (text.size() == 10) {
    if (auto t = ParseIso8601(text + "T00:00:00Z")) {
      // Midnight in Europe/Warsaw is 22:00 or 23:00 UTC the day before.
      const auto offset = UtcOffset(*t);
      return end_of_day ? *t - offset + std::chrono::days(1) - std::chrono::milliseconds(1)
                        : *t - offset;
    }
  }
  return std::nullopt;
}

// The day as typed when `t` is exactly what ParseDate made of it, else the ISO time.
std::string DateParam(Timestamp t, bool end_of_day) {
  const std::string day = FormatLocal(t).substr(0, 10);
  auto back = ParseDate(day, end_of_day);
  return back && *back == t ? day : FormatIso8601(t);
}

std::optional<bool> ParseFlag(const std::string& text) {
  if (text == "1" || text == "true") return true;
  if (text == "0" || text == "false") return false;
  return std::nullopt;
}

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<store::OrderCursor> DecodeCursor(const std::string& text) {
  // "<key>.<id>"; the panel's older links used "_".
  const auto sep = text.find_first_of("._");
  if (sep == std::string::npos) return std::nullopt;
  auto key = ParseInt(std::string_view(text).substr(0, sep));
  auto id = ParseInt(std::string_view(text).substr(sep + 1));
  if (!key || !id || *id <= 0) return std::nullopt;
  return store::OrderCursor{*key, OrderId(*id)};
}

constexpr std::pair<store::OrderSort, std::string_view> kSorts[] = {
    {store::OrderSort::kNewest, "newest"},
    {store::OrderSort::kOldest, "oldest"},
    {store::OrderSort::kTotalDesc, "total_desc"},
    {store::OrderSort::kTotalAsc, "total_asc"},
};

}  // namespace

std::string_view OrderSortName(store::OrderSort sort) {
  for (const auto& [s, name] : kSorts) {
    if (s == sort) return name;
  }
  return "newest";
}

std::string EncodeOrderCursor(const domain::Order& last, store::OrderSort sort) {
  return fmt::format("{}.{}", store::OrderRepository::SortKey(last, sort), last.id.value);
}

ParsedOrderQuery ParseOrderQuery(const QueryLookup& get,
                                 const std::vector<domain::LocalStatus>& statuses,
                                 const std::vector<domain::MarketplaceAccount>& accounts) {
  ParsedOrderQuery out;
  store::OrderFilter& f = out.filter;
  auto refuse = [&](std::string param, std::string english, std::string polish) {
    out.problems.push_back({std::move(param), std::move(english), std::move(polish)});
  };
  // Empty values are "any" (a form's "Wszystkie ..." option sends one).
  auto param = [&](std::string_view name) -> std::optional<std::string> {
    auto v = get(name);
    if (!v || v->empty()) return std::nullopt;
    return TruncateUtf8(*v, 200);
  };

  for (const char* name : {"account", "accountId"}) {
    auto v = param(name);
    if (!v) continue;
    const std::string folded = FoldCase(*v);
    for (const auto& a : accounts) {
      if (FoldCase(a.alias) == folded) f.account_id = a.id;
    }
    if (!f.account_id) {
      for (const auto& a : accounts) {
        if (std::to_string(a.id.value) == *v) f.account_id = a.id;
      }
    }
    if (!f.account_id) {
      refuse(name,
             fmt::format("{} must be the alias or id of an account (GET /api/v1/accounts)", name),
             "Nie ma takiego konta.");
    }
  }
  for (const char* name : {"status", "localStatusId"}) {
    auto v = param(name);
    if (!v) continue;
    const std::string folded = FoldCase(*v);
    for (const auto& s : statuses) {
      if (FoldCase(s.name) == folded || std::to_string(s.id.value) == *v) f.local_status_id = s.id;
    }
    if (!f.local_status_id) {
      refuse(
          name,
          fmt::format("{} must be the name or id of a local status (GET /api/v1/statuses)", name),
          "Nie ma takiego statusu.");
    }
  }
  if (auto v = param("allegroStatus")) {
    f.checkout_status = domain::ParseCheckoutStatus(*v);
    if (!f.checkout_status) {
      refuse("allegroStatus",
             "allegroStatus must be BOUGHT, FILLED_IN, READY_FOR_PROCESSING or CANCELLED",
             "Nieznany status Allegro.");
    }
  }
  if (auto v = param("marketplace")) {
    f.marketplace = domain::ParseMarketplace(*v);
    if (!f.marketplace) {
      refuse("marketplace", "marketplace must be allegro-pl, allegro-cz, allegro-sk or allegro-hu",
             "Nieznany serwis Allegro.");
    }
  }
  if (auto v = param("carrier")) {
    if (*v == "none") {
      f.carrier = std::string();
    } else if (domain::ParseCarrier(*v)) {
      f.carrier = *v;
    } else {
      refuse("carrier",
             "carrier must be none, inpost, dpd, poczta_polska, orlen_paczka or allegro_shipping",
             "Nieznany przewoźnik.");
    }
  }
  for (const auto& [name, target] :
       {std::pair{"smart", &f.smart}, std::pair{"cod", &f.cash_on_delivery}}) {
    auto v = param(name);
    if (!v) continue;
    *target = ParseFlag(*v);
    if (!*target) {
      refuse(name, fmt::format("{} must be 1 or 0", name), "Wybierz tak lub nie.");
    }
  }
  for (const auto& [name, end_of_day] : {std::pair{"from", false}, std::pair{"to", true}}) {
    auto v = param(name);
    if (!v) continue;
    auto t = ParseDate(*v, end_of_day);
    if (!t) {
      refuse(name, fmt::format("{} must be a date (2026-11-25) or an ISO 8601 time", name),
             "Podaj datę w formacie RRRR-MM-DD.");
      continue;
    }
    (end_of_day ? f.bought_to : f.bought_from) = *t;
  }
  if (f.bought_from && f.bought_to && *f.bought_from > *f.bought_to) {
    refuse("to", "to must not be before from", "Data końcowa jest wcześniejsza niż początkowa.");
    f.bought_to.reset();
  }
  f.text = param("q").value_or(param("text").value_or(""));
  if (auto v = param("attention")) f.needs_attention = ParseFlag(*v).value_or(false);
  if (auto v = param("sort")) {
    bool known = false;
    for (const auto& [s, name] : kSorts) {
      if (name == *v) {
        f.sort = s;
        known = true;
      }
    }
    if (!known) {
      refuse("sort", "sort must be newest, oldest, total_desc or total_asc",
             "Nieznany porządek sortowania.");
    }
  }
  if (auto v = param("cursor")) {
    f.after = DecodeCursor(*v);
    if (!f.after) {
      refuse("cursor", "cursor is not one this API gave (use nextCursor of the previous page)",
             "Nieprawidłowy odnośnik do strony: wróć do pierwszej strony.");
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> OrderQueryParams(
    const store::OrderFilter& f, const std::vector<domain::MarketplaceAccount>& accounts) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!f.text.empty()) out.emplace_back("q", f.text);
  if (f.account_id) {
    std::string alias = std::to_string(f.account_id->value);
    for (const auto& a : accounts) {
      if (a.id == *f.account_id) alias = a.alias;
    }
    out.emplace_back("account", alias);
  }
  if (f.marketplace) out.emplace_back("marketplace", domain::MarketplaceId(*f.marketplace));
  if (f.local_status_id) out.emplace_back("status", std::to_string(f.local_status_id->value));
  if (f.checkout_status) {
    out.emplace_back("allegroStatus", domain::CheckoutStatusName(*f.checkout_status));
  }
  if (f.carrier) out.emplace_back("carrier", f.carrier->empty() ? "none" : *f.carrier);
  if (f.smart) out.emplace_back("smart", *f.smart ? "1" : "0");
  if (f.cash_on_delivery) out.emplace_back("cod", *f.cash_on_delivery ? "1" : "0");
  if (f.bought_from) out.emplace_back("from", DateParam(*f.bought_from, false));
  if (f.bought_to) out.emplace_back("to", DateParam(*f.bought_to, true));
  if (f.needs_attention) out.emplace_back("attention", "1");
  if (f.sort != store::OrderSort::kNewest) out.emplace_back("sort", OrderSortName(f.sort));
  return out;
}

}  // namespace nadajnik::services
