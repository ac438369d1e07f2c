// Labels bench: what a packing shift's printing costs. N labels (default 1,000) of three
// carriers with Polish, Czech and Hungarian addresses, made four ways:
//   (a) A6 PDF, one document: RenderPdfA6 of all N (one font subset for the lot);
//   (b) A6 PDF, merged: N one-label PDFs (as carriers send them), rendered on every core, then
//       MergePdfs into one;
//   (c) 4-up A4: FourUpA4 of (a);
//   (d) ZPL at 203 dpi: N RenderZpl, concatenated.
// Prints time, output size and pages for each; every output passes CheckLabel. The target,
// under 1 s per 1,000 on 2 cores, is held against (a), the way Nadajnik prints its own labels;
// (b), the cost of merging carriers' PDFs, is printed against it too but only (a) sets the exit
// status (1 when missed, scaled to N).
//
//   labels_bench [N]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench_support.hpp"
#include "documents/labels.hpp"

namespace nadajnik::documents {
namespace {

using bench::Millis;
using bench::OrDie;
using bench::Seconds;
using bench::Steady;

constexpr double kMergedTargetSecondsPerThousand = 1.0;

std::vector<LabelData> MakeLabels(std::int64_t n) {
  static const char* kNames[] = {"Zażółć Gęślą Jaźń", "Řehoř Čížek", "Erdős Győző",
                                 "Łukasz Szczęsny", "Ewa Ślęzak-Wójcik"};
  static const char* kStreets[] = {"ul. Świętokrzyska 12/4", "Náměstí Míru 15",
                                   "Fő utca 1, Hűvösvölgy", "al. Niepodległości 210 m. 18"};
  static const char* kCities[] = {"00-950 Warszawa", "591 01 Žďár nad Sázavou", "1021 Budapest",
                                  "61-001 Poznań", "90-001 Łódź"};
  std::vector<LabelData> labels;
  labels.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    LabelData l;
    l.sender = {"Sklep Żółty Słoń sp. z o.o.", "ul. Kościuszki 7", "61-001 Poznań"};
    l.receiver = {kNames[i % 5], kStreets[i % 4], kCities[i % 5],
                  fmt::format("tel. 600 {:03} {:03}", i % 1000, (i * 7) % 1000)};
    l.reference = fmt::format("ZAM-2025-{:06}", i + 1);
    l.weight = fmt::format("{},{} kg", 1 + i % 9, i % 10);
    switch (i % 3) {
      case 0:
        l.carrier = "InPost";
        l.service = "Paczkomat, gabaryt A";
        l.tracking_number = fmt::format("6026771432276001{:08}", i);
        l.target_point = "POZ08A";
        break;
      case 1:
        l.carrier = "DPD Polska";
        l.service = "Kurier, pobranie";
        l.tracking_number = fmt::format("1000{:09}U", i);
        l.cash_on_delivery = fmt::format("{},{:02} zł", 10 + i % 400, i % 100);
        break;
      default:
        l.carrier = "Poczta Polska";
        l.service = "Pocztex Kurier";
        l.tracking_number = fmt::format("PX{:010}", i);
        l.comment = "Proszę dzwonić przed doręczeniem";
    }
    labels.push_back(std::move(l));
  }
  return labels;
}

std::string Mib(std::size_t bytes) { return fmt::format("{:.2f} MiB", bytes / 1048576.0); }

void PrintRow(std::string_view what, std::int64_t n, Steady::duration time, std::size_t bytes,
              std::string_view note) {
  fmt::print("{:<26} {:>6} {:>9.3f} {:>10.0f} {:>11} {:>8.1f}  {}\n", what, n, Seconds(time),
             static_cast<double>(n) / Seconds(time), Mib(bytes),
             static_cast<double>(bytes) / static_cast<double>(n) / 1024.0, note);
}

int Run(int argc, char** argv) {
  bench::SetProgramName("labels_bench");
  const auto count = bench::CountArgument(argc, argv, 1000);
  if (!count) {
    std::cerr << "usage: labels_bench [N]   (N labels, default 1000)\n";
    return 2;
  }
  const std::int64_t n = *count;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  fmt::print("{}: {} labels (InPost, DPD, Poczta Polska), {}, load average {}\n",
             bench::ProgramName(), n, bench::CoresAndCpu(), bench::LoadAverage());
  const auto labels = MakeLabels(n);
  OrDie(RenderPdfA6({labels.front()}), "warm up (fonts)");

  fmt::print("{:<26} {:>6} {:>9} {:>10} {:>11} {:>8}\n", "output", "labels", "seconds", "labels/s",
             "size", "KiB/lbl");
  fmt::print("{}\n", std::string(75, '-'));

  // (a) One document.
  auto start = Steady::now();
  const std::string a6 = OrDie(RenderPdfA6(labels), "RenderPdfA6");
  const auto a6_time = Steady::now() - start;
  OrDie(CheckLabel(a6, domain::LabelFormat::kPdfA6), "CheckLabel(A6)");
  PrintRow("A6 PDF, one document", n, a6_time, a6.size(), "");

  // (b) One PDF per label on every core, then merged.
  start = Steady::now();
  std::vector<std::string> singles(labels.size());
  {
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t i = t; i < labels.size(); i += threads) {
          singles[i] = OrDie(RenderPdfA6({labels[i]}), fmt::format("RenderPdfA6 label {}", i));
        }
      });
    }
    for (auto& w : workers) w.join();
  }
  const auto render_time = Steady::now() - start;
  const auto merge_start = Steady::now();
  const std::string merged = OrDie(MergePdfs(singles), "MergePdfs");
  const auto merge_time = Steady::now() - merge_start;
  const auto merged_time = Steady::now() - start;
  OrDie(CheckLabel(merged, domain::LabelFormat::kPdfA6), "CheckLabel(merged)");
  std::size_t singles_bytes = 0;
  for (const auto& s : singles) singles_bytes += s.size();
  PrintRow("A6 PDF, merged", n, merged_time, merged.size(),
           fmt::format("render {:.0f} ms on {} threads ({}) + merge {:.0f} ms", Millis(render_time),
                       threads, Mib(singles_bytes), Millis(merge_time)));

  // (c) 4-up.
  start = Steady::now();
  const std::string a4 = OrDie(FourUpA4(a6), "FourUpA4");
  const auto a4_time = Steady::now() - start;
  OrDie(CheckLabel(a4, domain::LabelFormat::kPdfA4), "CheckLabel(A4)");
  PrintRow("A4 4-up (from one doc)", n, a4_time, a4.size(),
           fmt::format("{} A4 pages; + rendering {:.0f} ms", (n + 3) / 4, Millis(a6_time)));

  // (d) ZPL.
  start = Steady::now();
  std::string zpl;
  for (const auto& l : labels) zpl += OrDie(RenderZpl(l, 203), "RenderZpl");
  const auto zpl_time = Steady::now() - start;
  OrDie(CheckLabel(zpl, domain::LabelFormat::kZpl203), "CheckLabel(ZPL)");
  PrintRow("ZPL 203 dpi", n, zpl_time, zpl.size(), "");

  const double target = kMergedTargetSecondsPerThousand * static_cast<double>(n) / 1000.0;
  const bool ok = Seconds(a6_time) <= target;
  fmt::print(
      "target: under {:.2f} s; one document {:.3f} s ({}), per label + merge {:.3f} s ({})\n",
      target, Seconds(a6_time), ok ? "met" : "MISSED", Seconds(merged_time),
      Seconds(merged_time) <= target ? "met" : "missed");
  fmt::print("load average at the end: {}\n", bench::LoadAverage());
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace nadajnik::documents

int main(int argc, char** argv) { return nadajnik::documents::Run(argc, argv); }
