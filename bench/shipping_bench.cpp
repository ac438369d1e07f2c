// Shipping benchmark: bulk shipment creation against the carriers' simulators, through the real
// services, on SQLite.
//
//   shipping_bench [N]     N shipments per run (default 1000); e.g. `shipping_bench 200`
//
// The application is opened as `nadajnik serve` opens it (app::OpenRuntime: data folder, key
// file, SQLite store, migrations, the Allegro parts of wiring.cpp); the sandbox (Allegro, InPost,
// DPD, ...) runs in this process on its own loopback port. One account of the sandbox's seller is
// added, authorized and imported (paid allegro.pl orders until N InPost parcel-locker orders and
// N courier orders exist). Contracts for InPost (organization 9001) and DPD (login 149510101)
// point at the sandbox. The ShippingService is wiring.cpp's, except that its carrier connectors
// send through a counting decorator of the same curl client (requests per shipment).
// Per run:
//   (a) ShippingService::RequestBulk of the N orders (the ledger writes: shipment, event and
//       job, one transaction per order), timed alone, before any worker runs;
//   (b) a jobs::JobRunner with 4 workers (as serve's default) running shipment.create and the
//       Allegro tracking push, until every shipment is label_ready (or failed): the time until
//       all labels are stored, shipments/s, carrier requests per shipment;
//   (c) ShippingService::MergedLabels of all N as one A6 PDF: time and size.
// Runs: InPost with the simulator's confirmation delay set to 0 (what our side costs: create,
// status, label, Allegro re-read and tracking push), InPost with the simulator's default 1.5 s
// confirmation on 400 (the job asks once, frees its worker and asks again a second later), and
// DPD (synchronous: the waybill comes with the create answer). The exit status is 1 when a shipment
// failed or the runs did not finish within their limit.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "app/config.hpp"
#include "app/runtime.hpp"
#include "bench_support.hpp"
#include "carriers/carrier_factory.hpp"
#include "domain/carrier_settings.hpp"
#include "domain/shipment.hpp"
#include "jobs/job_runner.hpp"
#include "observability/log.hpp"
#include "sandbox/sandbox.hpp"
#include "services/account_service.hpp"
#include "services/order_import.hpp"
#include "services/shipping.hpp"
#include "services/tracking_push.hpp"

namespace nadajnik::bench {
namespace {

constexpr auto kRunLimit = std::chrono::seconds(150);
constexpr std::int64_t kSlowSample = 400;

// Counts the requests the carrier connectors send (the Allegro side has its own client).
class CountingHttp : public net::HttpClient {
 public:
  explicit CountingHttp(net::HttpClient& inner) : inner_(inner) {}
  Result<net::HttpResponse> Send(const net::HttpRequest& request) override {
    ++total_;
    return inner_.Send(request);
  }
  std::int64_t total() const { return total_.load(); }

 private:
  net::HttpClient& inner_;
  std::atomic<std::int64_t> total_{0};
};

domain::SenderAddress Sender() {
  domain::SenderAddress s;
  s.name = "Anna Nowak";
  s.company = "Sklep demo Sp. z o.o.";
  s.street = "Grunwaldzka 182";
  s.postal_code = "60-166";
  s.city = "Poznań";
  s.province = "wielkopolskie";
  s.phone = "500600700";
  s.email = "sklep-demo@example.pl";
  return s;
}

void AddContract(app::Runtime& rt, AccountId account, domain::Carrier carrier,
                 std::map<std::string, std::string> settings,
                 std::map<std::string, std::string> secrets) {
  domain::CarrierSettings c;
  c.account_id = account;
  c.carrier = carrier;
  c.settings = std::move(settings);
  c.settings["default_weight_grams"] = "1000";
  c.settings["comment_template"] = "Zamówienie {order.checkoutFormId}";
  for (const auto& [k, v] : secrets) c.secrets[k] = Secret<>(v);
  c.sender = Sender();
  if (auto problems = carriers::ValidateCarrierSettings(c); !problems.empty()) {
    Die(fmt::format("the {} contract does not validate: {}: {}", domain::CarrierCode(carrier),
                    problems[0].key, problems[0].message));
  }
  OrDie(rt.store->InTransaction(
            [&](store::UnitOfWork& uow) { return uow.carrier_settings().Put(c, rt.clock.Now()); }),
        "store the contract");
}

struct Pools {
  std::vector<OrderId> lockers;   // InPost parcel-locker deliveries
  std::vector<OrderId> couriers;  // courier to an address in Poland
};

// Paid orders in the sandbox, imported, until each pool has n orders.
Pools ImportOrders(app::Runtime& rt, sandbox::Sandbox& sb, AccountId account,
                   store::DbConnection& db, std::int64_t want_lockers, std::int64_t want_couriers) {
  Pools pools;
  std::int64_t created = 0;
  const auto t0 = Steady::now();
  std::set<std::int64_t> seen;
  for (int round = 0; round < 10; ++round) {
    const std::int64_t missing =
        std::max<std::int64_t>(want_lockers - static_cast<std::int64_t>(pools.lockers.size()),
                               want_couriers - static_cast<std::int64_t>(pools.couriers.size()));
    if (missing <= 0) break;
    const int batch = static_cast<int>(std::max<std::int64_t>(missing * 4, 50));
    {
      auto& world = sb.world();
      std::lock_guard lock(world.mu);
      world.CreatePaidOrders(0, sandbox::allegro::Marketplace::kPl, batch, std::chrono::hours(24));
    }
    created += batch;
    for (;;) {
      auto api = OrDie(rt.marketplace->connectors->ForAccount(account), "a connector");
      auto r = rt.marketplace->importer->Import(account, *api, services::ManualImport{30, false});
      if (r) break;
      if (r.error().code != ErrorCode::kRateLimited) Die("import the orders", r.error());
      std::this_thread::sleep_for(r.error().retry_after.value_or(std::chrono::seconds(1)));
    }
    auto rows =
        OrDie(db.Query("SELECT id FROM orders WHERE account_id = $1 ORDER BY id", {account.value}),
              "list the orders");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::int64_t id = rows.Int(i, 0);
      if (!seen.insert(id).second) continue;
      auto order = OrDie(
          rt.store->Read([&](store::UnitOfWork& uow) { return uow.orders().Get(OrderId(id)); }),
          "read an order");
      if (!order || order->cancelled() || order->read_only()) continue;
      const auto& d = order->delivery;
      if (d.pickup_point && d.method_name.find("Paczkomaty InPost") != std::string::npos) {
        pools.lockers.emplace_back(id);
      } else if (!d.pickup_point && d.address && d.address->country_code == "PL" &&
                 d.method_name.find("Kurier") != std::string::npos) {
        pools.couriers.emplace_back(id);
      }
    }
  }
  const double seconds = Seconds(Steady::now() - t0);
  if (static_cast<std::int64_t>(pools.lockers.size()) < want_lockers ||
      static_cast<std::int64_t>(pools.couriers.size()) < want_couriers) {
    Die(fmt::format("after {} orders only {} locker and {} courier orders", created,
                    pools.lockers.size(), pools.couriers.size()));
  }
  std::cout << fmt::format(
      "setup: {} paid orders created and imported in {:.1f} s: {} to InPost lockers, {} by "
      "courier\n",
      created, seconds, pools.lockers.size(), pools.couriers.size());
  return pools;
}

// (a) the bulk request, (b) the job runner until every label is stored, (c) the merged PDF.
bool Run(const std::string& name, app::Runtime& rt, services::ShippingService& shipping,
         CountingHttp& carrier_http, store::DbConnection& db, std::vector<OrderId> orders,
         const services::ShipmentDraft& draft) {
  const std::int64_t n = static_cast<std::int64_t>(orders.size());
  const std::string carrier(domain::CarrierCode(*draft.carrier));

  const auto a0 = Steady::now();
  auto results = shipping.RequestBulk(orders, draft, "bench-" + name, "bench");
  const double bulk_s = Seconds(Steady::now() - a0);
  std::vector<ShipmentId> ids;
  int refused = 0;
  std::string first_refusal;
  for (const auto& r : results) {
    if (r.outcome) {
      ids.push_back(r.outcome->shipment.id);
    } else if (refused++ == 0) {
      first_refusal = r.outcome.error().message;
    }
  }
  std::cout << fmt::format(
      "{:<22} (a) RequestBulk (ledger writes)      {:>6} shipments {:>8.2f} s "
      "{:>8.0f} /s   refused {}{}\n",
      name, ids.size(), bulk_s, ids.size() / std::max(bulk_s, 1e-9), refused,
      refused ? ": " + first_refusal : "");

  const std::int64_t requests0 = carrier_http.total();
  jobs::RunnerOptions options;
  options.workers = 4;
  options.poll_interval = std::chrono::milliseconds(rt.config.jobs.poll_interval_ms);
  options.lease = std::chrono::seconds(rt.config.jobs.lease_seconds);
  options.backoff = {std::chrono::milliseconds(rt.config.jobs.backoff_base_ms),
                     std::chrono::milliseconds(rt.config.jobs.backoff_max_ms)};
  jobs::JobRunner runner(*rt.store, rt.clock, options, &rt.metrics);
  runner.Register(std::string(services::kCreateShipmentJob),
                  [&shipping](jobs::JobContext& ctx) { return shipping.RunCreate(ctx); });
  runner.Register(
      std::string(services::kPushTrackingJob), [&rt](jobs::JobContext& ctx) -> Result<void> {
        const std::string& p = ctx.job().payload;
        const auto colon = p.find(':');
        const std::int64_t id =
            colon == std::string::npos ? 0 : std::strtoll(p.c_str() + colon + 1, nullptr, 10);
        NADAJNIK_ASSIGN_OR_RETURN(auto api, rt.marketplace->connectors->ForAccount(
                                                ctx.job().account_id.value_or(AccountId{})));
        return services::PushTracking(
            *rt.store, rt.clock, ShipmentId(id), *api,
            [&](const store::Store::Work& effects) { return ctx.Complete(effects); });
      });
  const auto b0 = Steady::now();
  OrDie(runner.Start(), "start the job runner");
  std::int64_t ready = 0, failed = 0, pushed = 0;
  const auto deadline = b0 + kRunLimit;
  double labels_s = 0;
  while (true) {
    auto rows = OrDie(db.Query("SELECT state, COUNT(*) FROM shipments WHERE carrier = $1 AND "
                               "idempotency_key LIKE $2 GROUP BY state",
                               {carrier, "bench-" + name + ":%"}),
                      "count shipments");
    ready = failed = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows.Text(i, 0) == "label_ready") ready = rows.Int(i, 1);
      if (rows.Text(i, 0) == "failed") failed = rows.Int(i, 1);
    }
    if (ready + failed >= static_cast<std::int64_t>(ids.size()) || Steady::now() > deadline) {
      labels_s = Seconds(Steady::now() - b0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::int64_t requests = carrier_http.total() - requests0;
  // The pushes queued by the last completions are left to finish (they are not timed).
  const auto p_deadline = Steady::now() + std::chrono::seconds(30);
  while (Steady::now() < p_deadline) {
    pushed = OrDie(db.Query("SELECT COUNT(*) FROM order_events e JOIN shipments s ON "
                            "s.order_id = e.order_id WHERE e.kind = 'tracking_pushed' AND "
                            "s.idempotency_key LIKE $1",
                            {"bench-" + name + ":%"}),
                   "count pushes")
                 .Int(0, 0);
    if (pushed >= ready) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  runner.Stop();
  std::cout << fmt::format(
      "{:<22} (b) 4 workers until labels stored    {:>6} labels    {:>8.2f} s {:>8.1f} /s   "
      "failed {}; {:.2f} carrier requests per shipment; tracking pushed to Allegro for {}\n",
      name, ready, labels_s, ready / std::max(labels_s, 1e-9), failed,
      ready > 0 ? static_cast<double>(requests) / static_cast<double>(ready) : 0.0, pushed);
  if (failed > 0) {
    auto why = OrDie(db.Query("SELECT last_error FROM shipments WHERE state = 'failed' AND "
                              "idempotency_key LIKE $1 LIMIT 1",
                              {"bench-" + name + ":%"}),
                     "read a failure");
    if (why.size() > 0) std::cout << "  first failure: " << why.Text(0, 0) << "\n";
  }

  std::vector<ShipmentId> ready_ids;
  for (const auto& id : ids) {
    auto s = shipping.Get(id);
    if (s && s->state == domain::ShipmentState::kLabelReady) ready_ids.push_back(id);
  }
  if (!ready_ids.empty()) {
    const auto c0 = Steady::now();
    auto merged = shipping.MergedLabels(ready_ids, domain::LabelFormat::kPdfA6);
    const double merge_s = Seconds(Steady::now() - c0);
    if (!merged) {
      std::cout << name << " (c) merge failed: " << merged.error().Describe() << "\n";
      return false;
    }
    std::cout << fmt::format(
        "{:<22} (c) merged A6 PDF of all labels      {:>6} pages     {:>8.2f} s  {:.1f} MB "
        "({:.1f} kB a label)\n",
        name, ready_ids.size(), merge_s, merged->bytes.size() / 1e6,
        merged->bytes.size() / 1e3 / static_cast<double>(ready_ids.size()));
  }
  std::cout.flush();
  return failed == 0 && ready == static_cast<std::int64_t>(ids.size()) &&
         static_cast<std::int64_t>(ids.size()) == n;
}

int Main(int argc, char** argv) {
  SetProgramName("shipping_bench");
  const std::optional<std::int64_t> count = CountArgument(argc, argv, 1000);
  if (!count || *count > 5000) {
    std::cerr << "usage: shipping_bench [N]   (N shipments per run, 1..5000, default 1000)\n";
    return 2;
  }
  const std::int64_t n = *count;
  log::Init(log::Format::kText, log::Level::kError);
  const std::filesystem::path dir = MakeScratchDir("nadajnik-shipping-bench");
  const auto started = Steady::now();

  sandbox::SandboxConfig sc;
  sc.allegro.requests_per_minute = 10'000'000;
  sc.inpost.confirm_delay = std::chrono::milliseconds(0);
  sandbox::Sandbox sb(sc);
  OrDie(sb.Start(), "start the sandbox");

  app::Config config;
  config.data.dir = dir / "data";
  config.log.level = "error";
  auto rt = OrDie(app::OpenRuntime(config), "open the runtime");
  auto db_options = store::DatabaseOptions{};
  db_options.sqlite_path = config.data.dir / "nadajnik.db";
  auto db = OrDie(store::OpenConnection(db_options), "connect (monitor)");
  std::cout << fmt::format(
      "{}: N = {} shipments per run; machine: {}; {}; in-process sandbox at {}; data in {}\n",
      ProgramName(), n, CoresAndCpu(), DescribeDatabase(*db), sb.base_url(), dir.string());

  const services::NewAccount a = SandboxAccount(sb.base_url());
  const AccountId account = OrDie(rt->marketplace->accounts->Add(a), "add the account");
  OrDie(rt->marketplace->authorizer->UseRefreshToken(
            account, Secret<>(SandboxRefreshToken(*rt->marketplace->http, sb.base_url()))),
        "authorize the account");
  const std::int64_t sample = std::min<std::int64_t>(kSlowSample, n);
  const Pools pools = ImportOrders(*rt, sb, account, *db, n + sample, n);

  const std::string base = sb.base_url();
  AddContract(*rt, account, domain::Carrier::kInPost,
              {{"base_url", base + "/inpost"},
               {"organization_id", "9001"},
               {"default_service", "inpost_locker_standard"},
               {"default_template", "small"}},
              {{"token", "inpost-sandbox-token"}});
  AddContract(*rt, account, domain::Carrier::kDpd,
              {{"package_base_url", base + "/dpd"},
               {"info_base_url", base + "/dpd"},
               {"login", "149510101"},
               {"master_fid", "1495101"},
               {"default_service", "dpd_classic"}},
              {{"password", "dpd-sandbox-haslo"}});

  // wiring.cpp's ShippingService, its carriers sending through the counting decorator.
  CountingHttp carrier_http(*rt->marketplace->http);
  services::ShippingOptions so;
  so.labels_dir = config.data.dir / "labels";
  so.tracking_interval = std::chrono::minutes(rt->config.shipping.tracking_interval_minutes);
  so.confirm_wait = std::chrono::seconds(rt->config.shipping.confirm_wait_seconds);
  services::ShippingService shipping(
      *rt->store, rt->clock,
      [&](const domain::CarrierSettings& settings) {
        carriers::CarrierEnv env{carrier_http, rt->marketplace->connectors.get()};
        return carriers::MakeCarrierConnector(settings, env);
      },
      *rt->marketplace->connectors, so, [] {});

  std::cout << fmt::format("{:-<130}\n", "");
  bool ok = true;
  services::ShipmentDraft inpost;
  inpost.carrier = domain::Carrier::kInPost;
  std::vector<OrderId> lockers(pools.lockers.begin(), pools.lockers.begin() + n);
  ok = Run("inpost (confirm 0 s)", *rt, shipping, carrier_http, *db, lockers, inpost) && ok;

  // The simulator's own confirmation delay: each create job polls on its worker meanwhile.
  {
    auto& w = sb.inpost_world();
    std::lock_guard lock(w.mu);
    w.options.confirm_delay = sandbox::inpost::InPostOptions{}.confirm_delay;
  }
  std::vector<OrderId> slow(pools.lockers.begin() + n, pools.lockers.begin() + n + sample);
  ok = Run(fmt::format("inpost (confirm {:.1f} s)",
                       std::chrono::duration<double>(sandbox::inpost::InPostOptions{}.confirm_delay)
                           .count()),
           *rt, shipping, carrier_http, *db, slow, inpost) &&
       ok;

  services::ShipmentDraft dpd;
  dpd.carrier = domain::Carrier::kDpd;
  std::vector<OrderId> couriers(pools.couriers.begin(), pools.couriers.begin() + n);
  ok = Run("dpd", *rt, shipping, carrier_http, *db, couriers, dpd) && ok;

  std::cout << fmt::format("{:-<130}\n", "");
  std::cout << fmt::format("{}: done in {:.1f} s (load average at the end: {})\n", ProgramName(),
                           Seconds(Steady::now() - started), LoadAverage());
  rt.reset();
  sb.Stop();
  RemoveScratchDir();
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace nadajnik::bench

int main(int argc, char** argv) { return nadajnik::bench::Main(argc, argv); }
