// Runtime: the long-lived parts every command needs (config, logs, key file, store, clock,
// metrics), opened once at start. wiring.cpp is the only place that builds implementations.
#pragma once

#include <memory>

#include "app/config.hpp"
#include "app/marketplace_parts.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "observability/metrics.hpp"
#include "security/secret_box.hpp"
#include "store/store.hpp"

namespace nadajnik::app {

struct Runtime {
  Config config;
  SystemClock clock;
  observability::Metrics metrics;
  std::unique_ptr<security::SecretBox> secrets;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<MarketplaceParts> marketplace;  // built by OpenRuntime
};

// Starts logging, creates the data folder, loads (or creates) the key file, opens the database
// and applies pending migrations.
Result<std::unique_ptr<Runtime>> OpenRuntime(const Config& config);

struct ServeOptions {
  bool demo = false;  // also print the panel URL and a one-time admin password
};

// Serves the panel, the API and the job workers until SIGINT/SIGTERM. Returns the exit code.
Result<int> Serve(Runtime& runtime, const ServeOptions& options);

}  // namespace nadajnik::app
