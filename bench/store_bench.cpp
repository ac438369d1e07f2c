// Store benchmark: what the repositories cost over the bare database, on SQLite and PostgreSQL.
//
//   store_bench [N]     N orders (default 100000); e.g. `store_bench 5000` for a quick run
//
// Per backend, on fresh databases with the production schema (the built-in migrations):
//   (a) insert N generated orders through OrderRepository::Upsert, 500 per transaction;
//   (b) insert the same rows (identical column values, checked afterwards by checksum) with plain
//       prepared INSERTs through DbConnection::Execute into a second fresh database, 500 orders
//       per transaction, with explicit ids (the 1..N the repository arm got back, so no
//       RETURNING). Batches of (a) and (b) alternate so both arms see the same background
//       (checkpoints, autovacuum, page cache). (b) gets its rows pre-encoded outside the clock:
//       turning an Order into column values is part of what the repository costs, and is
//       printed on its own line. The headline is (a)'s time over (b)'s;
//   (c) upsert the N orders again with a newer revision (updates), then once more (no-ops);
//   (d) read latency at N orders: the newest 50 with a text filter (a surname: many matches; a
//       buyer login: a few, so the whole table is searched), and one order by id with its items.
// PostgreSQL runs only if NADAJNIK_BENCH_POSTGRES_URL names a server (a maintenance database
// such as postgresql://postgres@127.0.0.1:5432/postgres); the bench creates and drops its own
// databases there. scripts/run-bench.sh starts a throwaway server and sets it.
#include <sys/statfs.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "observability/log.hpp"
#include "order_generator.hpp"
#include "security/secret_box.hpp"
#include "store/connection_pool.hpp"
#include "store/db.hpp"
#include "store/sql/order_codec.hpp"
#include "store/store.hpp"

namespace nadajnik::bench {
namespace {

constexpr int kBatch = 500;
constexpr int kReadQueries = 1000;
constexpr std::uint64_t kSeed = 20250602;
constexpr TableLayout kTable{.operation = 46, .count = 16, .rate = 22, .rule = 106};
// A fixed "now" so two runs write identical rows (imported_at, updated_at come from it).
const Timestamp kNow = FromUnixMillis(1'748'858'400'000);  // 2025-06-02T10:00:00Z

std::string FilesystemOf(const std::filesystem::path& p) {
  struct statfs s {};
  if (statfs(p.c_str(), &s) != 0) return "unknown filesystem";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0x01021994UL:
      return "tmpfs (RAM)";
    case 0xEF53UL:
      return "ext4";
    case 0x9123683EUL:
      return "btrfs";
    case 0x58465342UL:
      return "xfs";
    case 0x794C7630UL:
      return "overlayfs";
    default:
      return fmt::format("filesystem 0x{:x}", static_cast<unsigned long>(s.f_type));
  }
}

// ---- Rows as the repository writes them -----------------------------------------------------

// Mirrors store/sql/order_repository_sql.cpp (RemoteParams, BuildInsertSql, InsertItems); the
// checksum comparison after the insert proves both arms stored the same values.
// id, account_id, checkout_form_id, the repository's remote columns (order_codec), then
// details_json, local_status_id, imported_at, updated_at.
const std::string& RawOrderInsertSql() {
  static const std::string sql = [] {
    std::string cols = "id, account_id, checkout_form_id";
    std::string vals = "$1, $2, $3";
    int n = 3;
    for (auto c : store::sql::OrderRemoteColumns()) {
      cols += fmt::format(", {}", c);
      vals += fmt::format(", ${}", ++n);
    }
    return fmt::format(
        "INSERT INTO orders ({}, details_json, local_status_id, imported_at, updated_at) "
        "VALUES ({}, ${}, ${}, ${}, ${})",
        cols, vals, n + 1, n + 2, n + 3, n + 4);
  }();
  return sql;
}
constexpr std::string_view kRawItemInsert =
    "INSERT INTO order_items (order_id, position, line_item_id, offer_id, offer_name, "
    "external_id, quantity, unit_price_minor, original_unit_price_minor, currency, bought_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

struct RawOrder {
  store::DbParams order;
  std::vector<store::DbParams> items;
};

RawOrder EncodeRow(const domain::Order& o, std::int64_t id, std::int64_t status, Timestamp now) {
  using store::DbValue;
  RawOrder r;
  r.order = store::DbParams{id, o.account_id.value, o.checkout_form_id.value};
  {
    auto remote = store::sql::OrderRemoteParams(o);
    r.order.insert(r.order.end(), std::make_move_iterator(remote.begin()),
                   std::make_move_iterator(remote.end()));
  }
  r.order.emplace_back(store::sql::EncodeOrderDetails(o));
  r.order.emplace_back(status);
  r.order.emplace_back(ToUnixMillis(now));
  r.order.emplace_back(ToUnixMillis(now));
  int position = 0;
  for (const auto& item : o.items) {
    r.items.push_back(store::DbParams{
        id, position++, item.id.value, item.offer_id, item.offer_name, item.external_id,
        item.quantity, item.unit_price.minor,
        item.original_unit_price ? DbValue(item.original_unit_price->minor) : DbValue(),
        std::string(item.unit_price.currency.code()),
        item.bought_at ? DbValue(ToUnixMillis(*item.bought_at)) : DbValue()});
  }
  return r;
}

// FNV-1a over every stored value of orders and order_items (all columns but order_items.id),
// in id order; two databases with the same checksum hold the same rows.
struct Checksum {
  std::uint64_t orders = 0xCBF29CE484222325ULL;
  std::uint64_t items = 0xCBF29CE484222325ULL;
  std::int64_t order_rows = 0;
  std::int64_t item_rows = 0;
  bool operator==(const Checksum&) const = default;
};

void Mix(std::uint64_t& h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ULL;
  h = (h ^ 0xFF) * 0x100000001B3ULL;
}

void MixRows(std::uint64_t& h, const store::DbRows& rows) {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows.columns(); ++c) {
      Mix(h, rows.IsNull(r, c) ? std::string_view("\x01NULL") : std::string_view(rows.Text(r, c)));
    }
  }
}

Checksum ChecksumOf(store::DbConnection& db) {
  constexpr std::int64_t kChunk = 5000;
  Checksum sum;
  auto max_id = OrDie(db.Query("SELECT COALESCE(MAX(id), 0) FROM orders"), "max id").Int(0, 0);
  for (std::int64_t from = 0; from < max_id; from += kChunk) {
    auto orders = OrDie(
        db.Query("SELECT id, account_id, checkout_form_id, revision, marketplace, currency, "
                 "checkout_status, fulfillment_status, fulfillment_provider, local_status_id, "
                 "buyer_login, buyer_email, buyer_name, buyer_company, buyer_phone, buyer_guest, "
                 "delivery_method_id, delivery_method_name, smart, pickup_point_id, "
                 "delivery_cost_minor, payment_type, cash_on_delivery, paid_minor, total_minor, "
                 "invoice_required, buyer_note, seller_note, bought_at, remote_updated_at, "
                 "imported_at, updated_at, needs_attention, attention_reason, details_json "
                 "FROM orders WHERE id > $1 AND id <= $2 ORDER BY id",
                 {from, from + kChunk}),
        "read orders");
    MixRows(sum.orders, orders);
    sum.order_rows += static_cast<std::int64_t>(orders.size());
    auto items = OrDie(
        db.Query("SELECT order_id, position, line_item_id, offer_id, offer_name, external_id, "
                 "quantity, unit_price_minor, original_unit_price_minor, currency, bought_at "
                 "FROM order_items WHERE order_id > $1 AND order_id <= $2 "
                 "ORDER BY order_id, position",
                 {from, from + kChunk}),
        "read order items");
    MixRows(sum.items, items);
    sum.item_rows += static_cast<std::int64_t>(items.size());
  }
  return sum;
}

// ---- Output -------------------------------------------------------------------------------

void PrintRow(std::string_view backend, std::string_view op, std::int64_t count,
              std::string_view unit, double seconds, std::string_view extra = {}) {
  std::cout << fmt::format("{:<9} {:<46} {:>9} {:<6} {:>9.2f} {:>11.0f} {:<10}{}\n", backend, op,
                           count, unit, seconds, seconds > 0 ? count / seconds : 0.0,
                           std::string(unit) + "/s", extra);
  std::cout.flush();
}

void PrintLatency(std::string_view backend, std::string_view op, const Latency& l,
                  std::string_view note) {
  std::cout << fmt::format(
      "{:<9} {:<46} {:>9} {:<6} {:>9.2f}   p50 {:>7.3f} ms  p99 {:>7.3f} ms"
      "  max {:>7.3f} ms  {}\n",
      backend, op, l.count, "reads", l.total_s, l.p50_ms, l.p99_ms, l.max_ms, note);
  std::cout.flush();
}

// ---- The benchmark ------------------------------------------------------------------------

struct Summary {
  std::string backend;
  double repo_insert_s = 0;
  double raw_insert_s = 0;
  std::int64_t orders = 0;
  std::int64_t items = 0;
  bool same_rows = false;
};

AccountId CreateAccount(store::Store& s) {
  domain::MarketplaceAccount a;
  a.name = "Sklep Ławeczka";
  a.alias = "LA";
  a.login = "sklep_laweczka";
  a.environment = domain::AccountEnvironment::kSandbox;
  a.client_id = "bench-client";
  a.client_secret = Secret<>("bench-client-secret");
  return OrDie(
      s.InTransaction([&](store::UnitOfWork& uow) { return uow.accounts().Create(a, kNow); }),
      "create the account");
}

// Orders/s in each tenth of a run (batches of kBatch orders): a rate that falls as the table
// grows points at a per-row cost that grows with it (a scan where an index lookup was meant).
std::string RatesByTenth(const std::vector<double>& batch_seconds) {
  std::string out;
  const std::size_t n = batch_seconds.size();
  const std::size_t parts = std::min<std::size_t>(10, n);
  for (std::size_t p = 0; p < parts; ++p) {
    const std::size_t from = p * n / parts, to = (p + 1) * n / parts;
    double s = 0;
    for (std::size_t i = from; i < to; ++i) s += batch_seconds[i];
    out += fmt::format("{}{:.0f}", out.empty() ? "" : " ", s > 0 ? (to - from) * kBatch / s : 0.0);
  }
  return out;
}

struct UpsertCounts {
  std::int64_t inserted = 0, updated = 0, unchanged = 0, stale = 0;
};

// Upserts `batch` in one transaction, its outcomes into `results`; returns the transaction's
// seconds.
double UpsertBatch(store::Store& s, const std::vector<domain::Order>& batch,
                   std::vector<store::UpsertResult>& results, const std::string& what) {
  const auto t0 = Steady::now();
  OrDie(s.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    results.clear();
    for (const auto& o : batch) {
      NADAJNIK_ASSIGN_OR_RETURN(auto r, uow.orders().Upsert(o, kNow));
      results.push_back(r);
    }
    return Ok();
  }),
        what);
  return Seconds(Steady::now() - t0);
}

// Upserts orders [0, n) of `version`, kBatch per transaction; returns seconds inside
// transactions (generation happens outside the clock). Collects the ids when `ids` is given.
double UpsertAll(store::Store& s, const OrderGenerator& gen, std::int64_t n, int version,
                 UpsertCounts& counts, std::vector<std::int64_t>* ids) {
  double seconds = 0;
  std::vector<domain::Order> batch;
  for (std::int64_t start = 0; start < n; start += kBatch) {
    const std::int64_t end = std::min<std::int64_t>(n, start + kBatch);
    batch.clear();
    for (std::int64_t i = start; i < end; ++i) batch.push_back(gen.Make(i, version));
    std::vector<store::UpsertResult> results;
    seconds += UpsertBatch(s, batch, results, "upsert a batch");
    for (const auto& r : results) {
      switch (r.outcome) {
        case store::UpsertOutcome::kInserted:
          ++counts.inserted;
          break;
        case store::UpsertOutcome::kUpdated:
          ++counts.updated;
          break;
        case store::UpsertOutcome::kUnchanged:
          ++counts.unchanged;
          break;
        case store::UpsertOutcome::kStale:
          ++counts.stale;
          break;
      }
      if (ids) ids->push_back(r.id.value);
    }
  }
  return seconds;
}

std::string Outcomes(const UpsertCounts& c) {
  return fmt::format("[inserted {}, updated {}, unchanged {}, stale {}]", c.inserted, c.updated,
                     c.unchanged, c.stale);
}

Summary RunBackend(const std::string& backend, ScratchDatabase repo_db, ScratchDatabase raw_db,
                   std::int64_t n, const security::SecretBox& secrets) {
  Summary summary;
  summary.backend = backend;
  auto repo_store = OrDie(store::OpenStore(repo_db.options(), secrets), "open the store");
  const AccountId account = CreateAccount(*repo_store);
  const auto statuses = OrDie(
      repo_store->Read([](store::UnitOfWork& uow) { return uow.statuses().List(); }), "statuses");
  if (statuses.empty()) Die("the schema holds no order statuses");
  const std::int64_t default_status = statuses.front().id.value;
  {
    // Same migrations and the same account row in the raw arm's database.
    auto raw_store = OrDie(store::OpenStore(raw_db.options(), secrets), "open the raw store");
    if (CreateAccount(*raw_store) != account) {
      Die("the two databases gave the account different ids");
    }
  }
  auto raw = OrDie(store::OpenConnection(raw_db.options()), "connect (raw arm)");
  std::cout << backend << ": " << DescribeDatabase(*raw, {"full_page_writes", "shared_buffers"})
            << "\n";

  const OrderGenerator gen(kSeed, account, kNow);

  // (a) and (b), batch by batch in turn.
  UpsertCounts inserted;
  std::vector<std::int64_t> ids;
  ids.reserve(static_cast<std::size_t>(n));
  double repo_s = 0, raw_s = 0, encode_s = 0;
  std::vector<double> repo_batches, raw_batches;
  std::int64_t item_rows = 0;
  std::vector<domain::Order> batch;
  std::vector<RawOrder> rows;
  for (std::int64_t start = 0; start < n; start += kBatch) {
    const std::int64_t end = std::min<std::int64_t>(n, start + kBatch);
    batch.clear();
    for (std::int64_t i = start; i < end; ++i) batch.push_back(gen.Make(i));

    std::vector<store::UpsertResult> results;
    repo_batches.push_back(
        UpsertBatch(*repo_store, batch, results, "insert a batch through the repository"));
    repo_s += repo_batches.back();
    for (const auto& r : results) {
      if (r.outcome == store::UpsertOutcome::kInserted) ++inserted.inserted;
      ids.push_back(r.id.value);
    }

    auto t0 = Steady::now();
    rows.clear();
    for (std::size_t k = 0; k < batch.size(); ++k) {
      rows.push_back(
          EncodeRow(batch[k], start + static_cast<std::int64_t>(k) + 1, default_status, kNow));
    }
    encode_s += Seconds(Steady::now() - t0);

    t0 = Steady::now();
    OrDie(raw->Begin(true), "begin (raw arm)");
    for (const auto& r : rows) {
      OrDie(raw->Execute(RawOrderInsertSql(), r.order), "insert an order (raw arm)");
      for (const auto& item : r.items) {
        OrDie(raw->Execute(kRawItemInsert, item), "insert an item (raw arm)");
        ++item_rows;
      }
    }
    OrDie(raw->Commit(), "commit (raw arm)");
    raw_batches.push_back(Seconds(Steady::now() - t0));
    raw_s += raw_batches.back();
  }
  summary.repo_insert_s = repo_s;
  summary.raw_insert_s = raw_s;
  summary.orders = n;
  summary.items = item_rows;

  PrintRow(backend, "(a) insert via OrderRepository::Upsert", n, "orders", repo_s,
           "  " + Outcomes(inserted));
  PrintRow(backend, "(b) insert raw: prepared INSERTs, orders+items", n + item_rows, "rows", raw_s,
           fmt::format("  = {:.0f} orders/s", n / raw_s));
  PrintRow(backend, "    (encoding those rows: CPU only, not in (b))", n, "orders", encode_s);
  std::cout << fmt::format("{:<9}     orders/s by tenth of the run, (a): {}\n", backend,
                           RatesByTenth(repo_batches));
  std::cout << fmt::format("{:<9}     orders/s by tenth of the run, (b): {}\n", backend,
                           RatesByTenth(raw_batches));

  // Same rows in both databases? (ids 1..N in the repository arm too.)
  {
    auto repo_conn = OrDie(store::OpenConnection(repo_db.options()), "connect (checksum)");
    const Checksum a = ChecksumOf(*repo_conn);
    const Checksum b = ChecksumOf(*raw);
    summary.same_rows = a == b && a.order_rows == n;
    std::cout << fmt::format(
        "{:<9} check: repository and raw databases hold {} rows: {} orders, {} items "
        "(checksums {:016x}/{:016x} vs {:016x}/{:016x})\n",
        backend, summary.same_rows ? "the same" : "DIFFERENT", a.order_rows, a.item_rows, a.orders,
        a.items, b.orders, b.items);
  }
  raw.reset();

  // (c) updates, then no-ops.
  UpsertCounts updated;
  const double update_s = UpsertAll(*repo_store, gen, n, 1, updated, nullptr);
  PrintRow(backend, "(c) upsert, newer revision (update)", n, "orders", update_s,
           "  " + Outcomes(updated));
  UpsertCounts unchanged;
  const double noop_s = UpsertAll(*repo_store, gen, n, 1, unchanged, nullptr);
  PrintRow(backend, "(c) upsert, same revision (no-op)", n, "orders", noop_s,
           "  " + Outcomes(unchanged));

  // (d) reads at N orders. Terms and ids are chosen before the clock starts.
  Rng pick(kSeed ^ 0x5EA7C4ULL);
  std::vector<std::string> surnames, logins;
  std::vector<std::int64_t> get_ids;
  for (int q = 0; q < kReadQueries; ++q) {
    const auto o = gen.Make(pick.Below(static_cast<std::uint64_t>(n)), 1);
    surnames.push_back(o.buyer.last_name);
    logins.push_back(o.buyer.login);
    get_ids.push_back(ids[pick.Below(ids.size())]);
  }
  auto list_latency = [&](const std::vector<std::string>& terms, std::int64_t& found) {
    std::vector<double> ms;
    for (const auto& term : terms) {
      store::OrderFilter f;
      f.text = term;
      f.limit = 50;
      const auto t0 = Steady::now();
      auto r = repo_store->Read([&](store::UnitOfWork& uow) { return uow.orders().List(f); });
      ms.push_back(Seconds(Steady::now() - t0) * 1000.0);
      found += static_cast<std::int64_t>(OrDie(std::move(r), "list orders").size());
    }
    return Summarize(std::move(ms));
  };
  std::int64_t found_surname = 0, found_login = 0;
  const Latency surname_l = list_latency(surnames, found_surname);
  PrintLatency(
      backend, "(d) list newest 50, text = a surname", surname_l,
      fmt::format("(avg {:.1f} rows returned)", static_cast<double>(found_surname) / kReadQueries));
  const Latency login_l = list_latency(logins, found_login);
  PrintLatency(
      backend, "(d) list newest 50, text = a buyer login", login_l,
      fmt::format("(avg {:.1f} rows returned)", static_cast<double>(found_login) / kReadQueries));
  {
    std::vector<double> ms;
    std::int64_t items = 0;
    for (std::int64_t id : get_ids) {
      const auto t0 = Steady::now();
      auto r =
          repo_store->Read([&](store::UnitOfWork& uow) { return uow.orders().Get(OrderId(id)); });
      ms.push_back(Seconds(Steady::now() - t0) * 1000.0);
      auto o = OrDie(std::move(r), "get an order");
      if (!o) Die(fmt::format("order {} is missing", id));
      items += static_cast<std::int64_t>(o->items.size());
    }
    PrintLatency(backend, "(d) get one order by id (with its items)", Summarize(std::move(ms)),
                 fmt::format("(avg {:.2f} items)", static_cast<double>(items) / kReadQueries));
  }
  PrintLoadAverageAtEnd(backend);
  return summary;
}

void PrintRatio(const Summary& s) {
  std::cout << fmt::format(
      "{:<9} RATIO repository / raw insert time = {:.2f}x  ({:.2f} s vs {:.2f} s for the same {} "
      "orders + {} items, {} per transaction; rows identical: {})\n",
      s.backend, s.repo_insert_s / s.raw_insert_s, s.repo_insert_s, s.raw_insert_s, s.orders,
      s.items, kBatch, s.same_rows ? "yes" : "NO");
}

int Main(int argc, char** argv) {
  SetProgramName("store_bench");
  const std::optional<std::int64_t> count = CountArgument(argc, argv, 100000);
  if (!count) {
    std::cerr << "usage: store_bench [N]   (N orders, default 100000)\n";
    return 2;
  }
  const std::int64_t n = *count;
  log::Init(log::Format::kText, log::Level::kWarn);
  const std::filesystem::path dir = MakeScratchDir("nadajnik-store-bench");

  std::cout << fmt::format(
      "{}: N = {} orders, {} per transaction, seed {}, {} read queries per kind\n", ProgramName(),
      n, kBatch, kSeed, kReadQueries);
  std::cout << fmt::format("machine: {}, SQLite files on {} ({})\n", CoresAndCpu(), dir.string(),
                           FilesystemOf(dir));

  const auto secrets = BenchSecretBox();
  std::vector<Summary> summaries;
  const auto started = Steady::now();
  PrintTableHeader(kTable);
  summaries.push_back(RunBackend("sqlite", ScratchDatabase::Sqlite(dir, "orders"),
                                 ScratchDatabase::Sqlite(dir, "raw"), n, secrets));
  if (const auto pg = BenchPostgresServer()) {
    summaries.push_back(RunBackend("postgres", ScratchDatabase::Postgres(*pg, "orders"),
                                   ScratchDatabase::Postgres(*pg, "raw"), n, secrets));
  }
  PrintRule(kTable);
  for (const auto& s : summaries) PrintRatio(s);
  std::cout << fmt::format("{}: done in {:.1f} s\n", ProgramName(),
                           Seconds(Steady::now() - started));

  RemoveScratchDir();
  bool ok = true;
  for (const auto& s : summaries) ok = ok && s.same_rows;
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace nadajnik::bench

int main(int argc, char** argv) { return nadajnik::bench::Main(argc, argv); }
