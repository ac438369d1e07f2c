// Sandbox: the simulated Allegro (OAuth server and REST API) on one loopback port, run by the
// `nadajnik-sandbox` executable and in-process by `nadajnik demo`. Tests and the demo only:
// production never talks to it.
//
// Two sellers exist from the start: "sprzedawca-pl" (allegro.pl) and "prodejce-cz" (allegro.cz),
// password "haslo-sandbox"; `initial_orders` paid orders are spread over them and over the last
// 30 days, deterministically from the seed. InPost ShipX is simulated under /inpost
// (sandbox/inpost/simulator.hpp): organization 9001, token "inpost-sandbox-token". ORLEN Paczka
// under /orlen (sandbox/orlen/simulator.hpp): PartnerID 1001, PartnerKey "orlen-sandbox-key".
// Thread-safe after Start().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "sandbox/allegro/world.hpp"
#include "sandbox/dpd/simulator.hpp"
#include "sandbox/inpost/simulator.hpp"
#include "sandbox/orlen/simulator.hpp"
#include "sandbox/poczta_polska/simulator.hpp"

namespace nadajnik::sandbox {

struct SandboxConfig {
  allegro::SandboxOptions allegro;
  inpost::InPostOptions inpost;  // ShipX under /inpost (organizations and tokens: simulator.hpp)
  orlen::OrlenOptions orlen;     // ORLEN Paczka SOAP under /orlen (partners: simulator.hpp)
  // e-Nadawca SOAP under /poczta-polska (accounts: sandbox/poczta_polska/simulator.hpp)
  poczta_polska::PocztaPolskaOptions poczta_polska;
  dpd::DpdOptions dpd;  // DPDServices SOAP under /dpd (accounts: sandbox/dpd/simulator.hpp)
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: a free port
  int initial_orders = 0;
  int threads = 2;
};

inline constexpr std::string_view kDefaultSellerPassword = "haslo-sandbox";

class Sandbox {
 public:
  explicit Sandbox(SandboxConfig config);
  ~Sandbox();

  Result<void> Start();
  void Stop();
  std::uint16_t port() const;
  std::string base_url() const;  // http://127.0.0.1:PORT
  allegro::World& world();
  inpost::InPostWorld& inpost_world();
  orlen::OrlenWorld& orlen_world();
  poczta_polska::PocztaPolskaWorld& poczta_polska_world();
  dpd::DpdWorld& dpd_world();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// kInvalidArgument naming the first unknown scenario (faults.hpp lists them).
Result<void> ValidateScenarios(const std::vector<std::string>& names);

// Adds the default sellers (see above) to an empty world.
void AddDefaultSellers(allegro::World& world);

}  // namespace nadajnik::sandbox
