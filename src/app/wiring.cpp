// The only place that builds implementations and connects them.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include <boost/json.hpp>
#include <tuple>

#include "app/cli.hpp"
#include "app/runtime.hpp"
#include "carriers/carrier_factory.hpp"
#include "http/api/api.hpp"
#include "http/app_context.hpp"
#include "http/panel/panel.hpp"
#include "http/panel/views.hpp"
#include "http/server/server.hpp"
#include "jobs/job_runner.hpp"
#include "observability/log.hpp"
#include "sandbox/sandbox.hpp"
#include "security/tokens.hpp"
#include "services/auth_service.hpp"
#include "services/marketplace_jobs.hpp"
#include "store/connection_pool.hpp"

namespace nadajnik::app {

namespace {

constexpr std::string_view kVersion = "0.1.0";

Result<std::pair<std::string, std::uint16_t>> SplitListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "server.listen must be host:port");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const int port = std::stoi(listen.substr(colon + 1));
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

store::DatabaseOptions DatabaseOptionsFor(const Config& config) {
  store::DatabaseOptions db;
  db.url = config.database.url;
  db.sqlite_path = config.data.dir / "nadajnik.db";
  db.pool_size = config.database.pool_size;
  db.busy_timeout = std::chrono::milliseconds(config.database.busy_timeout_ms);
  return db;
}

void RegisterMetrics(Runtime& rt) {
  rt.metrics.AddCollector(
      "nadajnik_jobs", "Jobs in the store by kind and state (all instances).",
      [&rt]() -> std::vector<observability::Sample> {
        std::vector<observability::Sample> out;
        auto counts =
            rt.store->Read([](store::UnitOfWork& uow) { return uow.jobs().CountByKindAndState(); });
        if (!counts) throw std::runtime_error(counts.error().Describe());
        for (const auto& c : *counts) {
          out.push_back({{{"kind", c.kind}, {"state", std::string(store::JobStateName(c.state))}},
                         static_cast<double>(c.count)});
        }
        return out;
      });
}

std::string ProcessOwner() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "unknown");
  return fmt::format("{}:{}:{}", host, getpid(), security::RandomToken(6));
}

std::unique_ptr<MarketplaceParts> MakeMarketplace(Runtime& rt) {
  const Config::Allegro& c = rt.config.allegro;
  auto parts = std::make_unique<MarketplaceParts>();
  net::HttpClientOptions http_options;
  http_options.user_agent =
      fmt::format("Nadajnik/{} (+https://github.com/nadajnik/nadajnik)", kVersion);
  parts->http = net::MakeCurlHttpClient(http_options);
  marketplace::allegro::BudgetOptions budget;
  budget.requests_per_minute = c.requests_per_minute;
  budget.default_block = std::chrono::seconds(c.rate_limit_pause_seconds);
  parts->budgets = std::make_unique<marketplace::allegro::BudgetRegistry>(rt.clock, budget);
  marketplace::allegro::ConnectorOptions options;
  options.lease_owner = ProcessOwner();
  options.timeout = std::chrono::seconds(c.timeout_seconds);
  marketplace::allegro::ConnectorEnv env{*parts->http,    *rt.store, rt.clock,
                                         *parts->budgets, options,   &rt.metrics};
  parts->connectors = std::make_unique<marketplace::allegro::AllegroConnectorFactory>(env);
  parts->authorizer = std::make_unique<marketplace::allegro::AllegroAuthorizer>(env);
  parts->accounts = std::make_unique<services::AccountService>(
      *rt.store, rt.clock,
      services::EnvironmentUrls{c.production_auth_url, c.production_api_url, c.sandbox_auth_url,
                                c.sandbox_api_url});
  parts->accounts->SetBudgets(parts->budgets.get());
  services::ImportOptions import_options;
  import_options.backfill_days = c.backfill_days;
  import_options.sweep_grace = std::chrono::seconds(c.sweep_grace_seconds);
  parts->importer = std::make_unique<services::OrderImporter>(*rt.store, rt.clock, import_options);
  MarketplaceParts* raw = parts.get();
  parts->status_sync = std::make_unique<services::StatusSync>(*rt.store, rt.clock, [raw] {
    if (raw->wake) raw->wake();
  });
  services::ShippingOptions shipping;
  shipping.labels_dir = rt.config.data.dir / "labels";
  shipping.tracking_interval = std::chrono::minutes(rt.config.shipping.tracking_interval_minutes);
  shipping.confirm_wait = std::chrono::seconds(rt.config.shipping.confirm_wait_seconds);
  parts->shipping = std::make_unique<services::ShippingService>(
      *rt.store, rt.clock,
      [raw](const domain::CarrierSettings& settings) {
        carriers::CarrierEnv env{*raw->http, raw->connectors.get()};
        return carriers::MakeCarrierConnector(settings, env);
      },
      *parts->connectors, shipping,
      [raw] {
        if (raw->wake) raw->wake();
      });
  return parts;
}

// The demo's two sandbox sellers as accounts PL and CZ, authorized afresh on every start (the
// in-process sandbox forgets its tokens when it stops).
Result<void> ConnectDemoAccounts(Runtime& rt, sandbox::Sandbox& sandbox) {
  MarketplaceParts& mp = *rt.marketplace;
  const std::string base = sandbox.base_url();
  for (const auto& [alias, login, name] :
       {std::tuple{"PL", "sprzedawca-pl", "Sklep demo (allegro.pl)"},
        std::tuple{"CZ", "prodejce-cz", "Obchod demo (allegro.cz)"}}) {
    AccountId id;
    auto existing = mp.accounts->Find(alias);
    if (existing) {
      id = existing->id;
    } else {
      services::NewAccount account;
      account.alias = alias;
      account.name = name;
      account.login = login;
      account.environment = "custom";
      account.auth_url = base;
      account.api_url = base;
      account.client_id = sandbox.world().options.client_id;
      account.client_secret = sandbox.world().options.client_secret;
      NADAJNIK_ASSIGN_OR_RETURN(id, mp.accounts->Add(account));
    }
    net::HttpRequest req;
    req.method = "POST";
    req.url = base + "/__sandbox/tokens";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = fmt::format(R"({{"login":"{}"}})", login);
    NADAJNIK_ASSIGN_OR_RETURN(auto answer, mp.http->Send(req));
    boost::system::error_code ec;
    auto tokens = boost::json::parse(answer.body, ec);
    const auto* refresh =
        !ec && tokens.is_object() ? tokens.get_object().if_contains("refresh_token") : nullptr;
    if (!refresh || !refresh->is_string()) {
      return Fail(ErrorCode::kInternal, "the demo sandbox gave no refresh token");
    }
    NADAJNIK_TRY(mp.authorizer->UseRefreshToken(id, Secret<>(std::string(refresh->get_string()))));
    const Timestamp now = rt.clock.Now();
    NADAJNIK_TRY(rt.store->InTransaction(
        [&](store::UnitOfWork& uow) { return services::ScheduleAccountJobs(uow, id, now); }));
  }
  return Ok();
}

}  // namespace

Result<std::unique_ptr<Runtime>> OpenRuntime(const Config& config) {
  log::Init(config.log.format == "json" ? log::Format::kJson : log::Format::kText,
            log::ParseLevelOr(config.log.level, log::Level::kInfo), config.log.file);
  auto rt = std::make_unique<Runtime>();
  rt->config = config;
  std::error_code ec;
  // The folder holds buyer data and the key file: private to the service user when we create it.
  if (std::filesystem::create_directories(config.data.dir, ec) && !ec) {
    std::filesystem::permissions(config.data.dir, std::filesystem::perms::owner_all, ec);
  }
  if (ec) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("cannot create the data folder {}: {} (set data.dir or --data-dir)",
                            config.data.dir.string(), ec.message()));
  }
  NADAJNIK_ASSIGN_OR_RETURN(security::SecretBox box,
                            security::SecretBox::LoadOrCreate(config.data.dir / "secret.key"));
  rt->secrets = std::make_unique<security::SecretBox>(box);
  NADAJNIK_ASSIGN_OR_RETURN(rt->store, store::OpenStore(DatabaseOptionsFor(config), *rt->secrets));
  rt->marketplace = MakeMarketplace(*rt);
  return rt;
}

Result<int> Serve(Runtime& rt, const ServeOptions& options) {
  NADAJNIK_TRY(http::panel::ValidateTemplates());
  const Config& config = rt.config;
  NADAJNIK_ASSIGN_OR_RETURN(auto listen, SplitListen(config.server.listen));

  // Signals go to the main thread only (sigwait below); block them before threads start.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  services::AuthService auth(
      *rt.store, rt.clock,
      {std::chrono::minutes(config.auth.session_ttl_minutes), config.auth.login_max_failures,
       std::chrono::seconds(config.auth.login_window_seconds)});

  Secret<> demo_password;
  std::unique_ptr<sandbox::Sandbox> demo_sandbox;
  if (options.demo) {
    NADAJNIK_ASSIGN_OR_RETURN(demo_password,
                              auth.IssueOneTimePassword("admin", domain::Role::kAdmin));
    // The built-in Allegro sandbox with a few hundred orders for its two sellers (PL and CZ).
    sandbox::SandboxConfig sandbox_config;
    sandbox_config.initial_orders = 300;
    // Next to the panel's port, so the demo accounts' URLs stay valid from one run to the next.
    sandbox_config.port = listen.second == 0 ? 0 : static_cast<std::uint16_t>(listen.second + 1);
    demo_sandbox = std::make_unique<sandbox::Sandbox>(sandbox_config);
    NADAJNIK_TRY(demo_sandbox->Start());
  }

  http::AppContext app{*rt.store,
                       rt.clock,
                       auth,
                       rt.metrics,
                       config.server.public_url.starts_with("https://"),
                       config.auth.session_ttl_minutes * 60,
                       std::string(kVersion)};
  MarketplaceParts& mp = *rt.marketplace;
  app.accounts = mp.accounts.get();
  app.status_sync = mp.status_sync.get();
  app.shipping = mp.shipping.get();
  app.authorizer = mp.authorizer.get();
  app.public_url = config.server.public_url;
  app.import = [&mp](AccountId id,
                     const services::ManualImport& what) -> Result<services::ImportReport> {
    NADAJNIK_ASSIGN_OR_RETURN(auto api, mp.connectors->ForAccount(id));
    return mp.importer->Import(id, *api, what);
  };
  app.account_authorized = [&rt, &mp](AccountId id) {
    const Timestamp now = rt.clock.Now();
    auto r = rt.store->InTransaction(
        [&](store::UnitOfWork& uow) { return services::ScheduleAccountJobs(uow, id, now); });
    if (!r) log::Error("accounts.schedule_failed", {{"error", r.error().Describe()}});
    if (mp.wake) mp.wake();
  };
  http::Router router(&rt.metrics);
  http::panel::RegisterPanelRoutes(router, app);
  http::api::RegisterApiRoutes(router, app);
  http::api::RegisterOperationsRoutes(router, app);
  RegisterMetrics(rt);

  jobs::RunnerOptions runner_options;
  runner_options.workers = config.jobs.workers;
  runner_options.poll_interval = std::chrono::milliseconds(config.jobs.poll_interval_ms);
  runner_options.lease = std::chrono::seconds(config.jobs.lease_seconds);
  runner_options.backoff = {std::chrono::milliseconds(config.jobs.backoff_base_ms),
                            std::chrono::milliseconds(config.jobs.backoff_max_ms)};
  jobs::JobRunner runner(*rt.store, rt.clock, runner_options, &rt.metrics);
  jobs::RegisterBuiltinJobs(runner);
  services::RegisterMarketplaceJobs(
      runner,
      {*rt.store,
       rt.clock,
       *mp.connectors,
       *mp.importer,
       *mp.status_sync,
       {std::chrono::milliseconds(config.allegro.journal_interval_ms),
        std::chrono::seconds(config.allegro.sweep_interval_seconds), std::chrono::seconds(30)}});
  services::RegisterShippingJobs(runner, *mp.shipping,
                                 std::chrono::seconds(config.shipping.tracking_run_seconds));
  mp.wake = [&runner] { runner.Wake(); };

  if (demo_sandbox) {
    NADAJNIK_TRY(ConnectDemoAccounts(rt, *demo_sandbox));
    NADAJNIK_TRY(ConnectDemoCarriers(rt, demo_sandbox->base_url()));
  }

  http::ServerOptions server_options;
  server_options.address = listen.first;
  server_options.port = listen.second;
  server_options.threads = config.server.threads;
  server_options.trust_proxy_headers = config.server.trust_proxy_headers;
  http::HttpServer server(server_options,
                          [&router](http::Request& req) { return router.Dispatch(req); });
  NADAJNIK_TRY(server.Start());
  NADAJNIK_TRY(runner.Start());

  const std::string url = fmt::format("http://{}:{}", listen.first, server.port());
  log::Info("nadajnik.started",
            {{"url", url},
             {"version", std::string(kVersion)},
             {"database", config.database.url.empty() ? "sqlite" : "postgresql"}});
  if (options.demo) {
    std::cout
        << "\n"
        << "  Nadajnik (demo) is running.\n"
        << "  Panel:     " << url << "/login\n"
        << "  User:      admin\n"
        << "  Password:  " << demo_password.Reveal()
        << "   (one-time: you set your own at the first login)\n"
        << "  Data:      " << config.data.dir.string() << " (SQLite)\n"
        << "  Allegro:   " << demo_sandbox->base_url()
        << " (built-in sandbox; sellers sprzedawca-pl and prodejce-cz, password "
        << sandbox::kDefaultSellerPassword << ")\n"
        << "  Accounts:  PL and CZ are connected to it; their orders import by themselves\n"
        << "  Carriers:  PL ships with the built-in InPost, DPD, Poczta Polska, ORLEN Paczka\n"
        << "             and Wysyłam z Allegro simulators (nadajnik carriers list)\n"
        << "  Stop with Ctrl+C.\n\n"
        << std::flush;
  }

  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("nadajnik.stopping", {{"signal", sig}});
  server.Stop();
  runner.Stop();
  mp.wake = nullptr;
  if (demo_sandbox) demo_sandbox->Stop();
  log::Info("nadajnik.stopped");
  return 0;
}

}  // namespace nadajnik::app
