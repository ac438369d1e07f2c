// "Ustawienia › Przewoźnicy" (the carrier contracts of the accounts, and the form that adds or
// replaces one), "Ustawienia › Statusy" (the status mapping of each account) and "Użytkownicy"
// (users, roles, password resets). Registered behind the panel's guard in panel.cpp (session,
// admin, CSRF).
#include "http/panel/settings_pages.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "carriers/carrier_factory.hpp"
#include "core/clock.hpp"
#include "core/text.hpp"
#include "http/panel/views.hpp"
#include "observability/log.hpp"
#include "services/comment_template.hpp"
#include "services/status_mapping.hpp"
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
      SetIf(item, "sender", domain::SenderAddressLine(c.sender));
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
  auto carrier = domain::ParseCarrier(TruncateUtf8(req.PathParam("carrier").value_or(""), 32));
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

// ---- Ustawienia › Statusy: the status mapping of each account ------------------------------

using domain::FulfillmentStatus;

struct FulfillmentChoice {
  FulfillmentStatus status;
  const char* label;
};

// Every status Allegro knows, RETURNED too: the service refuses it, and the form says why.
constexpr FulfillmentChoice kFulfillmentChoices[] = {
    {FulfillmentStatus::kNew, "Nowe"},
    {FulfillmentStatus::kProcessing, "W realizacji"},
    {FulfillmentStatus::kReadyForShipment, "Gotowe do wysyłki"},
    {FulfillmentStatus::kReadyForPickup, "Gotowe do odbioru"},
    {FulfillmentStatus::kSent, "Wysłane"},
    {FulfillmentStatus::kPickedUp, "Odebrane"},
    {FulfillmentStatus::kCancelled, "Anulowane"},
    {FulfillmentStatus::kSuspended, "Wstrzymane"},
    {FulfillmentStatus::kReturned, "Zwrócone — ustawia tylko Allegro"},
};

std::string FulfillmentLabel(const std::optional<FulfillmentStatus>& f) {
  if (!f) return "nie wysyła (zmiana tylko w Nadajniku)";
  for (const auto& c : kFulfillmentChoices) {
    if (c.status == *f) return fmt::format("{} ({})", c.label, domain::FulfillmentStatusName(*f));
  }
  return std::string(domain::FulfillmentStatusName(*f));
}

Response MappingListPage(AppContext& app, Request& req, const Principal& user) {
  struct Account {
    domain::MarketplaceAccount account;
    std::vector<store::StatusMapping> mappings;
  };
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<std::vector<Account>> {
    std::vector<Account> out;
    NADAJNIK_ASSIGN_OR_RETURN(auto accounts, uow.accounts().List());
    for (auto& a : accounts) {
      NADAJNIK_ASSIGN_OR_RETURN(auto mappings, uow.status_mappings().List(a.id));
      out.push_back({std::move(a), std::move(mappings)});
    }
    return out;
  });
  if (!loaded) {
    log::Error("panel.status_mapping_failed",
               {{"error", loaded.error().Describe()}, {"request_id", req.request_id}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać mapowania statusów.", req,
                     &user);
  }
  Data accounts = Data::type::list;
  for (const auto& [a, mappings] : *loaded) {
    Data row;
    row.set("alias", a.alias);
    row.set("name", a.name);
    Data list = Data::type::list;
    for (const auto& m : mappings) {
      Data item;
      item.set("local", m.local_status_name);
      item.set("fulfillment", FulfillmentLabel(m.fulfillment));
      item.set("local_only", !m.fulfillment);
      item.set("account_specific", m.account_specific);
      list.push_back(item);
    }
    row.set("mappings", list);
    accounts.push_back(row);
  }
  Data d;
  d.set("accounts", accounts);
  d.set("has_accounts", !loaded->empty());
  PageOptions options{"Statusy", &user, "statuses"};
  options.flash = TakeFlash(req);
  return Page(200, "status_mappings", d, options);
}

// What the mapping form shows: the stored mapping, or what the user chose.
struct MappingForm {
  std::vector<store::StatusMapping> rows;
  std::map<std::int64_t, std::string> chosen;  // status id -> "" (none) or a status code
  std::map<std::int64_t, std::string> field_errors;
  std::vector<std::string> errors;
};

Response MappingFormPage(int status, const domain::MarketplaceAccount& account,
                         const MappingForm& form, const Principal& user) {
  Data fields = Data::type::list;
  for (const auto& m : form.rows) {
    const std::int64_t id = m.local_status_id.value;
    const std::string chosen =
        form.chosen.contains(id)
            ? form.chosen.at(id)
            : (m.fulfillment ? std::string(domain::FulfillmentStatusName(*m.fulfillment))
                             : std::string());
    Data f;
    f.set("id", fmt::format("s{}", id));
    f.set("name", fmt::format("status.{}", id));
    f.set("label", m.local_status_name);
    f.set("account_specific", m.account_specific);
    Data options = Data::type::list;
    Data none;
    none.set("value", std::string());
    none.set("label", "— nie wysyłaj (zmiana tylko w Nadajniku)");
    none.set("selected", chosen.empty());
    options.push_back(none);
    for (const auto& c : kFulfillmentChoices) {
      const std::string code(domain::FulfillmentStatusName(c.status));
      Data o;
      o.set("value", code);
      o.set("label", fmt::format("{} ({})", c.label, code));
      o.set("selected", chosen == code);
      options.push_back(o);
    }
    f.set("options", options);
    auto err = form.field_errors.find(id);
    f.set("invalid", err != form.field_errors.end());
    if (err != form.field_errors.end()) f.set("error", err->second);
    fields.push_back(f);
  }
  Data general = Data::type::list;
  for (const auto& text : form.errors) {
    Data item;
    item.set("text", text);
    general.push_back(item);
  }
  Data d;
  d.set("alias", account.alias);
  d.set("account_name", account.name);
  d.set("fields", fields);
  d.set("errors", general);
  d.set("has_errors", !form.errors.empty() || !form.field_errors.empty());
  d.set("csrf_token", user.csrf_token);
  return Page(status, "status_mapping_form", d,
              {fmt::format("Statusy · {}", account.alias), &user, "statuses"});
}

struct MappingTarget {
  domain::MarketplaceAccount account;
  std::vector<store::StatusMapping> rows;
};

std::variant<MappingTarget, Response> FindMappingTarget(AppContext& app, Request& req,
                                                        const Principal& user) {
  auto not_found = [&] {
    return ErrorPage(404, "Nie ma takiego konta",
                     "Nie znaleziono konta. Wybierz je z listy w Ustawienia › Statusy.", req,
                     &user);
  };
  auto alias = domain::NormalizeAlias(TruncateUtf8(req.PathParam("alias").value_or(""), 16));
  if (!alias) return not_found();
  struct Loaded {
    std::optional<domain::MarketplaceAccount> account;
    std::vector<store::StatusMapping> rows;
  };
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<Loaded> {
    Loaded l;
    NADAJNIK_ASSIGN_OR_RETURN(l.account, uow.accounts().FindByAlias(*alias));
    if (l.account) {
      NADAJNIK_ASSIGN_OR_RETURN(l.rows, uow.status_mappings().List(l.account->id));
    }
    return l;
  });
  if (!loaded) {
    log::Error("panel.status_mapping_failed",
               {{"error", loaded.error().Describe()}, {"request_id", req.request_id}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać mapowania statusów.", req,
                     &user);
  }
  if (!loaded->account) return not_found();
  return MappingTarget{std::move(*loaded->account), std::move(loaded->rows)};
}

Response GetMappingForm(AppContext& app, Request& req, const Principal& user) {
  auto target = FindMappingTarget(app, req, user);
  if (auto* r = std::get_if<Response>(&target)) return std::move(*r);
  auto& t = std::get<MappingTarget>(target);
  MappingForm form;
  form.rows = std::move(t.rows);
  return MappingFormPage(200, t.account, form, user);
}

std::string MappingProblemText(const services::StatusMappingProblem& p, const std::string& value) {
  switch (p.kind) {
    case services::StatusMappingProblemKind::kNotSettable:
      return fmt::format(
          "Status {} ustawia tylko Allegro (po zwrocie), sprzedawca nie może go wysłać. Wybierz "
          "inny status albo „nie wysyłaj”.",
          value);
    case services::StatusMappingProblemKind::kUnknownFulfillment:
      return fmt::format("Allegro nie zna statusu „{}”. Wybierz status z listy.",
                         TruncateUtf8(value, 40));
    case services::StatusMappingProblemKind::kUnknownLocalStatus:
      break;
  }
  return "Nie ma już takiego statusu w Nadajniku. Odśwież stronę.";
}

Response PostMappingForm(AppContext& app, Request& req, const Principal& user) {
  auto target = FindMappingTarget(app, req, user);
  if (auto* r = std::get_if<Response>(&target)) return std::move(*r);
  auto& t = std::get<MappingTarget>(target);
  auto form = req.Form();

  MappingForm entered;
  entered.rows = t.rows;
  // Only what differs from the mapping in force is sent, so a status left at its default keeps
  // following the default.
  std::vector<services::StatusMappingChange> changes;
  std::vector<std::int64_t> change_ids;
  for (const auto& m : t.rows) {
    const std::int64_t id = m.local_status_id.value;
    auto it = form->find(fmt::format("status.{}", id));
    if (it == form->end()) continue;
    const std::string value = TruncateUtf8(std::string(Trim(it->second)), 40);
    entered.chosen[id] = value;
    const std::string current =
        m.fulfillment ? std::string(domain::FulfillmentStatusName(*m.fulfillment)) : "";
    if (value == current) continue;
    services::StatusMappingChange change;
    change.local_status = std::to_string(id);
    if (!value.empty()) change.fulfillment = value;
    changes.push_back(std::move(change));
    change_ids.push_back(id);
  }

  std::vector<services::StatusMappingProblem> problems;
  auto stored = app.store.InTransaction([&](store::UnitOfWork& uow) {
    return services::SetStatusMappingsIn(uow, t.account.id, changes, &problems);
  });
  if (!stored) {
    if (stored.error().code == ErrorCode::kInvalidArgument && !problems.empty()) {
      for (const auto& p : problems) {
        const std::int64_t id = change_ids.at(p.index);
        entered.field_errors[id] = MappingProblemText(p, entered.chosen[id]);
      }
      return MappingFormPage(422, t.account, entered, user);
    }
    log::Error("panel.status_mapping_failed",
               {{"error", stored.error().Describe()}, {"request_id", req.request_id}});
    entered.errors.push_back("Nie zapisano mapowania: chwilowy problem. Spróbuj ponownie.");
    return MappingFormPage(503, t.account, entered, user);
  }
  log::Info("panel.status_mapping_saved", {{"by", user.name},
                                           {"alias", t.account.alias},
                                           {"changes", static_cast<long long>(changes.size())}});
  Response r = Response::Redirect("/settings/statuses");
  SetFlash(
      r,
      Flash{"ok",
            {changes.empty()
                 ? fmt::format("Zapisano: mapowanie statusów konta {} bez zmian.", t.account.alias)
                 : fmt::format("Zapisano mapowanie statusów konta {}.", t.account.alias)}},
      Secure(app, req));
  return r;
}

// ---- Użytkownicy: the list, adding, and one user's role, password, state ------------------

std::string RoleText(domain::Role role) {
  return role == domain::Role::kAdmin ? "administrator" : "pakowacz";
}

Response UsersPage(AppContext& app, Request& req, const Principal& user, int status,
                   const std::string& error, const std::string& username) {
  auto users = app.store.Read([&](store::UnitOfWork& uow) { return uow.users().List(); });
  if (!users)
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać użytkowników.", req, &user);
  Data list = Data::type::list;
  for (const auto& u : *users) {
    Data row;
    row.set("id", std::to_string(u.id.value));
    row.set("username", u.username);
    row.set("role", RoleText(u.role));
    row.set("disabled", u.disabled);
    row.set("must_change_password", u.must_change_password);
    row.set("me", u.id == user.user_id);
    row.set("created_at", FormatLocal(u.created_at));
    list.push_back(row);
  }
  Data d;
  d.set("users", list);
  d.set("csrf_token", user.csrf_token);
  if (!error.empty()) d.set("error", error);
  d.set("username", username);
  if (auto created = req.QueryParam("created")) d.set("created", TruncateUtf8(*created, 64));
  PageOptions options{"Użytkownicy", &user, "users"};
  options.flash = TakeFlash(req);
  return Page(status, "users", d, options);
}

Response PostUsers(AppContext& app, Request& req, const Principal& user) {
  auto form = req.Form();
  const std::string username = TruncateUtf8(FormField(*form, "username"), 64);
  auto role = domain::ParseRole(FormField(*form, "role"));
  if (!role)
    return UsersPage(app, req, user, 422, "Wybierz rolę: administrator lub pakowacz.", username);
  auto created =
      app.auth.CreateUser(username, Secret<>(FormField(*form, "password")), *role, false);
  if (!created) {
    std::string message = created.error().message;
    if (created.error().code == ErrorCode::kAlreadyExists)
      message = "Użytkownik o tej nazwie już istnieje.";
    else if (message.find("at least") != std::string::npos)
      message = "Hasło musi mieć co najmniej 10 znaków.";
    else if (message.find("username") != std::string::npos)
      message = "Nazwa może zawierać tylko litery, cyfry i . _ - @ (do 64 znaków).";
    return UsersPage(app, req, user, created.error().code == ErrorCode::kAlreadyExists ? 409 : 422,
                     message, username);
  }
  log::Info("panel.user_created", {{"by", user.name}, {"username", username}});
  return Response::Redirect("/admin/users?created=" + UrlEncode(username));
}

// The problems of the user form, by the part of the page they belong to.
struct UserForm {
  std::map<std::string, std::string> field_errors;  // "role" | "password" | "disabled" | "delete"
  std::string role;                                 // what was chosen, when it was refused
};

Response UserPage(int status, const domain::User& u, const UserForm& form, const Principal& user) {
  Data d;
  d.set("id", std::to_string(u.id.value));
  d.set("username", u.username);
  d.set("role", RoleText(u.role));
  const std::string role = form.role.empty() ? std::string(domain::RoleName(u.role)) : form.role;
  d.set("role_admin", role == "admin");
  d.set("role_packer", role == "packer");
  d.set("disabled", u.disabled);
  d.set("must_change_password", u.must_change_password);
  d.set("me", u.id == user.user_id);
  d.set("created_at", FormatLocal(u.created_at));
  for (const auto& part : {"role", "password", "disabled", "delete"}) {
    auto it = form.field_errors.find(part);
    d.set(std::string(part) + "_invalid", it != form.field_errors.end());
    if (it != form.field_errors.end()) d.set(std::string(part) + "_error", it->second);
  }
  d.set("csrf_token", user.csrf_token);
  Data page;
  page.set("detail", d);
  return Page(status, "users", page, {fmt::format("Użytkownik {}", u.username), &user, "users"});
}

std::optional<UserId> UserIdParam(const Request& req) {
  const std::string text = req.PathParam("id").value_or("");
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v <= 0) return std::nullopt;
  return UserId(v);
}

std::variant<domain::User, Response> FindUser(AppContext& app, Request& req,
                                              const Principal& user) {
  auto not_found = [&] {
    return ErrorPage(404, "Nie ma takiego użytkownika",
                     "Nie znaleziono użytkownika. Wybierz go z listy użytkowników.", req, &user);
  };
  auto id = UserIdParam(req);
  if (!id) return not_found();
  auto found = app.store.Read([&](store::UnitOfWork& uow) { return uow.users().Get(*id); });
  if (!found) {
    log::Error("panel.users_failed",
               {{"error", found.error().Describe()}, {"request_id", req.request_id}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać użytkownika.", req, &user);
  }
  if (!*found) return not_found();
  return std::move(**found);
}

Response GetUser(AppContext& app, Request& req, const Principal& user) {
  auto found = FindUser(app, req, user);
  if (auto* r = std::get_if<Response>(&found)) return std::move(*r);
  return UserPage(200, std::get<domain::User>(found), {}, user);
}

// The service's refusal in Polish: `self` when an admin tries it on their own account,
// `last_admin` the action refused for the last enabled admin ("go wyłączyć").
std::string RefusalText(const Error& e, const std::string& self, const std::string& last_admin) {
  if (e.details == "self") return self + " Poproś o to innego administratora.";
  if (e.details == "last_admin") {
    return fmt::format(
        "To ostatni aktywny administrator: nie można {}. Najpierw nadaj rolę administratora "
        "innemu użytkownikowi.",
        last_admin);
  }
  if (e.code == ErrorCode::kNotFound) return "Tego użytkownika już nie ma. Odśwież listę.";
  return "Nie udało się zapisać zmiany: chwilowy problem. Spróbuj ponownie.";
}

Response Done(AppContext& app, Request& req, const std::string& message) {
  Response r = Response::Redirect("/admin/users");
  SetFlash(r, Flash{"ok", {message}}, Secure(app, req));
  return r;
}

int RefusalStatus(const Error& e) {
  if (e.code == ErrorCode::kFailedPrecondition) return 409;
  if (e.code == ErrorCode::kNotFound) return 404;
  if (e.code == ErrorCode::kInvalidArgument) return 422;
  return 503;
}

void LogRefusal(const Error& e, const Request& req) {
  if (e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kInternal) {
    log::Error("panel.users_failed", {{"error", e.Describe()}, {"request_id", req.request_id}});
  }
}

Response PostUserRole(AppContext& app, Request& req, const Principal& user) {
  auto found = FindUser(app, req, user);
  if (auto* r = std::get_if<Response>(&found)) return std::move(*r);
  auto& u = std::get<domain::User>(found);
  auto form = req.Form();
  const std::string chosen = TruncateUtf8(FormField(*form, "role"), 16);
  UserForm page;
  page.role = chosen;
  auto role = domain::ParseRole(chosen);
  if (!role) {
    page.field_errors["role"] = "Wybierz rolę: administrator lub pakowacz.";
    return UserPage(422, u, page, user);
  }
  if (*role == u.role)
    return Done(app, req,
                fmt::format("Zapisano: {} ma już rolę {}.", u.username, RoleText(u.role)));
  auto changed = app.auth.SetRole(user, u.id, *role);
  if (!changed) {
    LogRefusal(changed.error(), req);
    page.field_errors["role"] = RefusalText(
        changed.error(), "Nie możesz odebrać sobie roli administratora.", "odebrać mu tej roli");
    return UserPage(RefusalStatus(changed.error()), u, page, user);
  }
  return Done(app, req, fmt::format("Zapisano: {} ma teraz rolę {}.", u.username, RoleText(*role)));
}

Response PostUserPassword(AppContext& app, Request& req, const Principal& user) {
  auto found = FindUser(app, req, user);
  if (auto* r = std::get_if<Response>(&found)) return std::move(*r);
  auto& u = std::get<domain::User>(found);
  auto form = req.Form();
  const std::string password = FormField(*form, "password");
  UserForm page;
  if (password != FormField(*form, "password_repeat")) {
    page.field_errors["password"] = "Hasła się różnią: wpisz to samo hasło dwa razy.";
    return UserPage(422, u, page, user);
  }
  auto reset = app.auth.ResetPassword(u.id, Secret<>(password));
  if (!reset) {
    LogRefusal(reset.error(), req);
    page.field_errors["password"] =
        reset.error().code == ErrorCode::kInvalidArgument
            ? "Hasło musi mieć co najmniej 10 znaków (np. kilka niepowiązanych słów)."
            : RefusalText(reset.error(), "", "");
    return UserPage(RefusalStatus(reset.error()), u, page, user);
  }
  log::Info("panel.password_reset", {{"by", user.name}, {"username", u.username}});
  return Done(app, req,
              fmt::format("Zapisano nowe hasło użytkownika {}. Przy następnym logowaniu musi je "
                          "zmienić; jego dotychczasowe sesje zostały zakończone.",
                          u.username));
}

Response PostUserDisabled(AppContext& app, Request& req, const Principal& user) {
  auto found = FindUser(app, req, user);
  if (auto* r = std::get_if<Response>(&found)) return std::move(*r);
  auto& u = std::get<domain::User>(found);
  auto form = req.Form();
  const bool disable = FormField(*form, "disabled") == "1";
  UserForm page;
  if (disable && FormField(*form, "confirm") != "1") {
    page.field_errors["disabled"] =
        "Zaznacz potwierdzenie, aby wyłączyć konto (użytkownik zostanie wylogowany).";
    return UserPage(422, u, page, user);
  }
  auto changed = app.auth.SetDisabled(user, u.id, disable);
  if (!changed) {
    LogRefusal(changed.error(), req);
    page.field_errors["disabled"] =
        RefusalText(changed.error(), "Nie możesz wyłączyć własnego konta.", "go wyłączyć");
    return UserPage(RefusalStatus(changed.error()), u, page, user);
  }
  return Done(
      app, req,
      disable ? fmt::format("Zapisano: konto {} jest wyłączone, jego sesje zakończone.", u.username)
              : fmt::format("Zapisano: konto {} jest znowu aktywne.", u.username));
}

Response PostUserDelete(AppContext& app, Request& req, const Principal& user) {
  auto found = FindUser(app, req, user);
  if (auto* r = std::get_if<Response>(&found)) return std::move(*r);
  auto& u = std::get<domain::User>(found);
  auto form = req.Form();
  UserForm page;
  if (FormField(*form, "confirm") != "1") {
    page.field_errors["delete"] = "Zaznacz potwierdzenie, aby usunąć użytkownika na stałe.";
    return UserPage(422, u, page, user);
  }
  auto deleted = app.auth.DeleteUser(user, u.id);
  if (!deleted) {
    LogRefusal(deleted.error(), req);
    page.field_errors["delete"] =
        RefusalText(deleted.error(), "Nie możesz usunąć własnego konta.", "go usunąć");
    return UserPage(RefusalStatus(deleted.error()), u, page, user);
  }
  return Done(app, req, fmt::format("Zapisano: użytkownik {} został usunięty.", u.username));
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
  router.Get("/settings/statuses", guard(true, [&app](Request& req, const Principal& p) {
               return MappingListPage(app, req, p);
             }));
  router.Get("/settings/statuses/{alias}", guard(true, [&app](Request& req, const Principal& p) {
               return GetMappingForm(app, req, p);
             }));
  router.Post("/settings/statuses/{alias}", guard(true, [&app](Request& req, const Principal& p) {
                return PostMappingForm(app, req, p);
              }));
  router.Get("/admin/users", guard(true, [&app](Request& req, const Principal& p) {
               return UsersPage(app, req, p, 200, "", "");
             }));
  router.Post("/admin/users", guard(true, [&app](Request& req, const Principal& p) {
                return PostUsers(app, req, p);
              }));
  router.Get("/admin/users/{id}", guard(true, [&app](Request& req, const Principal& p) {
               return GetUser(app, req, p);
             }));
  router.Post("/admin/users/{id}/role", guard(true, [&app](Request& req, const Principal& p) {
                return PostUserRole(app, req, p);
              }));
  router.Post("/admin/users/{id}/password", guard(true, [&app](Request& req, const Principal& p) {
                return PostUserPassword(app, req, p);
              }));
  router.Post("/admin/users/{id}/disabled", guard(true, [&app](Request& req, const Principal& p) {
                return PostUserDisabled(app, req, p);
              }));
  router.Post("/admin/users/{id}/delete", guard(true, [&app](Request& req, const Principal& p) {
                return PostUserDelete(app, req, p);
              }));
}

}  // namespace nadajnik::http::panel::settings
