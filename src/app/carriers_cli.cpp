// carriers add|list|check, and the demo's carrier contracts.
#include <iostream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "app/cli.hpp"
#include "carriers/carrier_factory.hpp"
#include "core/text.hpp"
#include "services/comment_template.hpp"

namespace nadajnik::app {

namespace json = boost::json;

namespace {

using domain::Carrier;

constexpr char kCarrierChoices[] = "inpost, dpd, poczta_polska, orlen, allegro_shipping";

// "orlen" (what sellers call it) is accepted by ParseCarrier too.
Result<Carrier> ParseCarrierArgument(const std::string& code) {
  if (auto c = domain::ParseCarrier(code)) return *c;
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("no carrier '{}': choose {}", TruncateUtf8(code, 40), kCarrierChoices));
}

// "key=value" -> (key, value); the value may hold '=' (URLs with queries, base64).
Result<std::pair<std::string, std::string>> SplitAssignment(const std::string& arg,
                                                            std::string_view flag) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{} takes key=value, not '{}'", flag, TruncateUtf8(arg, 40)));
  }
  return std::pair{arg.substr(0, eq), arg.substr(eq + 1)};
}

// "-" reads the secret from standard input (one line), so it stays out of `ps` and shell history.
std::string SecretArgument(const std::string& value) {
  if (value != "-") return value;
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The factory's problems plus the comment template's (the renderer lives with the services).
std::vector<carriers::SettingProblem> Problems(const domain::CarrierSettings& settings) {
  auto problems = carriers::ValidateCarrierSettings(settings);
  if (auto it = settings.settings.find("comment_template"); it != settings.settings.end()) {
    if (auto ok = services::CheckCommentTemplate(it->second); !ok) {
      problems.push_back({"comment_template", ok.error().message});
    }
  }
  return problems;
}

carriers::CarrierEnv EnvOf(Runtime& rt) {
  return carriers::CarrierEnv{*rt.marketplace->http, rt.marketplace->connectors.get()};
}

// Asks the carrier whether it takes these credentials; the error says what to fix.
Result<void> CheckWithCarrier(Runtime& rt, const domain::CarrierSettings& settings,
                              const std::string& alias) {
  auto env = EnvOf(rt);
  NADAJNIK_ASSIGN_OR_RETURN(auto connector, carriers::MakeCarrierConnector(settings, env));
  auto checked = connector->CheckCredentials();
  if (!checked) {
    Error e = std::move(checked).error();
    e.message = fmt::format("{} did not accept the settings of account {}: {}",
                            domain::CarrierDisplayName(settings.carrier), alias, e.message);
    return Fail(std::move(e));
  }
  return Ok();
}

std::string SecretState(const Secret<>& s) { return s.empty() ? "pusty" : "ustawiony"; }

json::object SettingsJson(const domain::CarrierSettings& c, const std::string& alias) {
  json::object settings;
  for (const auto& [k, v] : c.settings) settings[k] = v;
  json::object secrets;
  for (const auto& [k, v] : c.secrets) secrets[k] = SecretState(v);
  json::array problems;
  for (const auto& p : Problems(c)) {
    problems.push_back(json::object{{"key", p.key}, {"message", p.message}});
  }
  const auto& s = c.sender;
  return json::object{
      {"account", alias},
      {"carrier", domain::CarrierCode(c.carrier)},
      {"enabled", c.enabled},
      {"settings", std::move(settings)},
      {"secrets", std::move(secrets)},
      {"sender", json::object{{"name", s.name},
                              {"company", s.company},
                              {"street", s.street},
                              {"postalCode", s.postal_code},
                              {"city", s.city},
                              {"province", s.province},
                              {"countryCode", s.country_code},
                              {"phone", s.phone},
                              {"email", s.email}}},
      {"problems", std::move(problems)},
      {"updatedAt", FormatIso8601(c.updated_at)},
  };
}

struct AddArgs {
  std::string account;
  std::string carrier;
  std::vector<std::string> set;
  std::vector<std::string> secret;
  domain::SenderAddress sender;
  bool check = false;
};

Result<int> RunAdd(const GlobalFlags& g, const AddArgs& args) {
  NADAJNIK_ASSIGN_OR_RETURN(Carrier carrier, ParseCarrierArgument(args.carrier));
  NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
  NADAJNIK_ASSIGN_OR_RETURN(auto account, rt->marketplace->accounts->Find(args.account));
  domain::CarrierSettings settings;
  settings.account_id = account.id;
  settings.carrier = carrier;
  settings.sender = args.sender;
  for (const auto& a : args.set) {
    NADAJNIK_ASSIGN_OR_RETURN(auto kv, SplitAssignment(a, "--set"));
    settings.settings[kv.first] = kv.second;
  }
  for (const auto& a : args.secret) {
    NADAJNIK_ASSIGN_OR_RETURN(auto kv, SplitAssignment(a, "--secret"));
    settings.secrets[kv.first] = Secret<>(SecretArgument(kv.second));
  }
  if (auto problems = Problems(settings); !problems.empty()) {
    std::cerr << fmt::format(
        "nadajnik: the {} settings of account {} need fixing (nothing "
        "stored):\n",
        domain::CarrierDisplayName(carrier), account.alias);
    for (const auto& p : problems) std::cerr << fmt::format("  {}: {}\n", p.key, p.message);
    std::cerr << fmt::format("Keys {} knows: nadajnik carriers keys --carrier {}\n",
                             domain::CarrierDisplayName(carrier), domain::CarrierCode(carrier));
    return 2;
  }
  // A contract the carrier refuses is not stored: the seller would only learn it at the first
  // shipment.
  if (args.check) {
    auto checked = CheckWithCarrier(*rt, settings, account.alias);
    if (!checked) {
      Error e = std::move(checked).error();
      e.message += " (nothing stored: fix it and run the command again, or leave out --check)";
      return Fail(std::move(e));
    }
  }
  const Timestamp now = rt->clock.Now();
  NADAJNIK_TRY(rt->store->InTransaction(
      [&](store::UnitOfWork& uow) { return uow.carrier_settings().Put(settings, now); }));
  std::cout << fmt::format("{} stored for account {}{}\n", domain::CarrierDisplayName(carrier),
                           account.alias,
                           args.check ? "; the carrier accepted the credentials" : "");
  return 0;
}

}  // namespace

void AddCarrierCommands(CLI::App& cli, GlobalFlags& g, std::function<Result<int>()>& action) {
  auto* carriers_cmd = cli.add_subcommand("carriers", "Carrier contracts of the accounts");
  carriers_cmd->require_subcommand(1);

  // ---- add ----------------------------------------------------------------------------------
  static AddArgs add;
  auto* add_cmd = carriers_cmd->add_subcommand(
      "add", "Store (or replace) an account's contract with a carrier; secrets are encrypted");
  AddGlobalFlags(*add_cmd, g);
  add_cmd->add_option("--account", add.account, "The account's alias")->required();
  add_cmd->add_option("--carrier", add.carrier, kCarrierChoices)->required();
  add_cmd
      ->add_option("--set", add.set,
                   "A setting, key=value (repeat; see `nadajnik carriers keys --carrier C`)")
      ->allow_extra_args(false);
  add_cmd
      ->add_option("--secret", add.secret,
                   "A secret, key=value, or key=- to read it from stdin (repeat)")
      ->allow_extra_args(false);
  add_cmd->add_option("--sender-name", add.sender.name, "Sender: person");
  add_cmd->add_option("--sender-company", add.sender.company, "Sender: company");
  add_cmd->add_option("--sender-street", add.sender.street, "Sender: street and number");
  add_cmd->add_option("--sender-postal-code", add.sender.postal_code, "Sender: NN-NNN");
  add_cmd->add_option("--sender-city", add.sender.city, "Sender: city");
  add_cmd->add_option("--sender-province", add.sender.province, "Sender: province");
  add_cmd->add_option("--sender-country", add.sender.country_code, "Sender: country (PL)");
  add_cmd->add_option("--sender-phone", add.sender.phone, "Sender: phone");
  add_cmd->add_option("--sender-email", add.sender.email, "Sender: e-mail");
  add_cmd->add_flag("--check", add.check,
                    "Ask the carrier whether it accepts the credentials before storing them");
  add_cmd->callback([&] { action = [&]() { return RunAdd(g, add); }; });

  // ---- keys ---------------------------------------------------------------------------------
  static std::string keys_carrier;
  auto* keys_cmd = carriers_cmd->add_subcommand("keys", "The settings a carrier reads");
  keys_cmd->add_option("--carrier", keys_carrier, kCarrierChoices)->required();
  keys_cmd->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(Carrier carrier, ParseCarrierArgument(keys_carrier));
      for (const auto& k : carriers::SettingKeys(carrier)) {
        std::cout << fmt::format("{:<24} {:<8} {:<10} {}\n", k.key, k.secret ? "--secret" : "--set",
                                 k.required ? "wymagany" : "", k.description);
      }
      return 0;
    };
  });

  // ---- list ---------------------------------------------------------------------------------
  static std::string list_account;
  static bool list_json = false;
  auto* list_cmd = carriers_cmd->add_subcommand(
      "list", "List the carrier contracts (secrets are never shown, only whether they are set)");
  AddGlobalFlags(*list_cmd, g);
  list_cmd->add_option("--account", list_account, "Only this account (alias)");
  list_cmd->add_flag("--json", list_json, "JSON");
  list_cmd->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      std::vector<domain::MarketplaceAccount> accounts;
      if (!list_account.empty()) {
        NADAJNIK_ASSIGN_OR_RETURN(auto a, rt->marketplace->accounts->Find(list_account));
        accounts.push_back(std::move(a));
      } else {
        NADAJNIK_ASSIGN_OR_RETURN(accounts, rt->store->Read([](store::UnitOfWork& uow) {
          return uow.accounts().List();
        }));
      }
      json::array out;
      for (const auto& a : accounts) {
        NADAJNIK_ASSIGN_OR_RETURN(auto contracts, rt->store->Read([&](store::UnitOfWork& uow) {
          return uow.carrier_settings().List(a.id);
        }));
        for (const auto& c : contracts) {
          if (list_json) {
            out.push_back(SettingsJson(c, a.alias));
            continue;
          }
          std::cout << fmt::format("{} {} ({}){}\n", a.alias, domain::CarrierCode(c.carrier),
                                   domain::CarrierDisplayName(c.carrier),
                                   c.enabled ? "" : " wyłączony");
          for (const auto& [k, v] : c.settings) {
            std::cout << fmt::format("  {} = {}\n", k, v);
          }
          for (const auto& [k, v] : c.secrets) {
            std::cout << fmt::format("  {} = ({})\n", k, SecretState(v));
          }
          std::cout << fmt::format("  nadawca: {}\n", [&] {
            auto line = domain::SenderAddressLine(c.sender);
            return line.empty() ? std::string("-") : line;
          }());
          for (const auto& p : Problems(c)) {
            std::cout << fmt::format("  uwaga: {}: {}\n", p.key, p.message);
          }
        }
      }
      if (list_json) {
        std::cout << json::serialize(json::object{{"carriers", std::move(out)}}) << "\n";
      }
      return 0;
    };
  });

  // ---- check --------------------------------------------------------------------------------
  static std::string check_account;
  static std::string check_carrier;
  auto* check_cmd = carriers_cmd->add_subcommand(
      "check", "Ask the carrier whether it accepts an account's stored credentials");
  AddGlobalFlags(*check_cmd, g);
  check_cmd->add_option("--account", check_account, "The account's alias")->required();
  check_cmd->add_option("--carrier", check_carrier, kCarrierChoices)->required();
  check_cmd->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(Carrier carrier, ParseCarrierArgument(check_carrier));
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      NADAJNIK_ASSIGN_OR_RETURN(auto account, rt->marketplace->accounts->Find(check_account));
      NADAJNIK_ASSIGN_OR_RETURN(auto stored, rt->store->Read([&](store::UnitOfWork& uow) {
        return uow.carrier_settings().Get(account.id, carrier);
      }));
      if (!stored) {
        return Fail(ErrorCode::kNotFound,
                    fmt::format("account {} has no {} contract: add it with `nadajnik carriers "
                                "add --account {} --carrier {} ...`",
                                account.alias, domain::CarrierDisplayName(carrier), account.alias,
                                domain::CarrierCode(carrier)));
      }
      NADAJNIK_TRY(CheckWithCarrier(*rt, *stored, account.alias));
      std::cout << fmt::format("{} accepted the settings of account {}\n",
                               domain::CarrierDisplayName(carrier), account.alias);
      return 0;
    };
  });
}

Result<void> ConnectDemoCarriers(Runtime& rt, const std::string& sandbox_base) {
  const std::string base = TrimTrailingSlashes(sandbox_base);
  domain::SenderAddress sender;
  sender.name = "Anna Nowak";
  sender.company = "Sklep demo Sp. z o.o.";
  sender.street = "Grunwaldzka 182";
  sender.postal_code = "60-166";
  sender.city = "Poznań";
  sender.province = "wielkopolskie";
  sender.phone = "500600700";
  sender.email = "sklep-demo@example.pl";
  const std::map<std::string, std::string> common = {
      {"comment_template", "Zamówienie {order.checkoutFormId}"},
      {"default_weight_grams", "1000"},
  };
  // The simulators' own sandbox accounts (src/sandbox/<carrier>/simulator.hpp).
  struct Demo {
    Carrier carrier;
    std::map<std::string, std::string> settings;
    std::map<std::string, std::string> secrets;
  };
  const std::vector<Demo> demos = {
      {Carrier::kInPost,
       {{"base_url", base + "/inpost"},
        {"organization_id", "9001"},
        {"default_service", "inpost_locker_standard"},
        {"default_template", "small"}},
       {{"token", "inpost-sandbox-token"}}},
      {Carrier::kPocztaPolska,
       {{"base_url", base + "/poczta-polska"},
        {"login", "nadajnik-en"},
        {"urzad_nadania", "260001"},
        {"default_service", "pocztex_kurier"},
        {"default_template", "M"},
        {"bank_account", "61109010140000071219812874"}},
       {{"password", "haslo-en-sandbox"}}},
      {Carrier::kOrlenPaczka,
       {{"endpoint", base + "/orlen/WebServicePwR/WebServicePwR.asmx"},
        {"partner_id", "1001"},
        {"default_service", "orlen_paczka"},
        {"default_template", "S"}},
       {{"partner_key", "orlen-sandbox-key"}}},
      {Carrier::kDpd,
       {{"package_base_url", base + "/dpd"},
        {"info_base_url", base + "/dpd"},
        {"login", "149510101"},
        {"master_fid", "1495101"},
        {"default_service", "dpd_classic"}},
       {{"password", "dpd-sandbox-haslo"}}},
      {Carrier::kAllegroShipping,
       {{"default_length_mm", "300"}, {"default_width_mm", "200"}, {"default_height_mm", "100"}},
       {}},
  };
  const Timestamp now = rt.clock.Now();
  return rt.store->InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_ASSIGN_OR_RETURN(auto account, uow.accounts().FindByAlias("PL"));
    if (!account) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "the demo account PL is missing: connect the demo accounts before their "
                  "carriers");
    }
    for (const auto& d : demos) {
      NADAJNIK_ASSIGN_OR_RETURN(auto stored, uow.carrier_settings().Get(account->id, d.carrier));
      if (stored) continue;  // the seller's own changes survive a restart
      domain::CarrierSettings c;
      c.account_id = account->id;
      c.carrier = d.carrier;
      c.settings = common;
      c.settings.insert(d.settings.begin(), d.settings.end());
      for (const auto& [k, v] : d.secrets) c.secrets[k] = Secret<>(v);
      c.sender = sender;
      if (auto problems = Problems(c); !problems.empty()) {
        return Fail(ErrorCode::kInternal,
                    fmt::format("the demo {} contract does not validate: {}: {}",
                                domain::CarrierDisplayName(d.carrier), problems[0].key,
                                problems[0].message));
      }
      NADAJNIK_TRY(uow.carrier_settings().Put(c, now));
    }
    return Ok();
  });
}

}  // namespace nadajnik::app
