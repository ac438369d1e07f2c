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
      "ORLEN Paczka (SOAP) at /orlen/WebServicePwR/WebServicePwR.asmx: PartnerID 1001 with "
      "PartnerKey orlen-sandbox-key, 1002 with orlen-sandbox-key-2; admin under "
      "/__sandbox/orlen/.\n"
      "Poczta Polska e-Nadawca (SOAP, HTTP Basic) at /poczta-polska/websrv/en.php: login "
      "nadajnik-en with password haslo-en-sandbox (bufor 101, posting office 260001); admin "
      "under /__sandbox/poczta-polska/.\n"
      "DPD DPDServices (SOAP) at /dpd/DPDPackageObjServicesService/DPDPackageObjServices and "
      "/dpd/DPDInfoServicesObjEventsService/DPDInfoServicesObjEvents: login 149510101, password "
      "dpd-sandbox-haslo, masterFid 1495101 (second account 149520201 / dpd-sandbox-haslo-2 / "
      "1495202); admin under /__sandbox/dpd/.\n"
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
  std::string orlen_help =
      "Switch an ORLEN Paczka scenario on (repeatable; also POST /__sandbox/orlen/scenarios):";
  for (const auto& [name, description] : sandbox::orlen::OrlenScenarios()) {
    orlen_help += "\n  " + std::string(name) + ": " + std::string(description);
  }
  cli.add_option("--orlen-scenario", config.orlen.scenarios, orlen_help);
  cli.add_option("--orlen-max-cod", config.orlen.max_cod_minor,
                 "ORLEN Paczka: the COD ceiling in grosze (not in the reference; 5000 PLN)")
      ->default_val(config.orlen.max_cod_minor)
      ->check(CLI::Range(1LL, 999999999LL));
  long long pp_accept_ms = config.poczta_polska.accept_delay.count();
  cli.add_option("--poczta-polska-accept-ms", pp_accept_ms,
                 "Poczta Polska: how long a sent envelope stays WYSLANY before PRZYJETY (0: only "
                 "by POST /__sandbox/poczta-polska/envelopes/{id}/accept)")
      ->default_val(pp_accept_ms)
      ->check(CLI::Range(0LL, 86400000LL));
  cli.add_option("--poczta-polska-max-cod", config.poczta_polska.max_cod_minor,
                 "Poczta Polska: the COD ceiling in grosze (not in the reference; 5000 PLN)")
      ->default_val(config.poczta_polska.max_cod_minor)
      ->check(CLI::Range(1LL, 9999999LL));
  std::string pp_help =
      "Switch a Poczta Polska scenario on (repeatable; also POST "
      "/__sandbox/poczta-polska/scenarios):";
  for (const auto& [name, description] : sandbox::poczta_polska::PocztaPolskaScenarios()) {
    pp_help += "\n  " + std::string(name) + ": " + std::string(description);
  }
  cli.add_option("--poczta-polska-scenario", config.poczta_polska.scenarios, pp_help);
  std::string dpd_help =
      "Switch a DPD scenario on (repeatable; also POST /__sandbox/dpd/scenarios):";
  for (const auto& [name, description] : sandbox::dpd::DpdScenarios()) {
    dpd_help += "\n  " + std::string(name) + ": " + std::string(description);
  }
  cli.add_option("--dpd-scenario", config.dpd.scenarios, dpd_help);
  cli.add_option("--dpd-max-cod", config.dpd.max_cod_minor,
                 "DPD: COD ceiling in grosze (not in the reference; 1100000 assumed)")
      ->default_val(config.dpd.max_cod_minor)
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000000}));
  CLI11_PARSE(cli, argc, argv);
  for (const auto& name : config.dpd.scenarios) {
    sandbox::dpd::DpdWorld scratch{sandbox::dpd::DpdOptions{}};
    if (auto valid = sandbox::dpd::SetDpdScenario(scratch, name, true); !valid) {
      std::cerr << "nadajnik-sandbox: " << valid.error().message << "\n";
      return 2;
    }
  }
  config.poczta_polska.accept_delay = std::chrono::milliseconds(pp_accept_ms);
  for (const auto& name : config.poczta_polska.scenarios) {
    sandbox::poczta_polska::PocztaPolskaWorld scratch{
        sandbox::poczta_polska::PocztaPolskaOptions{}};
    if (auto valid = sandbox::poczta_polska::SetPocztaPolskaScenario(scratch, name, true); !valid) {
      std::cerr << "nadajnik-sandbox: " << valid.error().message << "\n";
      return 2;
    }
  }
  config.inpost.confirm_delay = std::chrono::milliseconds(inpost_confirm_ms);
  for (const auto& name : config.orlen.scenarios) {
    sandbox::orlen::OrlenWorld scratch{sandbox::orlen::OrlenOptions{}};
    if (auto valid = sandbox::orlen::SetOrlenScenario(scratch, name, true); !valid) {
      std::cerr << "nadajnik-sandbox: " << valid.error().message << "\n";
      return 2;
    }
  }
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
