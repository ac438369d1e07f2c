// Sandbox memory bench: what a million Allegro orders cost nadajnik-sandbox, and how fast it
// serves them.
//
//   sandbox_memory_bench [N]     N orders (default 1000000); e.g. `sandbox_memory_bench 50000`
//
// Builds a World with one seller and creates N paid allegro.pl orders, bought over 30 days, with
// World::CreatePaidOrders in chunks of 10,000 (as `nadajnik-sandbox --orders N` does at start).
// Prints resident memory (VmRSS now, VmHWM the peak) before and after, bytes per order and the
// time to create. Then what requests cost at that size:
//   (a) materialize 10,000 random orders (GenerateOrder from seed and index: every GET pays it);
//   (b) scan all records for an updatedAt window, as GET /order/checkout-forms does, and build
//       one page: sort the matches by -updatedAt and materialize the first 100.
// The budget is 2 GB of peak resident memory for 1,000,000 orders; the exit status is 1 if the
// peak growth is over it (scaled to N).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_support.hpp"
#include "sandbox/allegro/generator.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {
namespace {

using bench::Millis;
using bench::Seconds;
using bench::Steady;

constexpr int kChunk = 10'000;
constexpr int kMaterialized = 10'000;
constexpr int kPageSize = 100;
constexpr std::int64_t kBudgetBytesPerMillion = 2LL * 1000 * 1000 * 1000;
const std::chrono::milliseconds kSpread = std::chrono::hours(24 * 30);

struct Memory {
  std::int64_t rss_kb = 0;
  std::int64_t hwm_kb = 0;
};

Memory ReadMemory() {
  Memory m;
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    auto value = [&] { return std::atoll(line.c_str() + line.find(':') + 1); };
    if (line.rfind("VmRSS:", 0) == 0) m.rss_kb = value();
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_kb = value();
  }
  return m;
}

std::string Mib(std::int64_t kb) { return fmt::format("{:.1f} MiB", kb / 1024.0); }

// SplitMix64: the bench picks its random orders the same way on every run.
std::uint64_t NextRandom(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int Run(int argc, char** argv) {
  bench::SetProgramName("sandbox_memory_bench");
  long long n = 1'000'000;
  if (argc > 1) {
    char* end = nullptr;
    n = std::strtoll(argv[1], &end, 10);
    if (*end != '\0' || n < 1 || n > 4'000'000'000LL) {
      std::cerr << "usage: sandbox_memory_bench [N]   (N orders, 1..4000000000; default 1000000)\n";
      return 2;
    }
  }

  fmt::print("{}: {} orders, allegro.pl, bought over 30 days\n", bench::ProgramName(), n);
  fmt::print("sizeof(OrderRecord) = {} B, sizeof(JournalEvent) = {} B\n", sizeof(OrderRecord),
             sizeof(JournalEvent));
  const Memory before = ReadMemory();
  fmt::print("before: VmRSS {}  VmHWM {}\n", Mib(before.rss_kb), Mib(before.hwm_kb));

  World world(SandboxOptions{});
  std::lock_guard lock(world.mu);
  Seller seller;
  seller.id = "437848322";
  seller.login = "bench-seller";
  seller.password = "bench";
  seller.first_name = "Jan";
  seller.last_name = "Kowalski";
  seller.email = "bench@example.com";
  seller.company_name = "Udix Sp. z o.o.";
  seller.tax_id = "5261040828";
  world.sellers.push_back(seller);
  const auto seller_index = static_cast<std::uint32_t>(world.sellers.size() - 1);

  // (0) Create.
  const auto create_start = Steady::now();
  long long created = 0;
  while (created < n) {
    const int chunk = static_cast<int>(std::min<long long>(kChunk, n - created));
    const auto ids = world.CreatePaidOrders(seller_index, Marketplace::kPl, chunk, kSpread);
    if (static_cast<int>(ids.size()) != chunk) {
      bench::Die(fmt::format("CreatePaidOrders made {} orders, asked {}", ids.size(), chunk));
    }
    created += chunk;
  }
  const auto create_time = Steady::now() - create_start;
  const Memory after = ReadMemory();
  const double per_order =
      static_cast<double>(after.rss_kb - before.rss_kb) * 1024.0 / static_cast<double>(n);
  const double peak_per_order =
      static_cast<double>(after.hwm_kb - before.rss_kb) * 1024.0 / static_cast<double>(n);
  fmt::print("after:  VmRSS {}  VmHWM {}\n", Mib(after.rss_kb), Mib(after.hwm_kb));
  fmt::print("memory: {:.0f} B per order resident, {:.0f} B per order at the peak\n", per_order,
             peak_per_order);
  fmt::print(
      "        records {} (capacity {}), journal {} events (capacity {}), id index {} keys\n",
      world.orders.size(), world.orders.capacity(), world.journal.size(), world.journal.capacity(),
      world.order_by_checkout_form.size());
  fmt::print("create: {:.2f} s ({:.0f} orders/s)\n", Seconds(create_time),
             static_cast<double>(n) / Seconds(create_time));

  // (a) Materialize random orders.
  std::uint64_t random_state = 20250602;
  std::int64_t checksum = 0;
  const auto materialize_start = Steady::now();
  for (int i = 0; i < kMaterialized; ++i) {
    const auto order = static_cast<std::uint32_t>(NextRandom(random_state) % world.orders.size());
    const GeneratedOrder g = world.Materialize(order);
    checksum += g.total_to_pay.minor + static_cast<std::int64_t>(g.line_items.size());
  }
  const auto materialize_time = Steady::now() - materialize_start;
  fmt::print("materialize: {} random orders in {:.1f} ms ({:.0f} orders/s, {:.2f} us each)\n",
             kMaterialized, Millis(materialize_time), kMaterialized / Seconds(materialize_time),
             Millis(materialize_time) * 1000.0 / kMaterialized);

  // (b) List: the last day of updates, newest first, one page.
  std::int64_t newest = 0;
  for (const OrderRecord& r : world.orders) newest = std::max(newest, r.updated_at_ms);
  const std::int64_t window_from = newest - 24LL * 3600 * 1000;
  const auto scan_start = Steady::now();
  std::vector<std::uint32_t> matched;
  for (std::uint32_t i = 0; i < world.orders.size(); ++i) {
    const OrderRecord& r = world.orders[i];
    if (r.seller != seller_index || r.merged_into >= 0) continue;
    if (r.updated_at_ms >= window_from && r.updated_at_ms <= newest) matched.push_back(i);
  }
  const auto scan_time = Steady::now() - scan_start;
  std::stable_sort(matched.begin(), matched.end(), [&](std::uint32_t a, std::uint32_t b) {
    return world.orders[a].updated_at_ms > world.orders[b].updated_at_ms;
  });
  for (std::size_t i = 0; i < matched.size() && i < static_cast<std::size_t>(kPageSize); ++i) {
    checksum += world.Materialize(matched[i]).total_to_pay.minor;
  }
  const auto page_time = Steady::now() - scan_start;
  fmt::print("list:   scan of {} records for updatedAt in the last 24 h: {:.1f} ms, {} matched\n",
             world.orders.size(), Millis(scan_time), matched.size());
  fmt::print("        with sort by -updatedAt and a page of {} materialized: {:.1f} ms\n",
             kPageSize, Millis(page_time));
  fmt::print("checksum {}\n", checksum);

  // The process's own baseline (a few MiB of libraries) is not the orders' cost: the budget
  // applies to the growth, so small N are judged fairly too.
  const Memory end = ReadMemory();
  const std::int64_t growth_kb = end.hwm_kb - before.rss_kb;
  const double budget_kb =
      static_cast<double>(kBudgetBytesPerMillion) / 1024.0 * static_cast<double>(n) / 1'000'000.0;
  const bool within = static_cast<double>(growth_kb) <= budget_kb;
  fmt::print("budget: peak growth {} (peak {}) for {} orders, budget {} (2 GB per million): {}\n",
             Mib(growth_kb), Mib(end.hwm_kb), n, Mib(static_cast<std::int64_t>(budget_kb)),
             within ? "OK" : "EXCEEDED");
  return within ? 0 : 1;
}

}  // namespace
}  // namespace nadajnik::sandbox::allegro

int main(int argc, char** argv) { return nadajnik::sandbox::allegro::Run(argc, argv); }
