#include "observability/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace nadajnik::observability {
namespace {

// A strict reader of the Prometheus text format 0.0.4, as much as this registry writes of it:
// every line is checked, and anything a scraper could misread fails the test.
struct ParsedSample {
  std::string name;
  Labels labels;  // without "le"
  std::string le;
  double value = 0;
};

struct ParsedFamily {
  std::string name;
  std::string type;
  std::string help;
  bool has_help = false;
  std::vector<ParsedSample> samples;
};

double ParseValue(const std::string& text) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  static const std::regex kNumber(R"(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  if (!std::regex_match(text, kNumber)) {
    ADD_FAILURE() << "bad value: '" << text << "'";
    return 0;
  }
  return std::strtod(text.c_str(), nullptr);
}

bool ParseLabels(const std::string& text, std::size_t* i, Labels* labels, std::string* le) {
  static const std::regex kLabelName("[a-zA-Z_][a-zA-Z0-9_]*");
  ++*i;  // '{'
  while (true) {
    const std::size_t eq = text.find('=', *i);
    if (eq == std::string::npos) return false;
    const std::string name = text.substr(*i, eq - *i);
    if (!std::regex_match(name, kLabelName)) return false;
    if (eq + 1 >= text.size() || text[eq + 1] != '"') return false;
    std::string value;
    std::size_t j = eq + 2;
    bool closed = false;
    while (j < text.size()) {
      const char c = text[j++];
      if (c == '"') {
        closed = true;
        break;
      }
      if (c == '\n') return false;
      if (c == '\\') {
        if (j >= text.size()) return false;
        const char escape = text[j++];
        if (escape == '\\' || escape == '"') {
          value += escape;
        } else if (escape == 'n') {
          value += '\n';
        } else {
          return false;
        }
      } else {
        value += c;
      }
    }
    if (!closed) return false;
    if (name == "le") {
      *le = value;
    } else if (!labels->emplace(name, value).second) {
      return false;  // duplicate label
    }
    *i = j;
    if (*i < text.size() && text[*i] == ',') {
      ++*i;
      continue;
    }
    if (*i < text.size() && text[*i] == '}') {
      ++*i;
      return true;
    }
    return false;
  }
}

std::vector<ParsedFamily> ParseExposition(const std::string& text) {
  std::vector<ParsedFamily> families;
  if (text.empty()) return families;
  EXPECT_EQ(text.back(), '\n') << "the exposition ends with a newline";
  static const std::regex kMetricName("[a-zA-Z_:][a-zA-Z0-9_:]*");
  std::string pending_help;
  bool have_pending_help = false;
  std::string pending_help_name;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      ADD_FAILURE() << "empty line";
      continue;
    }
    if (line.starts_with("# HELP ")) {
      const std::size_t space = line.find(' ', 7);
      EXPECT_NE(space, std::string::npos) << line;
      pending_help_name = line.substr(7, space - 7);
      std::string help;
      for (std::size_t i = space + 1; i < line.size(); ++i) {
        if (line[i] != '\\') {
          help += line[i];
        } else if (i + 1 < line.size() && line[i + 1] == '\\') {
          help += '\\';
          ++i;
        } else if (i + 1 < line.size() && line[i + 1] == 'n') {
          help += '\n';
          ++i;
        } else {
          ADD_FAILURE() << "bad escape in HELP: " << line;
        }
      }
      pending_help = help;
      have_pending_help = true;
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      const std::size_t space = line.find(' ', 7);
      EXPECT_NE(space, std::string::npos) << line;
      ParsedFamily family;
      family.name = line.substr(7, space - 7);
      family.type = line.substr(space + 1);
      EXPECT_TRUE(std::regex_match(family.name, kMetricName)) << line;
      EXPECT_TRUE(family.type == "counter" || family.type == "gauge" || family.type == "histogram")
          << line;
      if (family.type == "counter") {
        EXPECT_TRUE(family.name.ends_with("_total")) << line;
      }
      for (const ParsedFamily& seen : families) {
        EXPECT_NE(seen.name, family.name) << "family rendered twice: " << family.name;
        EXPECT_LT(seen.name, family.name) << "families are sorted by name";
      }
      if (have_pending_help) {
        EXPECT_EQ(pending_help_name, family.name) << "HELP belongs to the next TYPE";
        family.help = pending_help;
        family.has_help = true;
        have_pending_help = false;
      }
      families.push_back(family);
      continue;
    }
    EXPECT_NE(line[0], '#') << "unknown comment line: " << line;
    EXPECT_FALSE(have_pending_help) << "HELP without TYPE before " << line;
    if (families.empty()) {
      ADD_FAILURE() << "sample before any TYPE: " << line;
      continue;
    }
    ParsedFamily& family = families.back();
    ParsedSample sample;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    sample.name = line.substr(0, i);
    EXPECT_TRUE(std::regex_match(sample.name, kMetricName)) << line;
    if (i < line.size() && line[i] == '{') {
      EXPECT_TRUE(ParseLabels(line, &i, &sample.labels, &sample.le)) << "bad labels: " << line;
    }
    if (i >= line.size() || line[i] != ' ') {
      ADD_FAILURE() << "no value: " << line;
      continue;
    }
    const std::string value = line.substr(i + 1);
    EXPECT_EQ(value.find(' '), std::string::npos) << "no timestamps, one value: " << line;
    sample.value = ParseValue(value);
    if (family.type == "histogram") {
      const bool bucket = sample.name == family.name + "_bucket";
      EXPECT_TRUE(bucket || sample.name == family.name + "_sum" ||
                  sample.name == family.name + "_count")
          << line;
      EXPECT_EQ(bucket, !sample.le.empty()) << "le on buckets only: " << line;
    } else {
      EXPECT_EQ(sample.name, family.name) << line;
      EXPECT_TRUE(sample.le.empty()) << line;
    }
    family.samples.push_back(sample);
  }
  // Histogram invariants, per label set: ascending le ending in +Inf, cumulative counts, and
  // the +Inf bucket equal to _count.
  for (const ParsedFamily& family : families) {
    if (family.type != "histogram") continue;
    std::map<Labels, std::vector<const ParsedSample*>> buckets;
    std::map<Labels, double> counts;
    for (const ParsedSample& sample : family.samples) {
      if (!sample.le.empty()) buckets[sample.labels].push_back(&sample);
      if (sample.name.ends_with("_count")) counts[sample.labels] = sample.value;
    }
    for (const auto& [labels, series] : buckets) {
      EXPECT_EQ(series.back()->le, "+Inf");
      for (std::size_t k = 1; k < series.size(); ++k) {
        EXPECT_LT(ParseValue(series[k - 1]->le), ParseValue(series[k]->le));
        EXPECT_LE(series[k - 1]->value, series[k]->value) << "buckets are cumulative";
      }
      EXPECT_EQ(series.back()->value, counts[labels]);
    }
  }
  return families;
}

const ParsedFamily* FindFamily(const std::vector<ParsedFamily>& families, const std::string& name) {
  for (const ParsedFamily& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

// The value of the one sample with this name and labels; NaN if absent.
double Value(const std::vector<ParsedFamily>& families, const std::string& name,
             const Labels& labels, const std::string& le = {}) {
  for (const ParsedFamily& family : families) {
    for (const ParsedSample& sample : family.samples) {
      if (sample.name == name && sample.labels == labels && sample.le == le) return sample.value;
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

TEST(MetricsTest, RendersCountersWithHelpTypeAndTotalSuffix) {
  Metrics metrics;
  metrics.Describe("nadajnik_orders_imported", "counter", "Orders imported from Allegro.");
  metrics.CounterAdd("nadajnik_orders_imported", {{"account", "main"}});
  metrics.CounterAdd("nadajnik_orders_imported_total", {{"account", "main"}}, 2);
  metrics.CounterAdd("nadajnik_orders_imported", {{"account", "outlet"}});
  const std::string text = metrics.RenderPrometheus();
  const auto families = ParseExposition(text);
  const ParsedFamily* family = FindFamily(families, "nadajnik_orders_imported_total");
  ASSERT_NE(family, nullptr) << text;
  EXPECT_EQ(family->type, "counter");
  EXPECT_EQ(family->help, "Orders imported from Allegro.");
  EXPECT_EQ(Value(families, "nadajnik_orders_imported_total", {{"account", "main"}}), 3);
  EXPECT_EQ(Value(families, "nadajnik_orders_imported_total", {{"account", "outlet"}}), 1);
  EXPECT_NE(text.find("nadajnik_orders_imported_total{account=\"main\"} 3\n"), std::string::npos)
      << text;
}

TEST(MetricsTest, GaugesKeepTheLastValueAndUnlabelledSamplesHaveNoBraces) {
  Metrics metrics;
  metrics.Describe("nadajnik_jobs_queued", "gauge", "Jobs waiting.");
  metrics.GaugeSet("nadajnik_jobs_queued", {}, 7);
  metrics.GaugeSet("nadajnik_jobs_queued", {}, 4.5);
  metrics.GaugeSet("nadajnik_temperature_celsius", {}, -3);
  const std::string text = metrics.RenderPrometheus();
  const auto families = ParseExposition(text);
  EXPECT_NE(text.find("\nnadajnik_jobs_queued 4.5\n"), std::string::npos) << text;
  EXPECT_EQ(Value(families, "nadajnik_temperature_celsius", {}), -3);
  const ParsedFamily* undescribed = FindFamily(families, "nadajnik_temperature_celsius");
  ASSERT_NE(undescribed, nullptr);
  EXPECT_EQ(undescribed->type, "gauge");
  EXPECT_FALSE(undescribed->has_help);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Metrics metrics;
  metrics.Describe("nadajnik_http_request_duration_seconds", "histogram", "Latency.");
  const Labels route = {{"route", "/orders"}};
  for (double value : {0.001, 0.005, 0.007, 0.3, 0.3, 7.0, 60.0}) {
    metrics.HistogramObserve("nadajnik_http_request_duration_seconds", route, value);
  }
  const std::string text = metrics.RenderPrometheus();
  const auto families = ParseExposition(text);
  const std::string bucket = "nadajnik_http_request_duration_seconds_bucket";
  EXPECT_EQ(Value(families, bucket, route, "0.005"), 2) << "le is inclusive";
  EXPECT_EQ(Value(families, bucket, route, "0.01"), 3);
  EXPECT_EQ(Value(families, bucket, route, "0.25"), 3);
  EXPECT_EQ(Value(families, bucket, route, "0.5"), 5);
  EXPECT_EQ(Value(families, bucket, route, "10"), 6);
  EXPECT_EQ(Value(families, bucket, route, "+Inf"), 7);
  EXPECT_EQ(Value(families, "nadajnik_http_request_duration_seconds_count", route), 7);
  EXPECT_NEAR(Value(families, "nadajnik_http_request_duration_seconds_sum", route), 67.613, 1e-9);
  const ParsedFamily* family = FindFamily(families, "nadajnik_http_request_duration_seconds");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->samples.size(), 12u + 2u) << "11 bounds, +Inf, sum, count";
  EXPECT_NE(
      text.find("nadajnik_http_request_duration_seconds_bucket{route=\"/orders\",le=\"0.005\"} 2"),
      std::string::npos)
      << "le comes last: " << text;
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Metrics metrics;
  metrics.Describe("nadajnik_test_escapes", "gauge", "Back\\slash and\nnewline.");
  const std::string nasty = "a\"b\\c\nd} x=\"1\"";
  metrics.GaugeSet("nadajnik_test_escapes", {{"value", nasty}}, 1);
  const std::string text = metrics.RenderPrometheus();
  const auto families = ParseExposition(text);
  const ParsedFamily* family = FindFamily(families, "nadajnik_test_escapes");
  ASSERT_NE(family, nullptr) << text;
  EXPECT_EQ(family->help, "Back\\slash and\nnewline.");
  ASSERT_EQ(family->samples.size(), 1u) << text;
  EXPECT_EQ(family->samples[0].labels.at("value"), nasty);
  EXPECT_NE(text.find(R"(value="a\"b\\c\nd} x=\"1\"")"), std::string::npos) << text;
}

TEST(MetricsTest, OutputIsSortedAndStableAcrossScrapes) {
  Metrics metrics;
  metrics.GaugeSet("nadajnik_b", {{"x", "2"}}, 1);
  metrics.CounterAdd("nadajnik_c", {});
  metrics.GaugeSet("nadajnik_a", {}, 1);
  metrics.GaugeSet("nadajnik_b", {{"x", "1"}}, 1);
  metrics.GaugeSet("nadajnik_b", {{"x", "1"}, {"a", "z"}}, 1);
  const std::string first = metrics.RenderPrometheus();
  EXPECT_EQ(first, metrics.RenderPrometheus());
  const auto families = ParseExposition(first);  // checks family order
  const ParsedFamily* b = FindFamily(families, "nadajnik_b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->samples.size(), 3u);
  EXPECT_EQ(b->samples[0].labels, (Labels{{"a", "z"}, {"x", "1"}}));
  EXPECT_EQ(b->samples[1].labels, (Labels{{"x", "1"}}));
  EXPECT_EQ(b->samples[2].labels, (Labels{{"x", "2"}}));
  EXPECT_NE(first.find("nadajnik_b{a=\"z\",x=\"1\"} 1"), std::string::npos) << first;
}

TEST(MetricsTest, SpecialValuesUseThePrometheusSpelling) {
  Metrics metrics;
  metrics.GaugeSet("nadajnik_inf", {}, std::numeric_limits<double>::infinity());
  metrics.GaugeSet("nadajnik_neg_inf", {}, -std::numeric_limits<double>::infinity());
  metrics.GaugeSet("nadajnik_nan", {}, std::numeric_limits<double>::quiet_NaN());
  metrics.GaugeSet("nadajnik_big", {}, 1e20);
  metrics.GaugeSet("nadajnik_small", {}, 1e-7);
  const std::string text = metrics.RenderPrometheus();
  const auto families = ParseExposition(text);
  EXPECT_NE(text.find("nadajnik_inf +Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("nadajnik_neg_inf -Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("nadajnik_nan NaN\n"), std::string::npos) << text;
  EXPECT_EQ(Value(families, "nadajnik_big", {}), 1e20);
  EXPECT_EQ(Value(families, "nadajnik_small", {}), 1e-7);
}

TEST(MetricsTest, MisuseIsIgnoredAndNeverCorruptsTheOutput) {
  Metrics metrics;
  metrics.CounterAdd("nadajnik_things", {}, 1);
  metrics.GaugeSet("nadajnik_things_total", {}, 100);        // a counter already
  metrics.HistogramObserve("nadajnik_things_total", {}, 1);  // likewise
  metrics.CounterAdd("nadajnik_things", {}, -5);             // counters only go up
  metrics.CounterAdd("nadajnik_things", {}, std::nan(""));   // nor by NaN
  metrics.GaugeSet("bad name", {}, 1);                       // invalid metric name
  metrics.GaugeSet("nadajnik_labels", {{"bad-label", "x"}}, 1);
  metrics.GaugeSet("nadajnik_labels", {{"__reserved", "x"}}, 1);
  metrics.GaugeSet("nadajnik_labels", {{"le", "x"}}, 1);
  metrics.HistogramObserve("nadajnik_latency_seconds", {}, std::nan(""));
  metrics.Describe("nadajnik_x", "summary", "unsupported type");
  const std::string text = metrics.RenderPrometheus();
  const auto families = ParseExposition(text);
  EXPECT_EQ(Value(families, "nadajnik_things_total", {}), 1) << text;
  EXPECT_EQ(FindFamily(families, "nadajnik_labels"), nullptr) << text;
  EXPECT_EQ(FindFamily(families, "nadajnik_latency_seconds"), nullptr) << text;
  EXPECT_EQ(text.find("bad name"), std::string::npos);
}

TEST(MetricsTest, CollectorsRunAtScrapeTimeAndFailuresAreCounted) {
  Metrics metrics;
  int jobs = 1;
  metrics.AddCollector("nadajnik_jobs_by_state", "Jobs by state.", [&jobs] {
    return std::vector<Sample>{{{{"state", "queued"}}, static_cast<double>(jobs)},
                               {{{"state", "failed"}}, 0}};
  });
  metrics.AddCollector("nadajnik_broken", "Always fails.",
                       []() -> std::vector<Sample> { throw std::runtime_error("db down"); });
  metrics.AddCollector("nadajnik_bad_labels", "Invalid label name.", [] {
    return std::vector<Sample>{{{{"not ok", "x"}}, 1}};
  });

  auto families = ParseExposition(metrics.RenderPrometheus());
  EXPECT_EQ(Value(families, "nadajnik_jobs_by_state", {{"state", "queued"}}), 1);
  EXPECT_EQ(Value(families, "nadajnik_jobs_by_state", {{"state", "failed"}}), 0);
  const ParsedFamily* collected = FindFamily(families, "nadajnik_jobs_by_state");
  ASSERT_NE(collected, nullptr);
  EXPECT_EQ(collected->type, "gauge");
  EXPECT_EQ(collected->help, "Jobs by state.");
  EXPECT_EQ(FindFamily(families, "nadajnik_broken"), nullptr);
  EXPECT_EQ(FindFamily(families, "nadajnik_bad_labels"), nullptr);
  const std::string errors = "nadajnik_metrics_collector_errors_total";
  EXPECT_EQ(Value(families, errors, {{"collector", "nadajnik_broken"}}), 1);
  EXPECT_EQ(Value(families, errors, {{"collector", "nadajnik_bad_labels"}}), 1);
  EXPECT_EQ(Value(families, errors, {{"collector", "nadajnik_jobs_by_state"}}), 0);

  jobs = 5;
  families = ParseExposition(metrics.RenderPrometheus());
  EXPECT_EQ(Value(families, "nadajnik_jobs_by_state", {{"state", "queued"}}), 5);
  EXPECT_EQ(Value(families, errors, {{"collector", "nadajnik_broken"}}), 2);
}

TEST(MetricsTest, CollectorCannotShadowARecordedFamily) {
  Metrics metrics;
  metrics.GaugeSet("nadajnik_taken", {}, 1);
  metrics.AddCollector("nadajnik_taken", "Clashes.", [] { return std::vector<Sample>{{{}, 99}}; });
  const auto families = ParseExposition(metrics.RenderPrometheus());  // no duplicate family
  EXPECT_EQ(Value(families, "nadajnik_taken", {}), 1);
  EXPECT_EQ(
      Value(families, "nadajnik_metrics_collector_errors_total", {{"collector", "nadajnik_taken"}}),
      1);
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  Metrics metrics;
  constexpr int kThreads = 4;
  constexpr int kIncrements = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < kIncrements; ++i) {
        metrics.CounterAdd("nadajnik_hits", {{"route", i % 2 ? "/a" : "/b"}});
        metrics.HistogramObserve("nadajnik_latency_seconds", {}, 0.01 * t);
        if (i % 1000 == 0) ParseExposition(metrics.RenderPrometheus());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto families = ParseExposition(metrics.RenderPrometheus());
  EXPECT_EQ(Value(families, "nadajnik_hits_total", {{"route", "/a"}}), kThreads * kIncrements / 2);
  EXPECT_EQ(Value(families, "nadajnik_hits_total", {{"route", "/b"}}), kThreads * kIncrements / 2);
  EXPECT_EQ(Value(families, "nadajnik_latency_seconds_count", {}), kThreads * kIncrements);
}

}  // namespace
}  // namespace nadajnik::observability
