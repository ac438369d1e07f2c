// nadajnik-sandbox: simulated Allegro (OAuth and REST) for tests and the demo.
#include <signal.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "observability/log.hpp"
#include "sandbox/allegro/faults.hpp"
#include "sandbox/sandbox.hpp"

int main(int argc, char** argv) {
  using namespace nadajnik;
  sandbox::SandboxConfig config;
  std::string listen = "127.0.0.1:0";
  long long token_ttl = 43199;
  CLI::App cli{
      "nadajnik-sandbox: a simulator of Allegro's OAuth server and REST API, for tests and the "
      "demo.\nOAuth paths (/auth/oauth/...) and REST paths share one port; admin endpoints live "
      "under /__sandbox/.\nSellers: sprzedawca-pl (allegro.pl) and prodejce-cz (allegro.cz), "
      "password haslo-sandbox.\nDefault client: nadajnik-sandbox / nadajnik-sandbox-secret.\n"
      "InPost ShipX under /inpost (base URL http://HOST:PORT/inpost): organization 9001 with "
      "token inpost-sandbox-token, organization 9002 with token inpost-sandbox-token-2; admin "
      "under /__sandbox/inpost/.\n"
      "Prints 'LISTENING <port>' as its first line."};
  cli.add_option("--listen", listen, "host:port to listen on (port 0 picks a free one)")
      ->default_val(listen);
  cli.add_option("--seed", config.allegro.seed,
                 "Seed of the generated data (same seed, same orders)")
      ->default_val(1);
  cli.add_option("--orders", config.initial_orders, "Paid orders to create at start")
      ->default_val(0)
      ->check(CLI::Range(0, 2000000));
  cli.add_option("--client-id", config.allegro.client_id, "The registered application's client id")
      ->default_val(config.allegro.client_id);
  cli.add_option("--client-secret", config.allegro.client_secret, "Its client secret")
      ->default_val(config.allegro.client_secret);
  cli.add_option(
      "--redirect-uri", config.allegro.redirect_uris,
      "Registered redirect URIs (default: any http://127.0.0.1:* or http://localhost:*)");
  cli.add_option("--token-ttl", token_ttl, "Access token lifetime in seconds (Allegro: 43199)")
      ->default_val(token_ttl)
      ->check(CLI::Range(1LL, 100000000LL));
  cli.add_option("--requests-per-minute", config.allegro.requests_per_minute,
                 "Request budget per client id before 429 (Allegro: 9000)")
      ->default_val(config.allegro.requests_per_minute)
      ->check(CLI::Range(1, 10000000));
  long long block_seconds = config.allegro.rate_limit_block.count();
  cli.add_option("--block-seconds", block_seconds,
                 "How long a client id over its budget gets 429 (Allegro: about a minute); each "
                 "call during the block extends it by a sixth of this")
      ->default_val(block_seconds)
      ->check(CLI::Range(1LL, 86400LL));
  std::string scenario_help = "Switch a scenario on (repeatable; also POST /__sandbox/scenarios):";
  for (const auto& s : sandbox::allegro::Scenarios()) {
    scenario_help += "\n  " + std::string(s.name) + ": " + std::string(s.description);
  }
  cli.add_option("--scenario", config.allegro.scenarios, scenario_help);
  long long inpost_confirm_ms = config.inpost.confirm_delay.count();
  cli.add_option("--inpost-confirm-ms", inpost_confirm_ms,
                 "InPost: how long a shipment takes from created to confirmed")
      ->default_val(inpost_confirm_ms)
      ->check(CLI::Range(0LL, 86400000LL));
  cli.add_option("--inpost-confirm-polls", config.inpost.confirm_after_polls,
                 "InPost: confirm a shipment at its Nth GET at the latest (0: by time only)")
      ->default_val(0)
      ->check(CLI::Range(0, 1000));
  std::string inpost_help =
      "Switch an InPost scenario on (repeatable; also POST /__sandbox/inpost/scenarios):";
  for (const auto& [name, description] : sandbox::inpost::InPostScenarios()) {
    inpost_help += "\n  " + std::string(name) + ": " + std::string(description);
  }
  cli.add_option("--inpost-scenario", config.inpost.scenarios, inpost_help);
  CLI11_PARSE(cli, argc, argv);
  config.inpost.confirm_delay = std::chrono::milliseconds(inpost_confirm_ms);
  for (const auto& name : config.inpost.scenarios) {
    sandbox::inpost::InPostWorld scratch{sandbox::inpost::InPostOptions{}};
    if (auto valid = sandbox::inpost::SetInPostScenario(scratch, name, true); !valid) {
      std::cerr << "nadajnik-sandbox: " << valid.error().message << "\n";
      return 2;
    }
  }
  config.allegro.access_token_ttl = std::chrono::seconds(token_ttl);
  config.allegro.rate_limit_block = std::chrono::seconds(block_seconds);
  if (auto valid = sandbox::ValidateScenarios(config.allegro.scenarios); !valid) {
    std::cerr << "nadajnik-sandbox: " << valid.error().message << "\n";
    return 2;
  }
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "nadajnik-sandbox: --listen must be host:port\n";
    return 2;
  }
  config.address = listen.substr(0, colon);
  config.port = static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1)));

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  sandbox::Sandbox sandbox(config);
  if (auto started = sandbox.Start(); !started) {
    std::cerr << "nadajnik-sandbox: " << started.error().message << "\n";
    return 1;
  }
  std::cout << "LISTENING " << sandbox.port() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  sandbox.Stop();
  return 0;
}
