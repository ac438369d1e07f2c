// MarketplaceParts: the Allegro side of a running Nadajnik (HTTP client, request budgets,
// connectors, authorizer) and the services built on it (accounts, import, status sync,
// shipping with the carrier connectors).
// Built once per process by OpenMarketplace (wiring.cpp); outlives every job and request.
#pragma once

#include <functional>
#include <memory>

#include "marketplace/allegro/allegro_connector.hpp"
#include "marketplace/allegro/authorizer.hpp"
#include "marketplace/allegro/request_budget.hpp"
#include "net/http_client.hpp"
#include "services/account_service.hpp"
#include "services/order_import.hpp"
#include "services/shipping.hpp"
#include "services/status_sync.hpp"

namespace nadajnik::app {

struct MarketplaceParts {
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<marketplace::allegro::BudgetRegistry> budgets;
  std::unique_ptr<marketplace::allegro::AllegroConnectorFactory> connectors;
  std::unique_ptr<marketplace::allegro::AllegroAuthorizer> authorizer;
  std::unique_ptr<services::AccountService> accounts;
  std::unique_ptr<services::OrderImporter> importer;
  std::unique_ptr<services::StatusSync> status_sync;
  std::unique_ptr<services::ShippingService> shipping;
  // The job runner's Wake, once serve has one (status pushes then run at once).
  std::function<void()> wake;
};

}  // namespace nadajnik::app
