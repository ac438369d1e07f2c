// Panel benchmark: server time of the panel's pages (and one API list) at a million orders, against
// issue 6's bar of about 200 ms per page.
//
//   panel_bench [N] [--data DIR] [--postgres URL] [--runs R]
//     N          orders (default 1000000); e.g. `panel_bench 20000` for a quick run
//     --data     the data folder (default <temp>/nadajnik-panel-bench-<N>): kept between runs, so
//                the second run with the same N reuses the loaded database
//     --postgres a PostgreSQL database (postgresql://user@host:port/db) instead of SQLite: loaded
//                when empty, reused when it holds exactly N orders, refused otherwise
//     --runs     timed requests per page (default 20, after 2 warm-up requests)
//     --through-repositories  load through the repositories (slow) instead of plain INSERTs
//     --dump     a folder to write each page's last response to (NN.html, the URL first)
//
// Loading. The application is opened as `nadajnik serve` opens it (app::OpenRuntime: data folder,
// key file, store, the real migrations with their indexes and triggers). Three accounts (PL and
// OU on allegro.pl, CZ on allegro.cz) get N orders from order_generator.hpp spread over a year.
// On top of the generator: local statuses by age (most old orders "Wysłane", recent ones mostly
// "Nowe"), about 30% Smart, 5% cash on delivery, 0.1% needing attention, 1-3 line items, some
// logins and e-mails with Polish letters, and a shipment (inpost, dpd, poczta_polska,
// orlen_paczka, allegro_shipping, with a tracking number) for about 80% of the orders.
// Through the repositories (Upsert, SetAttention, InsertPending + Update) a million orders took
// over 10 minutes here, so by default they are written with plain INSERTs (the same columns,
// the real triggers) on one connection of their own with a large page cache, one transaction per
// 10,000 orders; before that, 500 orders are written both ways into two scratch databases and
// compared column by column (the bench dies on any difference). --through-repositories loads
// through the repositories instead.
// A folder is reused only if it holds this bench's marker file (panel_bench.done) for the same N;
// a folder with another N and the marker is emptied and loaded again; any other non-empty
// database is refused, so a real data folder is never touched.
//
// Measuring. The panel and API routes are registered on a Router as Serve() registers them
// (wiring.cpp), with no job runner (nothing calls Allegro), and the real HttpServer listens on a
// loopback port. An admin user logs in through POST /login (CSRF cookie and field) over HTTP; an
// API token is made with AuthService::CreateApiToken (as `nadajnik api-tokens create` does).
// Each page is requested 2 + R times in-process through Router::Dispatch ("server": from a
// parsed Request to the built Response, which includes the session check) and 2 + R times over
// loopback HTTP with curl and keep-alive ("http": wall time at the client). Printed per page:
// status, response size, p50 / p95 / max of both. A page answering 4xx/5xx (a filter not built
// yet) prints its status instead of failing. The last line names the slowest page by server p95.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "app/config.hpp"
#include "app/runtime.hpp"
#include "bench_support.hpp"
#include "core/clock.hpp"
#include "core/secret.hpp"
#include "core/text.hpp"
#include "domain/shipment.hpp"
#include "http/api/api.hpp"
#include "http/app_context.hpp"
#include "http/panel/panel.hpp"
#include "http/panel/views.hpp"
#include "http/request.hpp"
#include "http/router.hpp"
#include "http/server/server.hpp"
#include "net/http_client.hpp"
#include "order_generator.hpp"
#include "services/account_service.hpp"
#include "services/auth_service.hpp"
#include "services/order_import.hpp"
#include "store/connection_pool.hpp"
#include "store/db.hpp"
#include "store/sql/order_codec.hpp"
#include "store/store.hpp"

namespace nadajnik::bench {
namespace {

constexpr std::int64_t kDefaultOrders = 1'000'000;
constexpr std::int64_t kBatch = 10'000;
constexpr int kWarmup = 2;
constexpr int kDefaultRuns = 20;
constexpr std::uint64_t kSeed = 20250606;
constexpr std::string_view kMarker = "panel_bench.done";
constexpr std::string_view kAdmin = "bench-admin";
constexpr std::string_view kAdminPassword = "panel-bench-hasło-2025";
constexpr double kTargetMs = 200.0;

struct Options {
  std::int64_t orders = kDefaultOrders;
  std::filesystem::path data;
  std::string postgres;
  int runs = kDefaultRuns;
  std::filesystem::path dump;  // --dump DIR: each page's last body, for a look
  bool through_repositories = false;
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  bool have_n = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(fmt::format("{} needs a value", a));
      return argv[++i];
    };
    if (a == "--data") {
      o.data = value();
    } else if (a == "--postgres") {
      o.postgres = value();
    } else if (a == "--through-repositories") {
      o.through_repositories = true;
    } else if (a == "--dump") {
      o.dump = value();
    } else if (a == "--runs") {
      o.runs = std::max(1, std::atoi(value().c_str()));
    } else if (!have_n && !a.empty() && a[0] != '-') {
      char* end = nullptr;
      o.orders = std::strtoll(argv[i], &end, 10);
      if (*end != '\0' || o.orders < 1) Die(fmt::format("not a number of orders: {}", a));
      have_n = true;
    } else {
      Die(
          fmt::format("usage: {} [N] [--data DIR] [--postgres URL] [--runs R] [--dump DIR]\n  "
                      "[--through-repositories]",
                      ProgramName()));
    }
  }
  if (o.data.empty()) {
    o.data = std::filesystem::temp_directory_path() /
             fmt::format("nadajnik-panel-bench-{}{}", o.orders, o.postgres.empty() ? "" : "-pg");
  }
  return o;
}

// ---- The data ---------------------------------------------------------------------------------

struct Accounts {
  AccountId pl;  // the main allegro.pl shop
  AccountId ou;  // an outlet, also allegro.pl
  AccountId cz;  // allegro.cz
};

struct Statuses {
  StatusId nowe, w_realizacji, gotowe, wyslane, anulowane;
};

Statuses LoadStatuses(store::Store& store) {
  auto list = OrDie(store.Read([](store::UnitOfWork& uow) { return uow.statuses().List(); }),
                    "read the local statuses");
  std::map<std::string, StatusId> by_name;
  for (const auto& s : list) by_name[s.name] = s.id;
  auto get = [&](const std::string& name) {
    auto it = by_name.find(name);
    if (it == by_name.end()) Die("no local status named " + name);
    return it->second;
  };
  return {get("Nowe"), get("W realizacji"), get("Gotowe do wysyłki"), get("Wysłane"),
          get("Anulowane")};
}

// One order as the bench stores it: the order, whether it needs attention, and its shipment.
struct Planned {
  domain::Order order;
  bool attention = false;
  std::optional<domain::Shipment> shipment;
};

std::string TrackingNumber(Rng& rng, domain::Carrier c) {
  switch (c) {
    case domain::Carrier::kInPost:
      return "6" + rng.Digits(23);
    case domain::Carrier::kDpd:
      return "0000" + rng.Digits(10) + "U";
    case domain::Carrier::kPocztaPolska:
      return "00659007734" + rng.Digits(9);
    case domain::Carrier::kOrlenPaczka:
      return "OP" + rng.Digits(11);
    case domain::Carrier::kAllegroShipping:
      break;
  }
  return "A00" + rng.Digits(2) + "Z" + rng.Digits(6) + "H";
}

std::string ServiceOf(domain::Carrier c, bool point) {
  switch (c) {
    case domain::Carrier::kInPost:
      return point ? "inpost_locker_standard" : "inpost_courier_standard";
    case domain::Carrier::kDpd:
      return "dpd_classic";
    case domain::Carrier::kPocztaPolska:
      return point ? "pocztex_punkt" : "pocztex_kurier";
    case domain::Carrier::kOrlenPaczka:
      return "orlen_paczka";
    case domain::Carrier::kAllegroShipping:
      break;
  }
  return point ? "allegro_one_box" : "allegro_courier";
}

// Some buyers' logins and e-mails carry Polish letters (the generator folds logins to ASCII).
void PolishIdentity(Rng& rng, domain::Order& o) {
  const std::string first = FoldCase(o.buyer.first_name);
  std::string last = FoldCase(o.buyer.last_name);
  last = last.substr(0, last.find('-'));
  if (rng.Percent(15)) o.buyer.login = first + "_" + last + rng.Digits(2);
  if (rng.Percent(10)) {
    static constexpr std::array<std::string_view, 5> kDomains = {"wp.pl", "onet.pl", "o2.pl",
                                                                 "interia.pl", "gmail.com"};
    o.buyer.email = first + "." + last + "@" + std::string(rng.Pick(kDomains));
  }
}

class Planner {
 public:
  Planner(const Accounts& accounts, const Statuses& statuses, Timestamp now)
      : accounts_(accounts),
        statuses_(statuses),
        now_(now),
        generator_(kSeed, accounts.pl, now, std::chrono::hours(24 * 365)) {}

  // The i-th order; generator indexes are skipped until one is on allegro.pl or allegro.cz.
  Planned Make(std::int64_t i) {
    domain::Order o;
    for (;;) {
      o = generator_.Make(next_index_++);
      if (o.marketplace == domain::Marketplace::kAllegroPl ||
          o.marketplace == domain::Marketplace::kAllegroCz) {
        break;
      }
    }
    Rng rng(MixSeed(kSeed ^ 0x9A9E1ULL, static_cast<std::uint64_t>(i)));
    const bool cz = o.marketplace == domain::Marketplace::kAllegroCz;
    o.account_id = cz ? accounts_.cz : rng.Percent(75) ? accounts_.pl : accounts_.ou;
    if (!cz) PolishIdentity(rng, o);

    // 1-3 line items.
    const Currency currency = o.total.currency;
    if (o.items.size() > 3) o.items.resize(3);
    std::int64_t items_total = 0;
    for (const auto& item : o.items) items_total += item.unit_price.minor * item.quantity;

    // ~5% cash on delivery, ~30% Smart (never with cash on delivery).
    const bool cod = rng.Percent(5);
    if (cod) {
      domain::Payment p = o.payment.value_or(domain::Payment{});
      if (p.remote_id.empty()) p.remote_id = rng.Uuid();
      p.type = domain::PaymentType::kCashOnDelivery;
      p.provider.clear();
      p.paid.reset();
      p.finished_at.reset();
      o.payment = p;
      o.surcharges.clear();
      o.delivery.smart = false;
    } else {
      if (o.payment && o.payment->cash_on_delivery()) {
        o.payment->type = domain::PaymentType::kOnline;
        o.payment->provider = "P24";
      }
      o.delivery.smart = rng.Percent(30);
    }
    std::int64_t delivery = o.delivery.cost ? o.delivery.cost->minor : 0;
    if (o.delivery.smart) delivery = 0;
    if (!o.delivery.smart && delivery == 0) delivery = cz ? 8900 : 1299;
    o.delivery.cost = Money{delivery, currency};
    o.total = Money{items_total + delivery, currency};
    if (o.payment && o.payment->paid) o.payment->paid = o.total;

    // Local status by age: old orders are shipped, recent ones mostly new.
    const auto age = now_ - o.bought_at.value_or(o.remote_updated_at);
    const auto days = std::chrono::duration_cast<std::chrono::hours>(age).count() / 24;
    const std::uint64_t r = rng.Below(100);
    if (o.checkout_status == domain::CheckoutStatus::kCancelled) {
      o.local_status_id = statuses_.anulowane;
    } else if (days < 2) {
      o.local_status_id = r < 60   ? statuses_.nowe
                          : r < 85 ? statuses_.w_realizacji
                          : r < 95 ? statuses_.gotowe
                                   : statuses_.wyslane;
    } else if (days < 7) {
      o.local_status_id = r < 10   ? statuses_.nowe
                          : r < 20 ? statuses_.w_realizacji
                          : r < 35 ? statuses_.gotowe
                                   : statuses_.wyslane;
    } else {
      o.local_status_id = r < 2 ? statuses_.nowe : r < 4 ? statuses_.anulowane : statuses_.wyslane;
    }

    Planned p;
    p.attention = rng.Below(1000) == 0;
    if (p.attention) o.attention_reason = "Kupujący zmienił adres dostawy po wysłaniu paczki";
    const bool shipped = o.local_status_id == statuses_.wyslane;
    const bool ready = o.local_status_id == statuses_.gotowe;
    if ((shipped && rng.Percent(94)) || (ready && rng.Percent(60))) {
      const bool point = o.delivery.pickup_point.has_value();
      const std::uint64_t c = rng.Below(100);
      using domain::Carrier;
      const Carrier carrier = point ? (c < 65   ? Carrier::kInPost
                                       : c < 85 ? Carrier::kOrlenPaczka
                                                : Carrier::kAllegroShipping)
                                    : (c < 45   ? Carrier::kDpd
                                       : c < 75 ? Carrier::kPocztaPolska
                                       : c < 85 ? Carrier::kInPost
                                                : Carrier::kAllegroShipping);
      domain::Shipment s;
      s.account_id = o.account_id;
      s.carrier = carrier;
      s.service = ServiceOf(carrier, point);
      s.idempotency_key = fmt::format("panel-bench-{}-1", i);
      s.created_by = "bench";
      s.state = domain::ShipmentState::kLabelReady;
      s.tracking_number = TrackingNumber(rng, carrier);
      s.remote_id = rng.Digits(10);
      s.label_format = domain::LabelFormat::kPdfA6;
      if (cod) s.cash_on_delivery = o.total;
      const Timestamp created =
          o.bought_at.value_or(o.remote_updated_at) + std::chrono::hours(rng.Between(2, 30));
      s.created_at = created;
      s.updated_at = created;
      s.carrier_called_at = created;
      s.tracking_checked_at = std::min(now_, created + std::chrono::hours(48));
      s.tracking_state =
          days > 5 ? domain::TrackingState::kDelivered : domain::TrackingState::kInTransit;
      p.shipment = std::move(s);
    }
    p.order = std::move(o);
    return p;
  }

 private:
  Accounts accounts_;
  Statuses statuses_;
  Timestamp now_;
  OrderGenerator generator_;
  std::uint64_t next_index_ = 0;
};

// ---- Writing the orders ----------------------------------------------------------------------

// Through the repositories: what the importer (Upsert, SetAttention) and the shipping service
// (InsertPending, then Update once the label is there) do.
Result<void> WriteThroughRepositories(store::UnitOfWork& uow, std::vector<Planned>& batch) {
  for (auto& p : batch) {
    const Timestamp imported = p.order.remote_updated_at;
    NADAJNIK_ASSIGN_OR_RETURN(auto up, uow.orders().Upsert(p.order, imported));
    if (p.attention) {
      NADAJNIK_TRY(uow.orders().SetAttention(up.id, true, p.order.attention_reason, imported));
    }
    if (p.shipment) {
      p.shipment->order_id = up.id;
      NADAJNIK_ASSIGN_OR_RETURN(auto ins,
                                uow.shipments().InsertPending(*p.shipment, p.shipment->created_at));
      p.shipment->id = ins.id;
      NADAJNIK_TRY(uow.shipments().Update(*p.shipment, *p.shipment->tracking_checked_at));
    }
  }
  return Ok();
}

// The same rows with plain INSERTs (no lookups, no second write per shipment). Mirrors
// store/sql/order_repository_sql.cpp (RemoteParams, BuildInsertSql, InsertItems, SetAttention)
// and shipment_repository_sql.cpp (InsertPending + Update); CheckRawMatchesRepositories() proves
// it on every load, column by column, so a column added to the repositories can't be missed.
// account_id, checkout_form_id, the remote columns, then details_json, local_status_id,
// imported_at = updated_at, needs_attention, attention_reason.
const std::string& OrderInsertSql() {
  static const std::string sql = [] {
    std::string cols = "account_id, checkout_form_id";
    std::string vals = "$1, $2";
    int n = 2;
    for (auto c : store::sql::OrderRemoteColumns()) {
      cols += fmt::format(", {}", c);
      vals += fmt::format(", ${}", ++n);
    }
    return fmt::format(
        "INSERT INTO orders ({}, details_json, local_status_id, imported_at, updated_at, "
        "needs_attention, attention_reason) VALUES ({}, ${}, ${}, ${}, ${}, ${}, ${}) "
        "RETURNING id",
        cols, vals, n + 1, n + 2, n + 3, n + 3, n + 4, n + 5);
  }();
  return sql;
}
constexpr std::string_view kItemInsert =
    "INSERT INTO order_items (order_id, position, line_item_id, offer_id, offer_name, "
    "external_id, quantity, unit_price_minor, original_unit_price_minor, currency, bought_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
constexpr std::string_view kShipmentInsert =
    "INSERT INTO shipments (order_id, account_id, carrier, service, idempotency_key, state, "
    "tracking_state, remote_id, tracking_number, parcels_json, cod_minor, insurance_minor, "
    "currency, label_path, label_format, last_error, created_at, updated_at, request_json, "
    "carrier_called_at, tracking_checked_at, tracking_detail, created_by, shipment_no, "
    "handed_over_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '[]', $10, $11, $12, $13, $14, "
    "$15, $16, $17, $18, $19, $20, $21, $22, $23, $24)";

Result<void> WriteRaw(store::DbConnection& db, std::vector<Planned>& batch) {
  using store::DbValue;
  auto opt_ms = [](const std::optional<Timestamp>& t) {
    return t ? DbValue(ToUnixMillis(*t)) : DbValue();
  };
  for (auto& p : batch) {
    const domain::Order& o = p.order;
    // The repository's own column values (order_codec), then what this bench adds.
    store::DbParams order{o.account_id.value, o.checkout_form_id.value};
    {
      auto remote = store::sql::OrderRemoteParams(o);
      order.insert(order.end(), std::make_move_iterator(remote.begin()),
                   std::make_move_iterator(remote.end()));
    }
    order.emplace_back(store::sql::EncodeOrderDetails(o));
    order.emplace_back(o.local_status_id.value);
    order.emplace_back(ToUnixMillis(o.remote_updated_at));
    order.emplace_back(p.attention);
    order.emplace_back(p.attention ? o.attention_reason : std::string());
    NADAJNIK_ASSIGN_OR_RETURN(auto rows, db.Query(OrderInsertSql(), order));
    const std::int64_t id = rows.Int(0, 0);
    int position = 0;
    for (const auto& item : o.items) {
      NADAJNIK_TRY(db.Execute(
          kItemInsert,
          store::DbParams{
              id, position++, item.id.value, item.offer_id, item.offer_name, item.external_id,
              item.quantity, item.unit_price.minor,
              item.original_unit_price ? DbValue(item.original_unit_price->minor) : DbValue(),
              std::string(item.unit_price.currency.code()), opt_ms(item.bought_at)}));
    }
    if (!p.shipment) continue;
    domain::Shipment& s = *p.shipment;
    s.order_id = OrderId(id);
    const DbValue currency = s.cash_on_delivery
                                 ? DbValue(std::string(s.cash_on_delivery->currency.code()))
                             : s.insurance ? DbValue(std::string(s.insurance->currency.code()))
                                           : DbValue();
    NADAJNIK_TRY(db.Execute(
        kShipmentInsert,
        store::DbParams{id,
                        s.account_id.value,
                        std::string(domain::CarrierCode(s.carrier)),
                        s.service,
                        s.idempotency_key,
                        std::string(domain::ShipmentStateName(s.state)),
                        std::string(domain::TrackingStateName(s.tracking_state)),
                        s.remote_id,
                        s.tracking_number,
                        s.cash_on_delivery ? DbValue(s.cash_on_delivery->minor) : DbValue(),
                        s.insurance ? DbValue(s.insurance->minor) : DbValue(),
                        currency,
                        s.label_path,
                        s.label_format
                            ? DbValue(std::string(domain::LabelFormatName(*s.label_format)))
                            : DbValue(),
                        s.last_error,
                        ToUnixMillis(s.created_at),
                        opt_ms(s.tracking_checked_at),
                        s.request_json,
                        opt_ms(s.carrier_called_at),
                        opt_ms(s.tracking_checked_at),
                        s.tracking_detail,
                        s.created_by,
                        static_cast<std::int64_t>(s.shipment_no),
                        opt_ms(s.handed_over_at)}));
  }
  return Ok();
}

// Whole seconds, so bought_at values look like Allegro's.
Timestamp PlanNow(const Clock& clock) {
  return FromUnixMillis(ToUnixMillis(clock.Now()) / 1000 * 1000);
}

Accounts AddAccounts(services::AccountService& service) {
  auto ensure = [&](const std::string& alias, const std::string& name, const std::string& login) {
    if (auto found = service.Find(alias)) return found->id;
    services::NewAccount a;
    a.alias = alias;
    a.name = name;
    a.login = login;
    a.environment = "production";
    a.client_id = "panel-bench-client";
    a.client_secret = "panel-bench-secret";
    return OrDie(service.Add(a), "add account " + alias);
  };
  Accounts out;
  out.pl = ensure("PL", "Sklep Żółty Kotek (allegro.pl)", "zolty-kotek");
  out.ou = ensure("OU", "Outlet Żółty Kotek (allegro.pl)", "zolty-kotek-outlet");
  out.cz = ensure("CZ", "Žlutá Kočka (allegro.cz)", "zluta-kocka");
  return out;
}

// Writes the first `n` planned orders into two fresh SQLite stores, through the repositories and
// with WriteRaw(), and dies unless every row of orders, order_items, shipments and order_counts
// is the same in both.
void CheckRawMatchesRepositories(int n) {
  const auto dir = MakeScratchDir("panel-bench-parity");
  const security::SecretBox box = BenchSecretBox();
  SystemClock clock;
  const Timestamp now = PlanNow(clock);
  std::vector<std::unique_ptr<store::Store>> stores;
  std::vector<store::DatabaseOptions> options;
  for (const char* name : {"repositories", "raw"}) {
    store::DatabaseOptions o;
    o.sqlite_path = dir / (std::string(name) + ".db");
    stores.push_back(OrDie(store::OpenStore(o, box), "open the parity store"));
    options.push_back(o);
  }
  std::vector<Planned> planned[2];
  for (int k = 0; k < 2; ++k) {
    services::AccountService accounts(*stores[k], clock,
                                      {"https://a", "https://b", "https://c", "https://d"});
    Planner planner(AddAccounts(accounts), LoadStatuses(*stores[k]), now);
    for (int i = 0; i < n; ++i) planned[k].push_back(planner.Make(i));
  }
  OrDie(stores[0]->InTransaction(
            [&](store::UnitOfWork& uow) { return WriteThroughRepositories(uow, planned[0]); }),
        "parity: write through the repositories");
  {
    auto db = OrDie(store::OpenConnection(options[1]), "parity: connect");
    OrDie(db->Begin(true), "parity: begin");
    OrDie(WriteRaw(*db, planned[1]), "parity: write raw");
    OrDie(db->Commit(), "parity: commit");
  }
  auto a = OrDie(store::OpenConnection(options[0]), "parity: connect");
  auto b = OrDie(store::OpenConnection(options[1]), "parity: connect");
  for (const char* table : {"orders", "order_items", "shipments", "order_counts"}) {
    const std::string sql = fmt::format("SELECT * FROM {} ORDER BY id", table);
    auto ra = OrDie(a->Query(sql, {}), sql);
    auto rb = OrDie(b->Query(sql, {}), sql);
    if (ra.size() != rb.size() || ra.columns() != rb.columns()) {
      Die(fmt::format("parity: {} has {} rows through the repositories, {} raw", table, ra.size(),
                      rb.size()));
    }
    for (std::size_t r = 0; r < ra.size(); ++r) {
      for (std::size_t c = 0; c < ra.columns(); ++c) {
        const auto va = ra.IsNull(r, c) ? std::string("NULL") : ra.Text(r, c);
        const auto vb = rb.IsNull(r, c) ? std::string("NULL") : rb.Text(r, c);
        if (va != vb) {
          Die(fmt::format("parity: {} row {} column {} differs: repositories '{}', raw '{}'", table,
                          r + 1, c + 1, va.substr(0, 80), vb.substr(0, 80)));
        }
      }
    }
  }
  stores.clear();
  RemoveScratchDir();
  std::cout << fmt::format(
      "raw SQL writes the same rows as the repositories ({} orders compared column by column: "
      "orders, order_items, shipments, order_counts)\n",
      n);
}

struct LoadFigures {
  double seconds = 0;
  std::int64_t shipments = 0;
  std::int64_t attention = 0;
};

LoadFigures LoadOrders(app::Runtime& rt, const store::DatabaseOptions& db_options,
                       const Accounts& accounts, std::int64_t n, bool through_repositories) {
  Planner planner(accounts, LoadStatuses(*rt.store), PlanNow(rt.clock));
  std::unique_ptr<store::DbConnection> db;
  if (!through_repositories) {
    db = OrDie(store::OpenConnection(db_options), "connect for loading");
    // A 10,000-order transaction fits in a 1 GiB page cache instead of spilling pages into the
    // WAL again and again (the default cache is 2 MiB). This connection only loads.
    if (db->dialect() == store::Dialect::kSqlite) {
      OrDie(db->ExecScript("PRAGMA cache_size=-1048576"), "PRAGMA cache_size");
    }
  }
  LoadFigures f;
  const auto start = Steady::now();
  std::vector<Planned> batch;
  for (std::int64_t from = 0; from < n; from += kBatch) {
    const std::int64_t to = std::min(n, from + kBatch);
    batch.clear();
    for (std::int64_t i = from; i < to; ++i) batch.push_back(planner.Make(i));
    const std::string what = fmt::format("store orders {}..{}", from, to);
    if (through_repositories) {
      OrDie(rt.store->InTransaction(
                [&](store::UnitOfWork& uow) { return WriteThroughRepositories(uow, batch); }),
            what);
    } else {
      OrDie(db->Begin(true), what);
      OrDie(WriteRaw(*db, batch), what);
      OrDie(db->Commit(), what);
    }
    for (const auto& p : batch) {
      f.shipments += p.shipment ? 1 : 0;
      f.attention += p.attention ? 1 : 0;
    }
    if ((to / kBatch) % 10 == 0 || to == n) {
      const double s = Seconds(Steady::now() - start);
      std::cout << fmt::format("  loaded {:>9} orders in {:6.1f} s ({:.0f} orders/s)\n", to, s,
                               static_cast<double>(to) / s)
                << std::flush;
    }
  }
  if (db && db->dialect() == store::Dialect::kSqlite) {
    OrDie(db->ExecScript("PRAGMA wal_checkpoint(TRUNCATE)"), "checkpoint");
  }
  f.seconds = Seconds(Steady::now() - start);
  return f;
}

std::int64_t CountOrders(store::Store& store) {
  return OrDie(
      store.Read([](store::UnitOfWork& uow) { return uow.orders().Count(store::OrderFilter{}); }),
      "count the orders");
}

std::string DatabaseSize(const std::filesystem::path& dir, const store::DatabaseOptions& db) {
  if (db.url.empty()) {
    std::uintmax_t total = 0;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(dir / (std::string("nadajnik.db") + suffix), ec);
      if (!ec) total += size;
    }
    return fmt::format("{:.0f} MiB", static_cast<double>(total) / (1024.0 * 1024.0));
  }
  auto c = OrDie(store::OpenConnection(db), "connect for the database size");
  return OrDie(c->Query("SELECT pg_size_pretty(pg_database_size(current_database()))"),
               "database size")
      .Text(0, 0);
}

// ---- Requests -----------------------------------------------------------------------------

struct Fetched {
  int status = 0;
  std::string body;
  std::vector<std::string> set_cookies;
  std::optional<std::string> location;
  double ms = 0;
};

// In-process: a Request as the server would have parsed it, through Router::Dispatch.
class InProcess {
 public:
  explicit InProcess(const http::Router& router) : router_(router) {}

  Fetched Get(const std::string& target, const http::Headers& headers) const {
    http::Request req;
    req.method = "GET";
    req.target = target;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      for (auto& [k, v] : http::ParseUrlEncoded(std::string_view(target).substr(q + 1))) {
        req.query.emplace(k, v);
      }
    }
    req.headers = headers;
    req.remote_address = "127.0.0.1";
    req.request_id = fmt::format("panel-bench-{}", ++counter_);
    const auto start = Steady::now();
    http::Response r = router_.Dispatch(req);
    Fetched f;
    f.ms = Millis(Steady::now() - start);
    f.status = r.status;
    f.body = std::move(r.body);
    if (auto loc = r.Header("Location")) f.location = std::string(*loc);
    return f;
  }

 private:
  const http::Router& router_;
  mutable std::int64_t counter_ = 0;
};

class Loopback {
 public:
  explicit Loopback(std::string base) : base_(std::move(base)), http_(net::MakeCurlHttpClient()) {}

  Fetched Send(const std::string& method, const std::string& target, net::Headers headers,
               std::string body = {}) const {
    net::HttpRequest req;
    req.method = method;
    req.url = base_ + target;
    req.headers = std::move(headers);
    req.body = std::move(body);
    req.timeout = std::chrono::seconds(120);
    const auto start = Steady::now();
    auto r = OrDie(http_->Send(req), method + " " + target);
    Fetched f;
    f.ms = Millis(Steady::now() - start);
    f.status = r.status;
    f.body = std::move(r.body);
    for (const auto& [k, v] : r.headers) {
      if (k == "set-cookie") f.set_cookies.push_back(v);
      if (k == "location") f.location = v;
    }
    return f;
  }

 private:
  std::string base_;
  std::unique_ptr<net::HttpClient> http_;
};

// "name=value" of the cookie `name` among Set-Cookie headers.
std::optional<std::string> CookieValue(const std::vector<std::string>& set_cookies,
                                       std::string_view name) {
  for (const auto& c : set_cookies) {
    if (c.starts_with(std::string(name) + "=")) {
      const auto end = c.find(';');
      return c.substr(name.size() + 1, end == std::string::npos ? end : end - name.size() - 1);
    }
  }
  return std::nullopt;
}

// The value of the first `name="..."` attribute after `after` in the HTML.
std::optional<std::string> HtmlAttribute(const std::string& html, std::string_view after,
                                         std::string_view name) {
  const auto at = html.find(after);
  if (at == std::string::npos) return std::nullopt;
  const std::string key = std::string(name) + "=\"";
  const auto start = html.find(key, at);
  if (start == std::string::npos) return std::nullopt;
  const auto end = html.find('"', start + key.size());
  if (end == std::string::npos) return std::nullopt;
  return html.substr(start + key.size(), end - start - key.size());
}

// &amp; &lt; &gt; &quot; and numeric references, as mustache escapes an href.
std::string HtmlUnescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out += s[i];
      continue;
    }
    const std::string_view entity = s.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out += '&';
    } else if (entity == "lt") {
      out += '<';
    } else if (entity == "gt") {
      out += '>';
    } else if (entity == "quot") {
      out += '"';
    } else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      out += static_cast<char>(
          std::strtol(std::string(entity.substr(hex ? 2 : 1)).c_str(), nullptr, hex ? 16 : 10));
    } else {
      out += s.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

std::string Session(const Loopback& loopback) {
  auto form = loopback.Send("GET", "/login", {});
  const auto csrf_cookie = CookieValue(form.set_cookies, "nadajnik_login_csrf");
  const auto csrf_field = HtmlAttribute(form.body, "name=\"csrf_token\"", "value");
  if (form.status != 200 || !csrf_cookie || !csrf_field) {
    Die(fmt::format("GET /login gave no CSRF token (HTTP {})", form.status));
  }
  auto login = loopback.Send("POST", "/login",
                             {{"Cookie", "nadajnik_login_csrf=" + *csrf_cookie},
                              {"Content-Type", "application/x-www-form-urlencoded"}},
                             net::FormEncode({{"username", std::string(kAdmin)},
                                              {"password", std::string(kAdminPassword)},
                                              {"csrf_token", HtmlUnescape(*csrf_field)}}));
  auto session = CookieValue(login.set_cookies, "nadajnik_session");
  if (login.status != 303 || !session || session->empty()) {
    Die(fmt::format("POST /login did not log in (HTTP {}): {}", login.status,
                    login.body.substr(0, 300)));
  }
  return *session;
}

// ---- The pages ----------------------------------------------------------------------------

struct Page {
  std::string label;
  std::string target;
  bool api = false;
};

struct Figures {
  double p50 = 0, p95 = 0, max = 0;
};

Figures Percentiles(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto rank = [&](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size())));
    return ms[std::min(ms.size() - 1, i == 0 ? 0 : i - 1)];
  };
  return {rank(0.50), rank(0.95), ms.back()};
}

std::string Date(Timestamp t) {
  const std::time_t s = static_cast<std::time_t>(ToUnixMillis(t) / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

struct Samples {
  domain::Order newest;
  domain::Order oldest;
  std::string login;     // a stored buyer login, case-folded
  std::string tracking;  // a stored tracking number
};

Samples FindSamples(store::Store& store) {
  return OrDie(store.Read([](store::UnitOfWork& uow) -> Result<Samples> {
    Samples s;
    store::OrderFilter f;
    f.limit = 1;
    NADAJNIK_ASSIGN_OR_RETURN(auto newest, uow.orders().List(f));
    if (newest.empty()) return Fail(ErrorCode::kNotFound, "no orders");
    s.newest = newest[0];
    const Timestamp top = s.newest.bought_at.value_or(s.newest.remote_updated_at);
    f.bought_to = top - std::chrono::hours(24 * 355);
    NADAJNIK_ASSIGN_OR_RETURN(auto old, uow.orders().List(f));
    if (old.empty()) return Fail(ErrorCode::kNotFound, "no order older than 355 days");
    s.oldest = old[0];
    // A buyer from a few months back: a login with capitals or Polish letters if one is there.
    f.bought_to = top - std::chrono::hours(24 * 120);
    f.limit = 200;
    NADAJNIK_ASSIGN_OR_RETURN(auto some, uow.orders().List(f));
    for (const auto& o : some) {
      if (s.login.empty() || FoldCase(o.buyer.login) != o.buyer.login) {
        s.login = FoldCase(o.buyer.login);
        if (o.buyer.login != s.login) break;
      }
    }
    for (const auto& o : some) {
      NADAJNIK_ASSIGN_OR_RETURN(auto shipments, uow.shipments().ListForOrder(o.id));
      for (const auto& sh : shipments) {
        if (!sh.tracking_number.empty()) s.tracking = sh.tracking_number;
      }
      if (!s.tracking.empty()) break;
    }
    if (s.login.empty() || s.tracking.empty()) {
      return Fail(ErrorCode::kNotFound, "no buyer login or tracking number to search for");
    }
    return s;
  }),
               "find sample orders");
}

void PrintHeader(int runs) {
  std::cout << fmt::format(
      "{:<38} {:>6} {:>9}  {:>24}  {:>24}\n{:<38} {:>6} {:>9}  {:>24}  {:>24}\n",
      "page (server: Router::Dispatch;", "status", "bytes",
      fmt::format("server ms ({} runs)", runs), fmt::format("http ms ({} runs)", runs),
      " http: curl over loopback)", "", "", "p50     p95     max", "p50     p95     max");
  std::cout << std::string(107, '-') << "\n";
}

struct Row {
  std::string label;
  int status = 0;
  Figures server, http;
};

Row Measure(const Page& page, const InProcess& router, const Loopback& loopback,
            const http::Headers& auth, int runs, const std::filesystem::path& dump) {
  Row row;
  row.label = page.label;
  std::vector<double> server, wall;
  std::size_t bytes = 0;
  for (int i = 0; i < kWarmup + runs; ++i) {
    auto f = router.Get(page.target, auth);
    row.status = f.status;
    bytes = f.body.size();
    if (i >= kWarmup) server.push_back(f.ms);
    if (i == kWarmup + runs - 1 && !dump.empty()) {
      static int n = 0;
      std::filesystem::create_directories(dump);
      std::ofstream(dump / fmt::format("{:02}.html", ++n)) << page.target << "\n" << f.body;
    }
  }
  net::Headers net_auth(auth.begin(), auth.end());
  for (int i = 0; i < kWarmup + runs; ++i) {
    auto f = loopback.Send("GET", page.target, net_auth);
    if (i >= kWarmup) wall.push_back(f.ms);
  }
  row.server = Percentiles(server);
  row.http = Percentiles(wall);
  if (row.status >= 400) {
    std::cout << fmt::format("{:<38} {:>6} {:>9}  {:>24}  {:>24}\n", page.label, row.status, bytes,
                             fmt::format("HTTP {} (max {:.1f})", row.status, row.server.max),
                             fmt::format("(max {:.1f})", row.http.max));
  } else {
    std::cout << fmt::format(
        "{:<38} {:>6} {:>9}  {:>7.1f} {:>7.1f} {:>8.1f}  {:>7.1f} {:>7.1f} {:>8.1f}{}\n",
        page.label, row.status, bytes, row.server.p50, row.server.p95, row.server.max, row.http.p50,
        row.http.p95, row.http.max, row.server.p95 > kTargetMs ? "  > 200 ms" : "");
  }
  std::cout << std::flush;
  return row;
}

// The href of the pager's "Następna strona" link, unescaped; nullopt when the page has none.
std::optional<std::string> NextPageHref(const std::string& html) {
  const auto pager = html.find("<p class=\"pager\">");
  if (pager == std::string::npos) return std::nullopt;
  const auto pager_end = html.find("</p>", pager);
  for (auto a = html.find("<a ", pager); a != std::string::npos && a < pager_end;
       a = html.find("<a ", a + 1)) {
    const auto text_end = html.find("</a>", a);
    if (text_end == std::string::npos) return std::nullopt;
    const std::string tag = html.substr(a, text_end - a);
    if (tag.find("Następna strona") == std::string::npos) continue;
    if (auto href = HtmlAttribute(tag, "<a ", "href")) return HtmlUnescape(*href);
  }
  return std::nullopt;
}

// Follows "Następna strona" `hops` times from `start`; empty when a page has no next link.
std::string FollowNext(const InProcess& router, const http::Headers& auth, std::string start,
                       int hops) {
  std::string target = std::move(start);
  for (int i = 0; i < hops; ++i) {
    auto f = router.Get(target, auth);
    auto href = f.status == 200 ? NextPageHref(f.body) : std::nullopt;
    if (!href) return {};
    target = *href;
  }
  return target;
}

int Main(int argc, char** argv) {
  SetProgramName("panel_bench");
  const Options opt = ParseOptions(argc, argv);
  const bool sqlite = opt.postgres.empty();

  // The marker says "this folder is panel_bench's, loaded with N orders".
  const auto marker = opt.data / kMarker;
  const auto db_file = opt.data / "nadajnik.db";
  std::int64_t marked = -1;
  if (std::ifstream in(marker); in) in >> marked;
  if (sqlite && std::filesystem::exists(db_file) && marked != opt.orders) {
    if (!std::filesystem::exists(marker)) {
      Die(fmt::format("{} holds a database that is not panel_bench's: choose another --data",
                      opt.data.string()));
    }
    std::cout << fmt::format("{} was loaded with {} orders: loading it again\n", opt.data.string(),
                             marked);
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(opt.data / (std::string("nadajnik.db") + suffix));
    }
  }

  app::Config config;
  config.data.dir = opt.data;
  config.database.url = opt.postgres;
  config.log.level = "warn";
  auto rt = OrDie(app::OpenRuntime(config), "open the runtime");
  store::DatabaseOptions db_options;
  db_options.url = opt.postgres;
  db_options.sqlite_path = db_file;
  {
    auto db = OrDie(store::OpenConnection(db_options), "connect");
    std::cout << fmt::format("{}: {} orders, {}\n{}; {}\ndata: {}\n", ProgramName(), opt.orders,
                             DescribeDatabase(*db), CoresAndCpu(),
                             fmt::format("load average {}", LoadAverage()), opt.data.string());
  }

  const Accounts accounts = AddAccounts(*rt->marketplace->accounts);
  const std::int64_t stored = CountOrders(*rt->store);
  if (stored == opt.orders && (!sqlite || marked == opt.orders)) {
    std::cout << fmt::format("reusing the {} stored orders (database {})\n", stored,
                             DatabaseSize(opt.data, db_options));
  } else if (stored != 0) {
    Die(fmt::format("the database holds {} orders, not 0 or {}: give an empty database", stored,
                    opt.orders));
  } else {
    std::filesystem::remove(marker);
    if (!opt.through_repositories) CheckRawMatchesRepositories(500);
    std::cout << fmt::format("loading {} orders ({} per transaction, {})\n", opt.orders, kBatch,
                             opt.through_repositories ? "through the repositories"
                                                      : "plain INSERTs on one connection")
              << std::flush;
    const LoadFigures f =
        LoadOrders(*rt, db_options, accounts, opt.orders, opt.through_repositories);
    std::ofstream(marker) << opt.orders << "\n";
    std::cout << fmt::format(
        "load: {} orders, {} shipments, {} needing attention in {:.1f} s ({:.0f} orders/s); "
        "database {}\n",
        opt.orders, f.shipments, f.attention, f.seconds,
        static_cast<double>(opt.orders) / f.seconds, DatabaseSize(opt.data, db_options));
  }

  // serve's periodic job orders.compact_counts folds the +1 rows the insert trigger left in
  // order_counts within a minute; without the job runner the bench does it once, the same way.
  {
    const auto start = Steady::now();
    const auto folded = OrDie(rt->store->InTransaction([](store::UnitOfWork& uow) {
      return uow.orders().CompactCounts();
    }),
                              "compact order_counts");
    std::cout << fmt::format("order_counts: {} rows folded in {:.0f} ms (orders.compact_counts)\n",
                             folded, Millis(Steady::now() - start));
  }
  // PostgreSQL plans by statistics and reads past dead row versions until they are vacuumed;
  // in a running server autovacuum does both shortly after a bulk load. The bench does it once.
  if (!sqlite) {
    const auto start = Steady::now();
    auto db = OrDie(store::OpenConnection(db_options), "connect for VACUUM ANALYZE");
    OrDie(db->ExecScript("VACUUM ANALYZE"), "VACUUM ANALYZE");
    std::cout << fmt::format("VACUUM ANALYZE in {:.1f} s (autovacuum's work after a bulk load)\n",
                             Millis(Steady::now() - start) / 1000.0);
  }

  // The app as Serve() wires it, minus the job runner.
  OrDie(http::panel::ValidateTemplates(), "the panel's templates");
  services::AuthService auth(*rt->store, rt->clock, services::AuthOptions{});
  if (auto created = auth.CreateUser(std::string(kAdmin), Secret<>(std::string(kAdminPassword)),
                                     domain::Role::kAdmin, false);
      !created && created.error().code != ErrorCode::kAlreadyExists) {
    Die("create the admin user", created.error());
  }
  const auto token =
      OrDie(auth.CreateApiToken(fmt::format("panel-bench-{}", ToUnixMillis(rt->clock.Now())),
                                domain::Role::kAdmin),
            "create an API token");
  http::AppContext app{*rt->store, rt->clock, auth, rt->metrics, false, 12 * 3600, "bench"};
  app::MarketplaceParts& mp = *rt->marketplace;
  app.accounts = mp.accounts.get();
  app.status_sync = mp.status_sync.get();
  app.shipping = mp.shipping.get();
  app.authorizer = mp.authorizer.get();
  app.import = [](AccountId, const services::ManualImport&) -> Result<services::ImportReport> {
    return Fail(ErrorCode::kFailedPrecondition, "no imports in panel_bench");
  };
  app.account_authorized = [](AccountId) {};
  http::Router router(&rt->metrics);
  http::panel::RegisterPanelRoutes(router, app);
  http::api::RegisterApiRoutes(router, app);
  http::api::RegisterOperationsRoutes(router, app);
  http::ServerOptions server_options;
  server_options.address = "127.0.0.1";
  server_options.port = 0;
  server_options.threads = 2;
  http::HttpServer server(server_options,
                          [&router](http::Request& req) { return router.Dispatch(req); });
  OrDie(server.Start(), "start the HTTP server");
  const Loopback loopback(fmt::format("http://127.0.0.1:{}", server.port()));
  const InProcess in_process(router);

  const std::string session = Session(loopback);
  const http::Headers panel_auth = {{"Cookie", "nadajnik_session=" + session}};
  const http::Headers api_auth = {{"Authorization", "Bearer " + token.token.Reveal()}};

  const Statuses statuses = LoadStatuses(*rt->store);
  const Samples samples = FindSamples(*rt->store);
  const Timestamp top = samples.newest.bought_at.value_or(samples.newest.remote_updated_at);
  const std::string page5 = FollowNext(in_process, panel_auth, "/orders", 4);

  std::vector<Page> pages = {
      {"/orders", "/orders"},
      {"/orders?per_page=200", "/orders?per_page=200"},
      {"/orders?status=<Nowe>", fmt::format("/orders?status={}", statuses.nowe.value)},
      {"/orders?account=<PL>", fmt::format("/orders?account={}", accounts.pl.value)},
      {"/orders?attention=1", "/orders?attention=1"},
      {"/orders?smart=1", "/orders?smart=1"},
      {"/orders?cod=1", "/orders?cod=1"},
      {"/orders?carrier=inpost", "/orders?carrier=inpost"},
      {"/orders?carrier=none", "/orders?carrier=none"},
      {"/orders?from=-30d&to=-20d",
       fmt::format("/orders?from={}&to={}", Date(top - std::chrono::hours(24 * 30)),
                   Date(top - std::chrono::hours(24 * 20)))},
      {"/orders?q=<login>", "/orders?q=" + http::UrlEncode(samples.login)},
      {"/orders?q=<tracking number>", "/orders?q=" + http::UrlEncode(samples.tracking)},
      {"/orders?q=nieistniejacy-kupujacy", "/orders?q=nieistniejacy-kupujacy"},
      {"/orders?sort=oldest", "/orders?sort=oldest"},
      {"/orders?sort=total_desc", "/orders?sort=total_desc"},
      {"/orders page 5 (pager link)", page5},
      {"/orders/<recent>", fmt::format("/orders/{}", samples.newest.id.value)},
      {"/orders/<old>", fmt::format("/orders/{}", samples.oldest.id.value)},
      {"/sources", "/sources"},
      {"/jobs", "/jobs"},
      {"GET /api/v1/orders?limit=100", "/api/v1/orders?limit=100", true},
  };
  std::cout << fmt::format(
      "samples: login \"{}\", tracking {}, recent order {} ({}), old order {} ({}), page 5 = {}\n",
      samples.login, samples.tracking, samples.newest.id.value, Date(top), samples.oldest.id.value,
      Date(samples.oldest.bought_at.value_or(samples.oldest.remote_updated_at)),
      page5.empty() ? std::string("(no pager link)") : page5);
  PrintHeader(opt.runs);
  std::vector<Row> rows;
  for (const auto& page : pages) {
    if (page.target.empty()) {
      std::cout << fmt::format("{:<38} no \"Następna strona\" link to follow\n", page.label);
      continue;
    }
    rows.push_back(
        Measure(page, in_process, loopback, page.api ? api_auth : panel_auth, opt.runs, opt.dump));
  }
  std::cout << std::string(107, '-') << "\n";
  const Row* slowest = nullptr;
  for (const auto& r : rows) {
    if (r.status < 400 && (slowest == nullptr || r.server.p95 > slowest->server.p95)) slowest = &r;
  }
  int failed = 0;
  for (const auto& r : rows) failed += r.status >= 400 ? 1 : 0;
  if (slowest != nullptr) {
    std::cout << fmt::format(
        "slowest page: {} (server p95 {:.1f} ms, max {:.1f} ms; target ~{:.0f} ms: {}); {} "
        "page(s) answered 4xx/5xx\n",
        slowest->label, slowest->server.p95, slowest->server.max, kTargetMs,
        slowest->server.p95 <= kTargetMs ? "met" : "MISSED", failed);
  }
  PrintLoadAverageAtEnd(sqlite ? "sqlite" : "postgres");
  server.Stop();
  return 0;
}

}  // namespace
}  // namespace nadajnik::bench

int main(int argc, char** argv) { return nadajnik::bench::Main(argc, argv); }
