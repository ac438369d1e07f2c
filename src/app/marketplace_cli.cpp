// accounts add|list|authorize, import, orders list|set-status.
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "app/cli.hpp"
#include "core/text.hpp"
#include "http/api/json_views.hpp"
#include "services/marketplace_jobs.hpp"

namespace nadajnik::app {

namespace json = boost::json;

namespace {

Result<void> StartImportJobs(Runtime& rt, AccountId id) {
  const Timestamp now = rt.clock.Now();
  return rt.store->InTransaction(
      [&](store::UnitOfWork& uow) { return services::ScheduleAccountJobs(uow, id, now); });
}

void PrintSeller(const domain::MarketplaceAccount& a, const marketplace::SellerProfile& s) {
  std::cout << fmt::format(
      "account {} is authorized as Allegro seller {} (id {}); `nadajnik serve` imports its "
      "orders now\n",
      a.alias, s.login, s.id);
}

// "-" reads a secret from standard input (one line), so it stays out of `ps` and shell history.
std::string SecretArgument(const std::string& value) {
  if (value != "-") return value;
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

void AddMarketplaceCommands(CLI::App& cli, GlobalFlags& g, std::function<Result<int>()>& action) {
  // ---- accounts ------------------------------------------------------------------------------
  auto* accounts = cli.add_subcommand("accounts", "Manage connected Allegro accounts");
  accounts->require_subcommand(1);

  static services::NewAccount add;
  static std::string refresh_token;
  auto* accounts_add = accounts->add_subcommand("add", "Add an Allegro account");
  AddGlobalFlags(*accounts_add, g);
  accounts_add->add_option("--alias", add.alias, "Two letters or digits shown on every order")
      ->required();
  accounts_add->add_option("--name", add.name, "The account's name in Nadajnik")->required();
  accounts_add->add_option("--login", add.login,
                           "The seller's Allegro login (learnt on authorize)");
  accounts_add->add_option("--environment", add.environment,
                           "production, sandbox (Allegro's) or custom (default: custom when URLs "
                           "are given, else production)");
  accounts_add->add_option("--auth-url", add.auth_url, "Allegro's OAuth server base URL");
  accounts_add->add_option("--api-url", add.api_url, "Allegro's REST API base URL");
  accounts_add->add_option("--client-id", add.client_id, "The application's client id")->required();
  accounts_add
      ->add_option("--client-secret", add.client_secret,
                   "The application's client secret (\"-\" reads it from stdin)")
      ->required();
  accounts_add->add_option("--refresh-token", refresh_token,
                           "A refresh token from another tool: connects without a browser "
                           "(\"-\" reads it from stdin)");
  accounts_add->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      auto& mp = *rt->marketplace;
      add.client_secret = SecretArgument(add.client_secret);
      refresh_token = SecretArgument(refresh_token);
      NADAJNIK_ASSIGN_OR_RETURN(AccountId id, mp.accounts->Add(add));
      NADAJNIK_ASSIGN_OR_RETURN(auto account, mp.accounts->Find(std::to_string(id.value)));
      std::cout << fmt::format("account {} added (id {})\n", account.alias, id.value);
      if (refresh_token.empty()) {
        std::cout << fmt::format("authorize it: nadajnik accounts authorize {}\n", account.alias);
        return 0;
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto seller,
                                mp.authorizer->UseRefreshToken(id, Secret<>(refresh_token)));
      NADAJNIK_TRY(StartImportJobs(*rt, id));
      PrintSeller(account, seller);
      return 0;
    };
  });

  static bool accounts_json = false;
  auto* accounts_list = accounts->add_subcommand("list", "List accounts and their health");
  AddGlobalFlags(*accounts_list, g);
  accounts_list->add_flag("--json", accounts_json, "JSON, as GET /api/v1/accounts");
  accounts_list->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      NADAJNIK_ASSIGN_OR_RETURN(auto list, rt->marketplace->accounts->List());
      if (accounts_json) {
        json::array out;
        for (const auto& h : list) out.push_back(http::api::AccountJson(h));
        std::cout << json::serialize(json::object{{"accounts", std::move(out)}}) << "\n";
        return 0;
      }
      std::cout << fmt::format("{:<5} {:<24} {:<22} {:<20} {:>9} {:>7}  {}\n", "ALIAS", "NAME",
                               "STATE", "LAST JOURNAL READ", "INCIDENTS", "FAILED", "REASON");
      for (const auto& h : list) {
        const auto& a = h.account;
        std::cout << fmt::format(
            "{:<5} {:<24} {:<22} {:<20} {:>9} {:>7}  {}\n", a.alias, TruncateUtf8(a.name, 24),
            domain::AccountStateName(a.state),
            a.last_journal_read_at ? FormatLocal(*a.last_journal_read_at) : "-", h.incidents,
            h.failed_orders, a.state_reason.empty() ? a.last_error : a.state_reason);
      }
      return 0;
    };
  });

  static std::string authorize_alias;
  static std::string authorize_refresh;
  auto* accounts_authorize = accounts->add_subcommand(
      "authorize", "Authorize an account on Allegro (device flow: confirm a code in a browser)");
  AddGlobalFlags(*accounts_authorize, g);
  accounts_authorize->add_option("alias", authorize_alias, "The account's alias")->required();
  accounts_authorize->add_option("--refresh-token", authorize_refresh,
                                 "Use this refresh token instead of the device flow (\"-\" reads "
                                 "it from stdin)");
  accounts_authorize->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      auto& mp = *rt->marketplace;
      NADAJNIK_ASSIGN_OR_RETURN(auto account, mp.accounts->Find(authorize_alias));
      if (!authorize_refresh.empty()) {
        authorize_refresh = SecretArgument(authorize_refresh);
        NADAJNIK_ASSIGN_OR_RETURN(
            auto seller, mp.authorizer->UseRefreshToken(account.id, Secret<>(authorize_refresh)));
        NADAJNIK_TRY(StartImportJobs(*rt, account.id));
        PrintSeller(account, seller);
        return 0;
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto start, mp.authorizer->StartDevice(account.id));
      std::cout << fmt::format(
                       "Open {}\nand confirm the code {} as Allegro seller {} (waiting up to {} "
                       "minutes)\n",
                       start.verification_uri_complete, start.user_code,
                       account.login.empty() ? account.name : account.login,
                       start.expires_in.count() / 60)
                << std::flush;
      auto interval = start.interval;
      const auto deadline = std::chrono::steady_clock::now() + start.expires_in;
      while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(interval);
        NADAJNIK_ASSIGN_OR_RETURN(auto progress,
                                  mp.authorizer->PollDevice(account.id, start.device_code));
        if (progress.slow_down) interval += std::chrono::seconds(5);
        if (!progress.done) continue;
        NADAJNIK_TRY(StartImportJobs(*rt, account.id));
        PrintSeller(account, progress.seller);
        return 0;
      }
      return Fail(ErrorCode::kFailedPrecondition,
                  "the code expired before it was confirmed: run the command again");
    };
  });

  // ---- import ---------------------------------------------------------------------------------
  static std::string import_account;
  static services::ManualImport import_what;
  static bool import_json = false;
  auto* import = cli.add_subcommand(
      "import", "Import an account's paid, new orders once (like the panel's Importuj) and exit");
  AddGlobalFlags(*import, g);
  import->add_option("--account", import_account, "The account's alias")->required();
  import->add_option("--days", import_what.days, "Orders bought in the last N days (default 30)")
      ->check(CLI::Range(1, 365));
  import->add_flag("--archived", import_what.archived,
                   "Also orders already in progress or sent (not only fulfilment NEW)");
  import->add_flag("--json", import_json, "The report as JSON");
  import->callback([&] {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
  auto& mp = *rt->marketplace;
  NADAJNIK_ASSIGN_OR_RETURN(auto account, mp.accounts->Find(import_account));
  NADAJNIK_ASSIGN_OR_RETURN(auto api, mp.connectors->ForAccount(account.id));
  NADAJNIK_ASSIGN_OR_RETURN(auto report, mp.importer->Import(account.id, *api, import_what));
  if (import_json) {
    std::cout << json::serialize(http::api::ReportJson(report)) << "\n";
    return 0;
  }
  std::cout << fmt::format("{}: {} ({} requests to Allegro)\n", account.alias,
                           services::DescribeReport(report), report.requests);
  for (const auto& [id, error] : report.failures) {
    std::cout << fmt::format("  failed {}: {}\n", id, error);
  }
  return 0;
};
}  // namespace nadajnik::app
);

// ---- orders ---------------------------------------------------------------------------------
auto* orders = cli.add_subcommand("orders", "List orders and change their status");
orders->require_subcommand(1);
static bool orders_json = false;
static std::string orders_account;
static std::string orders_text;
static int orders_limit = 50;
auto* orders_list = orders->add_subcommand("list", "List orders, newest first");
AddGlobalFlags(*orders_list, g);
orders_list->add_flag("--json", orders_json, "JSON, as GET /api/v1/orders");
orders_list->add_option("--account", orders_account, "Only this account (alias)");
orders_list->add_option("--text", orders_text, "Buyer, login, e-mail or checkout form id");
orders_list->add_option("--limit", orders_limit, "How many (default 50)")
    ->check(CLI::Range(1, 100000));
orders_list->callback([&] {
  action = [&]() -> Result<int> {
    NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
    store::OrderFilter filter;
    if (!orders_account.empty()) {
      NADAJNIK_ASSIGN_OR_RETURN(auto a, rt->marketplace->accounts->Find(orders_account));
      filter.account_id = a.id;
    }
    filter.text = orders_text;
    NADAJNIK_ASSIGN_OR_RETURN(auto accounts, rt->store->Read([](store::UnitOfWork& uow) {
      return uow.accounts().List();
    }));
    NADAJNIK_ASSIGN_OR_RETURN(auto statuses, rt->store->Read([](store::UnitOfWork& uow) {
      return uow.statuses().List();
    }));
    auto alias_of = [&](AccountId id) {
      for (const auto& a : accounts) {
        if (a.id == id) return a.alias;
      }
      return std::string();
    };
    auto status_of = [&](StatusId id) {
      for (const auto& s : statuses) {
        if (s.id == id) return s.name;
      }
      return std::string();
    };
    json::array out;
    int left = orders_limit;
    if (!orders_json) {
      std::cout << fmt::format("{:>8} {:<3} {:<36} {:<10} {:<18} {:<21} {:>12} {:<3} {}\n", "ID",
                               "AC", "CHECKOUT FORM", "MARKET", "STATUS", "ALLEGRO", "TOTAL", "CUR",
                               "BUYER");
    }
    while (left > 0) {
      filter.limit = std::min(left, 500);
      NADAJNIK_ASSIGN_OR_RETURN(auto page, rt->store->Read([&](store::UnitOfWork& uow) {
        return uow.orders().List(filter);
      }));
      for (const auto& o : page) {
        if (orders_json) {
          out.push_back(
              http::api::OrderJson(o, false, alias_of(o.account_id), status_of(o.local_status_id)));
          continue;
        }
        std::cout << fmt::format(
            "{:>8} {:<3} {:<36} {:<10} {:<18} {:<21} {:>12} {:<3} {}\n", o.id.value,
            alias_of(o.account_id), o.checkout_form_id.value, domain::MarketplaceId(o.marketplace),
            TruncateUtf8(status_of(o.local_status_id), 18),
            domain::CheckoutStatusName(o.checkout_status), o.total.AmountString(),
            o.total.currency.code(), TruncateUtf8(o.buyer.login, 40));
      }
      left -= static_cast<int>(page.size());
      if (static_cast<int>(page.size()) < filter.limit) break;
      filter.after = store::OrderCursor{store::OrderRepository::SortKey(page.back(), filter.sort),
                                        page.back().id};
    }
    if (orders_json) {
      std::cout << json::serialize(json::object{{"orders", std::move(out)}}) << "\n";
    }
    return 0;
  };
});

static std::string set_order;
static std::string set_status;
auto* orders_set = orders->add_subcommand(
    "set-status", "Change an order's local status; the mapped Allegro status follows in seconds");
AddGlobalFlags(*orders_set, g);
orders_set->add_option("order", set_order, "Order number or checkout form id")->required();
orders_set->add_option("status", set_status, "Local status name (e.g. \"W realizacji\") or id")
    ->required();
orders_set->callback([&] {
  action = [&]() -> Result<int> {
    NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
    NADAJNIK_ASSIGN_OR_RETURN(auto order, FindOrder(*rt, set_order));
    NADAJNIK_ASSIGN_OR_RETURN(auto change,
                              rt->marketplace->status_sync->Change(order.id, set_status, "cli"));
    std::cout << fmt::format("order {}: status {}", order.id.value, change.status_name);
    if (change.queued && change.pushes) {
      std::cout << fmt::format("; Allegro gets {} from the running Nadajnik",
                               domain::FulfillmentStatusName(*change.pushes));
    }
    std::cout << "\n";
    for (const auto& w : change.warnings) std::cout << "warning: " << w << "\n";
    return 0;
  };
});
}

}  // namespace nadajnik::app
