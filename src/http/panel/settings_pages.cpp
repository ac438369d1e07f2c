// "Ustawienia › Przewoźnicy": the carrier contracts of the accounts, and the form that adds or
// replaces one. Registered behind the panel's guard in panel.cpp (session, admin, CSRF).
#include "http/panel/settings_pages.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "carriers/carrier_factory.hpp"
#include "core/text.hpp"
#include "http/panel/views.hpp"
#include "observability/log.hpp"
#include "services/comment_template.hpp"
#include "store/store.hpp"

namespace nadajnik::http::panel::settings {

namespace {

using domain::Carrier;
using services::Principal;

constexpr Carrier kCarriers[] = {Carrier::kInPost, Carrier::kDpd, Carrier::kPocztaPolska,
                                 Carrier::kOrlenPaczka, Carrier::kAllegroShipping};
constexpr std::size_t kValueBytes = 1000;

std::string FormField(const FormData& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool Secure(const AppContext& app, const Request& req) { return app.secure_cookies || req.tls; }

// kainjow treats an empty string as true in {{#section}}: optional text is set only when present.
void SetIf(Data& d, const std::string& key, const std::string& value) {
  if (!value.empty()) d.set(key, value);
}

// The sender's address fields: form name (also the key ValidateCarrierSettings uses for its
// problems), label, and the member.
struct SenderField {
  const char* name;
  const char* label;
  std::string domain::SenderAddress::*member;
};

const SenderField kSenderFields[] = {
    {"sender.name", "Imię i nazwisko", &domain::SenderAddress::name},
    {"sender.company", "Firma", &domain::SenderAddress::company},
    {"sender.street", "Ulica i numer", &domain::SenderAddress::street},
    {"sender.postal_code", "Kod pocztowy (NN-NNN)", &domain::SenderAddress::postal_code},
    {"sender.city", "Miejscowość", &domain::SenderAddress::city},
    {"sender.province", "Województwo", &domain::SenderAddress::province},
    {"sender.country_code", "Kraj (kod, np. PL)", &domain::SenderAddress::country_code},
    {"sender.phone", "Telefon", &domain::SenderAddress::phone},
    {"sender.email", "E-mail", &domain::SenderAddress::email},
};

// "orlen" is what sellers call it; the stored code is "orlen_paczka".
std::optional<Carrier> ParseCarrierParam(const std::string& code) {
  if (code == "orlen") return Carrier::kOrlenPaczka;
  return domain::ParseCarrier(code);
}

std::string SenderLine(const domain::SenderAddress& s) {
  std::vector<std::string> parts;
  for (const auto* p : {&s.company, &s.name, &s.street}) {
    if (!p->empty()) parts.push_back(*p);
  }
  const std::string city = s.postal_code.empty() || s.city.empty() ? s.postal_code + s.city
                                                                   : s.postal_code + " " + s.city;
  if (!city.empty()) parts.push_back(city);
  for (const auto* p : {&s.phone, &s.email}) {
    if (!p->empty()) parts.push_back(*p);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// The factory's problems plus the comment template's (the renderer lives with the services),
// as `carriers add` checks them.
std::vector<carriers::SettingProblem> Problems(const domain::CarrierSettings& settings) {
  auto problems = carriers::ValidateCarrierSettings(settings);
  if (auto it = settings.settings.find("comment_template"); it != settings.settings.end()) {
    if (auto ok = services::CheckCommentTemplate(it->second); !ok) {
      problems.push_back({"comment_template", ok.error().message});
    }
  }
  return problems;
}

// ---- the list ------------------------------------------------------------------------------

Response ListPage(AppContext& app, Request& req, const Principal& user) {
  struct Account {
    domain::MarketplaceAccount account;
    std::vector<domain::CarrierSettings> contracts;
  };
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<std::vector<Account>> {
    std::vector<Account> out;
    NADAJNIK_ASSIGN_OR_RETURN(auto accounts, uow.accounts().List());
    for (auto& a : accounts) {
      NADAJNIK_ASSIGN_OR_RETURN(auto contracts, uow.carrier_settings().List(a.id));
      out.push_back({std::move(a), std::move(contracts)});
    }
    return out;
  });
  if (!loaded) {
    log::Error("panel.carrier_settings_failed",
               {{"error", loaded.error().Describe()}, {"request_id", req.request_id}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać umów z przewoźnikami.", req,
                     &user);
  }
  Data accounts = Data::type::list;
  for (const auto& [a, contracts] : *loaded) {
    Data row;
    row.set("alias", a.alias);
    row.set("name", a.name);
    Data list = Data::type::list;
    std::vector<Carrier> have;
    for (const auto& c : contracts) {
      have.push_back(c.carrier);
      Data item;
      item.set("code", std::string(domain::CarrierCode(c.carrier)));
      item.set("carrier", std::string(domain::CarrierDisplayName(c.carrier)));
      item.set("enabled", c.enabled);
      Data settings = Data::type::list;
      for (const auto& [k, v] : c.settings) {
        Data s;
        s.set("key", k);
        s.set("value", v);
        settings.push_back(s);
      }
      item.set("settings", settings);
      item.set("has_settings", !c.settings.empty());
      Data secrets = Data::type::list;
      for (const auto& [k, v] : c.secrets) {
        Data s;
        s.set("key", k);
        s.set("state", v.empty() ? "pusty" : "ustawiony");
        secrets.push_back(s);
      }
      item.set("secrets", secrets);
      item.set("has_secrets", !c.secrets.empty());
      SetIf(item, "sender", SenderLine(c.sender));
      item.set("updated_at", FormatLocal(c.updated_at));
      list.push_back(item);
    }
    Data missing = Data::type::list;
    for (Carrier c : kCarriers) {
      if (std::find(have.begin(), have.end(), c) != have.end()) continue;
      Data item;
      item.set("code", std::string(domain::CarrierCode(c)));
      item.set("carrier", std::string(domain::CarrierDisplayName(c)));
      missing.push_back(item);
    }
    row.set("contracts", list);
    row.set("has_contracts", !contracts.empty());
    row.set("missing", missing);
    row.set("has_missing", have.size() < std::size(kCarriers));
    accounts.push_back(row);
  }
  Data d;
  d.set("accounts", accounts);
  d.set("has_accounts", !loaded->empty());
  PageOptions options{"Przewoźnicy", &user, "carriers"};
  options.flash = TakeFlash(req);
  return Page(200, "carriers", d, options);
}

// ---- the form ------------------------------------------------------------------------------

// What the form shows: the stored contract, or what the user typed (secrets never).
struct ContractForm {
  bool enabled = true;
  std::map<std::string, std::string> values;  // plain keys and sender.* fields
  std::map<std::string, bool> secret_stored;  // secret key -> a value is stored
  std::map<std::string, std::vector<std::string>> field_errors;
  std::vector<std::string> errors;  // not tied to a field of the form
};

Data ErrorList(const ContractForm& form, const std::string& field) {
  Data list = Data::type::list;
  if (auto it = form.field_errors.find(field); it != form.field_errors.end()) {
    for (const auto& text : it->second) {
      Data item;
      item.set("text", text);
      list.push_back(item);
    }
  }
  return list;
}

Data FieldData(const ContractForm& form, const std::string& name, const std::string& label,
               std::size_t index) {
  Data f;
  f.set("name", name);
  f.set("id", fmt::format("f{}", index));
  f.set("label", label);
  auto it = form.values.find(name);
  f.set("value", it == form.values.end() ? std::string() : it->second);
  f.set("invalid", form.field_errors.contains(name));
  f.set("errors", ErrorList(form, name));
  return f;
}

Response FormPage(int status, const domain::MarketplaceAccount& account, Carrier carrier,
                  const ContractForm& form, bool exists, const Principal& user) {
  std::size_t index = 0;
  Data fields = Data::type::list;
  for (const auto& k : carriers::SettingKeys(carrier)) {
    Data f = FieldData(form, k.key, k.description, index++);
    f.set("key", k.key);
    f.set("secret", k.secret);
    f.set("required", k.required);
    if (k.secret) {
      f.set("value", std::string());
      auto stored = form.secret_stored.find(k.key);
      f.set("stored", stored != form.secret_stored.end() && stored->second);
    }
    fields.push_back(f);
  }
  Data sender = Data::type::list;
  for (const auto& s : kSenderFields) sender.push_back(FieldData(form, s.name, s.label, index++));
  Data general = Data::type::list;
  for (const auto& text : form.errors) {
    Data item;
    item.set("text", text);
    general.push_back(item);
  }
  Data d;
  d.set("alias", account.alias);
  d.set("account_name", account.name);
  d.set("code", std::string(domain::CarrierCode(carrier)));
  d.set("carrier", std::string(domain::CarrierDisplayName(carrier)));
  d.set("exists", exists);
  d.set("enabled", form.enabled);
  d.set("fields", fields);
  d.set("sender", sender);
  d.set("errors", general);
  d.set("has_errors", !form.errors.empty() || !form.field_errors.empty());
  d.set("csrf_token", user.csrf_token);
  return Page(status, "carrier_form", d,
              {fmt::format("{} · {}", domain::CarrierDisplayName(carrier), account.alias), &user,
               "carriers"});
}

struct Target {
  domain::MarketplaceAccount account;
  Carrier carrier;
  std::optional<domain::CarrierSettings> stored;
};

// The account and carrier of the path, with the stored contract; or the error page to answer.
std::variant<Target, Response> FindTarget(AppContext& app, Request& req, const Principal& user) {
  auto not_found = [&] {
    return ErrorPage(404, "Nie ma takiej umowy",
                     "Nie znaleziono konta lub przewoźnika. Wybierz je z listy przewoźników.", req,
                     &user);
  };
  auto alias = domain::NormalizeAlias(TruncateUtf8(req.PathParam("alias").value_or(""), 16));
  auto carrier = ParseCarrierParam(TruncateUtf8(req.PathParam("carrier").value_or(""), 32));
  if (!alias || !carrier) return not_found();
  struct Loaded {
    std::optional<domain::MarketplaceAccount> account;
    std::optional<domain::CarrierSettings> stored;
  };
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<Loaded> {
    Loaded l;
    NADAJNIK_ASSIGN_OR_RETURN(l.account, uow.accounts().FindByAlias(*alias));
    if (l.account) {
      NADAJNIK_ASSIGN_OR_RETURN(l.stored, uow.carrier_settings().Get(l.account->id, *carrier));
    }
    return l;
  });
  if (!loaded) {
    log::Error("panel.carrier_settings_failed",
               {{"error", loaded.error().Describe()}, {"request_id", req.request_id}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać umowy z przewoźnikiem.", req,
                     &user);
  }
  if (!loaded->account) return not_found();
  return Target{std::move(*loaded->account), *carrier, std::move(loaded->stored)};
}

ContractForm FromStored(const Target& t) {
  ContractForm form;
  if (!t.stored) return form;
  form.enabled = t.stored->enabled;
  for (const auto& [k, v] : t.stored->settings) form.values[k] = v;
  for (const auto& [k, v] : t.stored->secrets) form.secret_stored[k] = !v.empty();
  for (const auto& s : kSenderFields) form.values[s.name] = t.stored->sender.*s.member;
  return form;
}

Response GetForm(AppContext& app, Request& req, const Principal& user) {
  auto target = FindTarget(app, req, user);
  if (auto* r = std::get_if<Response>(&target)) return std::move(*r);
  auto& t = std::get<Target>(target);
  return FormPage(200, t.account, t.carrier, FromStored(t), t.stored.has_value(), user);
}

Response PostForm(AppContext& app, Request& req, const Principal& user) {
  auto target = FindTarget(app, req, user);
  if (auto* r = std::get_if<Response>(&target)) return std::move(*r);
  auto& t = std::get<Target>(target);
  auto form = req.Form();

  domain::CarrierSettings settings;
  settings.account_id = t.account.id;
  settings.carrier = t.carrier;
  settings.enabled = FormField(*form, "enabled") == "1";
  ContractForm entered;
  entered.enabled = settings.enabled;
  for (const auto& k : carriers::SettingKeys(t.carrier)) {
    const std::string value = TruncateUtf8(FormField(*form, k.key), kValueBytes);
    if (k.secret) {
      // Empty keeps what is stored: the form never holds the secret.
      if (!value.empty()) {
        settings.secrets[k.key] = Secret<>(value);
      } else if (t.stored) {
        if (auto it = t.stored->secrets.find(k.key); it != t.stored->secrets.end()) {
          settings.secrets.emplace(k.key, it->second);
        }
      }
      entered.secret_stored[k.key] = settings.secrets.contains(k.key);
      continue;
    }
    entered.values[k.key] = value;
    if (!Trim(value).empty()) settings.settings[k.key] = std::string(Trim(value));
  }
  for (const auto& s : kSenderFields) {
    const std::string value = TruncateUtf8(FormField(*form, s.name), 200);
    entered.values[s.name] = value;
    settings.sender.*s.member = std::string(Trim(value));
  }
  if (settings.sender.country_code.empty()) settings.sender.country_code = "PL";

  if (auto problems = Problems(settings); !problems.empty()) {
    for (const auto& p : problems) {
      if (entered.values.contains(p.key) || entered.secret_stored.contains(p.key)) {
        entered.field_errors[p.key].push_back(p.message);
      } else {
        entered.errors.push_back(p.key + ": " + p.message);
      }
    }
    return FormPage(422, t.account, t.carrier, entered, t.stored.has_value(), user);
  }

  const Timestamp now = app.clock.Now();
  auto stored = app.store.InTransaction(
      [&](store::UnitOfWork& uow) { return uow.carrier_settings().Put(settings, now); });
  if (!stored) {
    log::Error("panel.carrier_settings_failed",
               {{"error", stored.error().Describe()}, {"request_id", req.request_id}});
    entered.errors.push_back("Nie zapisano ustawień: chwilowy problem. Spróbuj ponownie.");
    return FormPage(503, t.account, t.carrier, entered, t.stored.has_value(), user);
  }
  log::Info("panel.carrier_settings_saved",
            {{"by", user.name},
             {"alias", t.account.alias},
             {"carrier", std::string(domain::CarrierCode(t.carrier))}});
  Response r = Response::Redirect("/settings/carriers");
  SetFlash(
      r,
      Flash{"ok",
            {fmt::format("Zapisano umowę {} dla konta {}{}.", domain::CarrierDisplayName(t.carrier),
                         t.account.alias, settings.enabled ? "" : " (wyłączona)")}},
      Secure(app, req));
  return r;
}

}  // namespace

void RegisterRoutes(Router& router, AppContext& app, const Guard& guard) {
  router.Get("/settings/carriers", guard(true, [&app](Request& req, const Principal& p) {
               return ListPage(app, req, p);
             }));
  router.Get(
      "/settings/carriers/{alias}/{carrier}",
      guard(true, [&app](Request& req, const Principal& p) { return GetForm(app, req, p); }));
  router.Post(
      "/settings/carriers/{alias}/{carrier}",
      guard(true, [&app](Request& req, const Principal& p) { return PostForm(app, req, p); }));
}

}  // namespace nadajnik::http::panel::settings
