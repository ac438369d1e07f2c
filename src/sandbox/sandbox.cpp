#include "sandbox/sandbox.hpp"

#include <thread>

#include <fmt/format.h>

#include "http/router.hpp"
#include "http/server/server.hpp"
#include "sandbox/allegro/admin_api.hpp"
#include "sandbox/allegro/faults.hpp"
#include "sandbox/allegro/invoices_api.hpp"
#include "sandbox/allegro/oauth.hpp"
#include "sandbox/allegro/offers_api.hpp"
#include "sandbox/allegro/orders_api.hpp"
#include "sandbox/allegro/rest.hpp"
#include "sandbox/allegro/shipping_api.hpp"
#include "sandbox/dpd/simulator.hpp"
#include "sandbox/inpost/simulator.hpp"
#include "sandbox/orlen/simulator.hpp"
#include "sandbox/poczta_polska/simulator.hpp"

namespace nadajnik::sandbox {

struct Sandbox::Impl {
  SandboxConfig config;
  allegro::World world;
  inpost::InPostWorld inpost_world;
  orlen::OrlenWorld orlen_world;
  poczta_polska::PocztaPolskaWorld poczta_polska_world;
  dpd::DpdWorld dpd_world;
  http::Router router;
  std::unique_ptr<http::HttpServer> server;

  explicit Impl(SandboxConfig c)
      : config(std::move(c)),
        world(config.allegro),
        inpost_world(config.inpost),
        orlen_world(config.orlen),
        poczta_polska_world(config.poczta_polska),
        dpd_world(config.dpd) {}
};

void AddDefaultSellers(allegro::World& world) {
  world.sellers.push_back({"437848322", "sprzedawca-pl", std::string(kDefaultSellerPassword),
                           allegro::Marketplace::kPl, "Anna", "Wiśniewska",
                           "sprzedawca-pl@example.pl", "Sklep Wiśnia Sp. z o.o.", "5252448481"});
  world.sellers.push_back({"518293746", "prodejce-cz", std::string(kDefaultSellerPassword),
                           allegro::Marketplace::kCz, "Petr", "Dvořák", "prodejce-cz@example.cz",
                           "Obchod Dvořák s.r.o.", "CZ27082440"});
}

Sandbox::Sandbox(SandboxConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  auto& world = impl_->world;
  AddDefaultSellers(world);
  for (const auto& name : impl_->config.allegro.scenarios) {
    // Unknown names are refused by ValidateScenarios() before a Sandbox is built.
    (void)allegro::SetScenario(world, name, true);
  }
  // The initial orders: two thirds for the Polish seller (some sold to Czech buyers), a third
  // for the Czech one, bought over the last 30 days.
  const int n = std::max(0, impl_->config.initial_orders);
  const int pl = n - n / 3;
  const int pl_on_cz = pl / 5;
  const auto month = std::chrono::hours(24 * 30);
  world.CreatePaidOrders(0, allegro::Marketplace::kPl, pl - pl_on_cz, month);
  world.CreatePaidOrders(0, allegro::Marketplace::kCz, pl_on_cz, month);
  world.CreatePaidOrders(1, allegro::Marketplace::kCz, n / 3, month);
  allegro::RegisterOAuthRoutes(impl_->router, world);
  allegro::RegisterOrderRoutes(impl_->router, world);
  allegro::RegisterInvoiceRoutes(impl_->router, world);
  allegro::RegisterOfferRoutes(impl_->router, world);
  allegro::RegisterShippingRoutes(impl_->router, world);
  allegro::RegisterAdminRoutes(impl_->router, world);
  inpost::RegisterInPostRoutes(impl_->router, impl_->inpost_world);
  orlen::RegisterOrlenRoutes(impl_->router, impl_->orlen_world);
  poczta_polska::RegisterPocztaPolskaRoutes(impl_->router, impl_->poczta_polska_world);
  dpd::RegisterDpdRoutes(impl_->router, impl_->dpd_world);
}

Sandbox::~Sandbox() { Stop(); }

Result<void> Sandbox::Start() {
  http::ServerOptions options;
  options.address = impl_->config.address;
  options.port = impl_->config.port;
  options.threads = impl_->config.threads;
  impl_->server = std::make_unique<http::HttpServer>(options, [this](http::Request& req) {
    allegro::SetRequestLanguage(req.Header("Accept-Language").value_or(""));
    allegro::FaultDecision fault;
    if (req.path.starts_with("/inpost/")) {  // the carrier simulators have their own faults
      std::lock_guard lock(impl_->inpost_world.mu);
      auto f = inpost::InPostBeforeRequest(impl_->inpost_world, req);
      fault.response = std::move(f.response);
      fault.delay = f.delay;
    } else if (req.path.starts_with("/orlen/")) {
      std::lock_guard lock(impl_->orlen_world.mu);
      auto f = orlen::OrlenBeforeRequest(impl_->orlen_world, req);
      fault.response = std::move(f.response);
      fault.delay = f.delay;
    } else if (req.path.starts_with("/poczta-polska/")) {
      std::lock_guard lock(impl_->poczta_polska_world.mu);
      auto f = poczta_polska::PocztaPolskaBeforeRequest(impl_->poczta_polska_world, req);
      fault.response = std::move(f.response);
      fault.delay = f.delay;
    } else if (req.path.starts_with("/dpd/")) {
      std::lock_guard lock(impl_->dpd_world.mu);
      auto f = dpd::DpdBeforeRequest(impl_->dpd_world, req);
      fault.response = std::move(f.response);
      fault.delay = f.delay;
    } else {
      std::lock_guard lock(impl_->world.mu);
      fault = allegro::BeforeRequest(impl_->world, req);
    }
    if (fault.delay.count() > 0) std::this_thread::sleep_for(fault.delay);  // without the lock
    if (fault.response) return *fault.response;
    return impl_->router.Dispatch(req);
  });
  return impl_->server->Start();
}

void Sandbox::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop();
}

std::uint16_t Sandbox::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string Sandbox::base_url() const {
  return fmt::format("http://{}:{}", impl_->config.address, port());
}

allegro::World& Sandbox::world() { return impl_->world; }

inpost::InPostWorld& Sandbox::inpost_world() { return impl_->inpost_world; }

orlen::OrlenWorld& Sandbox::orlen_world() { return impl_->orlen_world; }

poczta_polska::PocztaPolskaWorld& Sandbox::poczta_polska_world() {
  return impl_->poczta_polska_world;
}

dpd::DpdWorld& Sandbox::dpd_world() { return impl_->dpd_world; }

Result<void> ValidateScenarios(const std::vector<std::string>& names) {
  allegro::World scratch{allegro::SandboxOptions{}};
  for (const auto& name : names) NADAJNIK_TRY(allegro::SetScenario(scratch, name, true));
  return Ok();
}

}  // namespace nadajnik::sandbox
