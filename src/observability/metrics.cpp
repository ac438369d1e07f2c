#include "observability/metrics.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <exception>
#include <mutex>
#include <set>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "observability/log.hpp"

namespace nadajnik::observability {
namespace {

constexpr std::string_view kCollectorErrors = "nadajnik_metrics_collector_errors_total";

// Prometheus' default buckets: latencies in seconds, 5 ms .. 10 s.
constexpr std::array<double, 11> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,    2.5,   5,    10};

enum class Kind { kCounter, kGauge, kHistogram };

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kCounter:
      return "counter";
    case Kind::kGauge:
      return "gauge";
    case Kind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

bool ParseKind(std::string_view text, Kind* kind) {
  if (text == "counter") {
    *kind = Kind::kCounter;
  } else if (text == "gauge") {
    *kind = Kind::kGauge;
  } else if (text == "histogram") {
    *kind = Kind::kHistogram;
  } else {
    return false;
  }
  return true;
}

bool IsNameChar(char c, bool first, bool colon_ok) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (alpha || (colon_ok && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, true)) return false;
  }
  return true;
}

// "le" is reserved for histogram buckets and "__" prefixes for Prometheus itself.
bool IsLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__") || name == "le") return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, false)) return false;
  }
  return true;
}

bool ValidLabels(const Labels& labels) {
  for (const auto& [name, value] : labels) {
    if (!IsLabelName(name)) return false;
  }
  return true;
}

// A counter's samples end in _total; "x" and "x_total" name the same family.
std::string CounterName(const std::string& name) {
  return name.ends_with("_total") ? name : name + "_total";
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

void AppendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// name{k="v",...,le="x"} value\n; `le` (buckets only) comes last.
void AppendSample(std::string& out, std::string_view name, const Labels& labels,
                  const std::string* le, double value) {
  out += name;
  if (!labels.empty() || le != nullptr) {
    out += '{';
    bool first = true;
    for (const auto& [key, label_value] : labels) {
      if (!first) out += ',';
      first = false;
      out += key;
      out += "=\"";
      AppendLabelValue(out, label_value);
      out += '"';
    }
    if (le != nullptr) {
      if (!first) out += ',';
      out += "le=\"";
      out += *le;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += FormatValue(value);
  out += '\n';
}

void AppendHeader(std::string& out, std::string_view name, Kind kind, std::string_view help) {
  if (!help.empty()) {
    out += "# HELP ";
    out += name;
    out += ' ';
    AppendHelp(out, help);
    out += '\n';
  }
  out += "# TYPE ";
  out += name;
  out += ' ';
  out += KindName(kind);
  out += '\n';
}

struct Histogram {
  std::array<std::uint64_t, kBuckets.size() + 1> counts{};  // per bucket; the last is +Inf
  double sum = 0;
  std::uint64_t count = 0;
};

struct Family {
  Kind kind = Kind::kGauge;
  std::string help;
  std::map<Labels, double> values;         // counters and gauges
  std::map<Labels, Histogram> histograms;  // histograms
};

struct CollectorEntry {
  std::string help;
  std::function<std::vector<Sample>()> collect;
};

}  // namespace

struct Metrics::Impl {
  // Returns the family `name` of `kind`, creating it; nullptr (and a warning, once per name) if
  // the name is invalid or already used by another kind: both are bugs in the caller, and a
  // metrics call must never take a request down.
  Family* FamilyFor(const std::string& name, Kind kind) {
    if (!IsMetricName(name)) {
      WarnOnce(name, "metrics.invalid_name");
      return nullptr;
    }
    auto [it, inserted] = families.try_emplace(name);
    if (inserted) {
      it->second.kind = kind;
    } else if (it->second.kind != kind) {
      WarnOnce(name, "metrics.kind_mismatch");
      return nullptr;
    }
    return &it->second;
  }

  void WarnOnce(const std::string& name, std::string_view event) {
    if (warned.insert(name).second) log::Warn(event, {{"metric", name}});
  }

  void AddCollectorError(const std::string& collector) {
    Family* family = FamilyFor(std::string(kCollectorErrors), Kind::kCounter);
    if (family != nullptr) family->values[{{"collector", collector}}] += 1;
  }

  mutable std::mutex mu;
  std::map<std::string, Family> families;
  std::map<std::string, CollectorEntry> collectors;
  std::set<std::string> warned;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {
  Describe(std::string(kCollectorErrors), "counter",
           "Metric collectors that failed during a scrape and were skipped.");
}

Metrics::~Metrics() = default;

void Metrics::Describe(const std::string& name, const std::string& type, const std::string& help) {
  Kind kind;
  std::lock_guard lock(impl_->mu);
  if (!ParseKind(type, &kind)) {
    impl_->WarnOnce(name, "metrics.invalid_type");
    return;
  }
  Family* family = impl_->FamilyFor(kind == Kind::kCounter ? CounterName(name) : name, kind);
  if (family != nullptr) family->help = help;
}

void Metrics::CounterAdd(const std::string& name, const Labels& labels, double delta) {
  std::lock_guard lock(impl_->mu);
  // A counter only goes up; a negative or NaN delta is a bug in the caller.
  if (!(delta >= 0) || !ValidLabels(labels)) {
    impl_->WarnOnce(name, "metrics.invalid_counter_update");
    return;
  }
  Family* family = impl_->FamilyFor(CounterName(name), Kind::kCounter);
  if (family != nullptr) family->values[labels] += delta;
}

void Metrics::GaugeSet(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(impl_->mu);
  if (!ValidLabels(labels)) {
    impl_->WarnOnce(name, "metrics.invalid_labels");
    return;
  }
  Family* family = impl_->FamilyFor(name, Kind::kGauge);
  if (family != nullptr) family->values[labels] = value;
}

void Metrics::HistogramObserve(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(impl_->mu);
  if (std::isnan(value) || !ValidLabels(labels)) {
    impl_->WarnOnce(name, "metrics.invalid_observation");
    return;
  }
  Family* family = impl_->FamilyFor(name, Kind::kHistogram);
  if (family == nullptr) return;
  Histogram& histogram = family->histograms[labels];
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && value > kBuckets[bucket]) ++bucket;
  ++histogram.counts[bucket];
  histogram.sum += value;
  ++histogram.count;
}

void Metrics::AddCollector(const std::string& name, const std::string& help,
                           std::function<std::vector<Sample>()> collect) {
  std::lock_guard lock(impl_->mu);
  if (!IsMetricName(name)) {
    impl_->WarnOnce(name, "metrics.invalid_name");
    return;
  }
  impl_->collectors[name] = CollectorEntry{help, std::move(collect)};
  // Start the error counter at 0 so a dashboard sees the series before the first failure.
  Family* errors = impl_->FamilyFor(std::string(kCollectorErrors), Kind::kCounter);
  if (errors != nullptr) errors->values.try_emplace({{"collector", name}}, 0);
}

std::string Metrics::RenderPrometheus() const {
  // Collectors may read the store, so they run without the lock: a slow scrape must not block
  // the request threads that update metrics.
  std::map<std::string, CollectorEntry> collectors;
  {
    std::lock_guard lock(impl_->mu);
    collectors = impl_->collectors;
  }
  struct Collected {
    std::string help;
    std::vector<Sample> samples;
  };
  std::map<std::string, Collected> collected;
  std::vector<std::string> failed;
  for (auto& [name, entry] : collectors) {
    try {
      std::vector<Sample> samples = entry.collect();
      bool valid = true;
      for (const Sample& sample : samples) valid = valid && ValidLabels(sample.labels);
      if (!valid) {
        log::Warn("metrics.collector_invalid_labels", {{"collector", name}});
        failed.push_back(name);
        continue;
      }
      collected[name] = Collected{entry.help, std::move(samples)};
    } catch (const std::exception& e) {
      log::Warn("metrics.collector_failed", {{"collector", name}, {"error", e.what()}});
      failed.push_back(name);
    } catch (...) {
      log::Warn("metrics.collector_failed", {{"collector", name}, {"error", "unknown exception"}});
      failed.push_back(name);
    }
  }

  std::lock_guard lock(impl_->mu);
  for (auto it = collected.begin(); it != collected.end();) {
    if (impl_->families.contains(it->first)) {
      // The name belongs to a recorded family; rendering both would corrupt the exposition.
      impl_->WarnOnce(it->first, "metrics.collector_name_taken");
      failed.push_back(it->first);
      it = collected.erase(it);
    } else {
      ++it;
    }
  }
  for (const std::string& name : failed) impl_->AddCollectorError(name);

  static const std::vector<std::string> kLe = [] {
    std::vector<std::string> le;
    for (double bound : kBuckets) le.push_back(FormatValue(bound));
    le.push_back("+Inf");
    return le;
  }();

  // Families and collectors interleaved by name: the output order is stable across scrapes.
  std::string out;
  auto family_it = impl_->families.begin();
  auto collected_it = collected.begin();
  while (family_it != impl_->families.end() || collected_it != collected.end()) {
    const bool take_family =
        collected_it == collected.end() ||
        (family_it != impl_->families.end() && family_it->first < collected_it->first);
    if (!take_family) {
      const auto& [name, data] = *collected_it;
      AppendHeader(out, name, Kind::kGauge, data.help);
      std::map<Labels, double> sorted;
      for (const Sample& sample : data.samples) sorted[sample.labels] = sample.value;
      for (const auto& [labels, value] : sorted) AppendSample(out, name, labels, nullptr, value);
      ++collected_it;
      continue;
    }
    const auto& [name, family] = *family_it;
    ++family_it;
    if (family.values.empty() && family.histograms.empty()) continue;
    AppendHeader(out, name, family.kind, family.help);
    if (family.kind != Kind::kHistogram) {
      for (const auto& [labels, value] : family.values) {
        AppendSample(out, name, labels, nullptr, value);
      }
      continue;
    }
    const std::string bucket_name = name + "_bucket";
    const std::string sum_name = name + "_sum";
    const std::string count_name = name + "_count";
    for (const auto& [labels, histogram] : family.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
        cumulative += histogram.counts[i];
        AppendSample(out, bucket_name, labels, &kLe[i], static_cast<double>(cumulative));
      }
      AppendSample(out, sum_name, labels, nullptr, histogram.sum);
      AppendSample(out, count_name, labels, nullptr, static_cast<double>(histogram.count));
    }
  }
  return out;
}

}  // namespace nadajnik::observability
