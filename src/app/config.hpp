// Configuration: defaults < TOML file < NADAJNIK_* environment < command-line flags.
//
// Every key is declared once (config.cpp) with its type, default, bounds and help. Loading
// validates everything before start-up continues: an unknown key (in the file or as a
// NADAJNIK_* variable) or a bad value is an error naming the key, where it came from and the
// expected form ("unknown key 'server.lisen' in nadajnik.toml; did you mean 'server.listen'?").
// Environment names are the key upper-cased with dots as underscores: server.listen ->
// NADAJNIK_SERVER_LISTEN. Variables starting NADAJNIK_TEST_ belong to the test suites and are
// ignored here.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace nadajnik::app {

struct Config {
  struct Server {
    std::string listen = "127.0.0.1:8080";  // host:port
    std::string public_url;                 // https://... when behind TLS; Secure cookies then
    int threads = 4;
    bool trust_proxy_headers = false;
  } server;
  struct Data {
    std::filesystem::path dir = "./var";  // SQLite file, key file, labels
  } data;
  struct Database {
    std::string url;  // empty: SQLite at <data.dir>/nadajnik.db; or postgresql://...
    int pool_size = 4;
    int busy_timeout_ms = 5000;
  } database;
  struct Jobs {
    int workers = 4;
    int poll_interval_ms = 250;
    int lease_seconds = 60;
    int max_attempts = 10;
    int backoff_base_ms = 1000;
    int backoff_max_ms = 3600000;
  } jobs;
  struct Log {
    std::string format = "text";  // text | json
    std::string level = "info";   // debug | info | warn | error
    std::string file;             // empty: stderr
  } log;
  struct Allegro {
    // Presets for the two environments Allegro runs; an account may also carry custom URLs.
    std::string production_auth_url = "https://allegro.pl";
    std::string production_api_url = "https://api.allegro.pl";
    std::string sandbox_auth_url = "https://allegro.pl.allegrosandbox.pl";
    std::string sandbox_api_url = "https://api.allegro.pl.allegrosandbox.pl";
    int requests_per_minute = 8500;  // this instance's share of 9,000 per client id
    int journal_interval_ms = 5000;
    int sweep_interval_seconds = 300;
    int backfill_days = 30;
    int timeout_seconds = 30;
    int rate_limit_pause_seconds = 60;  // after a 429 without Retry-After (Allegro: ~1 minute)
    int sweep_grace_seconds = 120;      // the sweep leaves the newest changes to the journal
  } allegro;
  struct Shipping {
    int tracking_interval_minutes = 30;  // a shipment's tracking is asked for this often
    int tracking_run_seconds = 60;       // how often the tracking job looks for due shipments
    int confirm_wait_seconds = 0;  // one create job polls the carrier this long, then runs again
  } shipping;
  struct Auth {
    int session_ttl_minutes = 720;
    int login_max_failures = 5;  // per username and per address, within the window
    int login_window_seconds = 900;
  } auth;
};

struct ConfigSources {
  std::filesystem::path file;                // empty: no file
  std::map<std::string, std::string> env;    // usually the process environment
  std::map<std::string, std::string> flags;  // key -> value from the command line
};

Result<Config> LoadConfig(const ConfigSources& sources);
std::map<std::string, std::string> ProcessEnvironment();

struct ConfigKeyInfo {
  std::string key;
  std::string type;  // string | int | bool | path
  std::string default_value;
  std::string help;
};
const std::vector<ConfigKeyInfo>& ConfigKeys();

}  // namespace nadajnik::app
