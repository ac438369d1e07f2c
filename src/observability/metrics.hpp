// Metrics: counters, gauges and histograms with labels, rendered in the Prometheus text format
// (version 0.0.4) for GET /metrics.
//
// Names follow nadajnik_<subsystem>_<name>_<unit>. Label values must come from bounded sets
// (route patterns, job kinds, states), never from ids or user input. Thread-safe.
// Collectors are callbacks run at render time for values read from elsewhere (jobs by state
// from the store); a collector that fails is skipped and counted in
// nadajnik_metrics_collector_errors_total.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nadajnik::observability {

using Labels = std::map<std::string, std::string>;

struct Sample {
  Labels labels;
  double value = 0;
};

class Metrics {
 public:
  Metrics();
  ~Metrics();

  void Describe(const std::string& name, const std::string& type, const std::string& help);
  void CounterAdd(const std::string& name, const Labels& labels, double delta = 1);
  void GaugeSet(const std::string& name, const Labels& labels, double value);
  // Buckets default to latencies in seconds: 5 ms .. 10 s.
  void HistogramObserve(const std::string& name, const Labels& labels, double value);

  // A gauge family whose samples are computed when /metrics is scraped.
  void AddCollector(const std::string& name, const std::string& help,
                    std::function<std::vector<Sample>()> collect);

  std::string RenderPrometheus() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nadajnik::observability
