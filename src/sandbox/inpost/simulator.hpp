// The InPost ShipX simulator of nadajnik-sandbox, under the path prefix /inpost (so a client's
// base URL is http://127.0.0.1:PORT/inpost). It follows shared/reference/carriers.md section 2
// and the section 9 checklist, not our client:
//
//   POST   /inpost/v1/organizations/{org}/shipments          simplified mode (service given);
//                                                            201 "created", tracking_number null
//   GET    /inpost/v1/shipments/{id}                         advances created -> offers_prepared
//                                                            -> offer_selected -> confirmed
//                                                            (24-digit tracking number) by time or
//                                                            polls
//   GET    /inpost/v1/organizations/{org}/shipments          list: id, tracking_number, status,
//                                                            page, per_page, sort_by, sort_order
//   DELETE /inpost/v1/shipments/{id}                         204 in created / offers_prepared only
//   GET    /inpost/v1/shipments/{id}/label                   format Pdf|Zpl|Epl, type normal|A6|
//                                                            dpi300; 400 invalid_action before
//                                                            confirmed
//   GET|POST /inpost/v1/organizations/{org}/shipments/labels bulk, max 100, zip for mixed services
//   GET    /inpost/v1/tracking/{number}                      public; history newest first
//   GET    /inpost/v1/statuses, /inpost/v1/points[/{name}]   dictionary, the seeded points
//
// Bearer tokens map to organizations (401 / 403 / 404 in the section 2.9 error shape); validation
// errors use the nested `details` shape. Labels are real documents (documents::RenderPdfA6,
// RenderZpl) with the tracking number as Code 128.
//
// Admin (JSON, under /__sandbox/inpost/): POST shipments/{id}/confirm, POST shipments/{id}/advance
// {"status"?: name} (next step of the parcel's journey, or the named status), GET shipments,
// GET|POST scenarios {"name", "on", params}. Scenarios: slow-confirmation (stay "created" until
// /confirm, or {"delayMs"}), server-errors (every Nth call starts a burst of 500s: every, burst),
// rate-limit (429 with Retry-After: every, burst, retryAfter), slow (delayMs).
//
// One mutex guards the world; handlers hold it for the whole request, BeforeRequest too (the
// caller sleeps the delay without it).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "http/request.hpp"
#include "http/router.hpp"

namespace nadajnik::sandbox::inpost {

struct InPostOrganization {
  std::string id;     // "9001"
  std::string token;  // its ShipX bearer token
  std::string name;
};

struct InPostOptions {
  // Two organizations so that a token used on the other's path gets 403.
  std::vector<InPostOrganization> organizations = {
      {"9001", "inpost-sandbox-token", "Sklep Wiśnia Sp. z o.o."},
      {"9002", "inpost-sandbox-token-2", "Obchod Dvořák s.r.o."},
  };
  // created -> confirmed takes this long (a third per step) ...
  std::chrono::milliseconds confirm_delay{1500};
  // ... or this many GETs of the shipment, whichever comes first (0: time only).
  int confirm_after_polls = 0;
  // COD ceiling (grosze): the reference gives none; 5000 PLN is InPost's price-list limit.
  std::int64_t max_cod_minor = 500000;
  std::vector<std::string> scenarios;
};

struct TrackingEntry {
  std::string status;
  std::string origin_status;
  Timestamp at;
};

struct InPostShipment {
  std::int64_t id = 0;
  std::string organization_id;
  std::string service;
  std::string status = "created";
  std::string tracking_number;         // empty until confirmed
  std::string return_tracking_number;  // once returned_to_sender
  std::vector<std::string> parcel_tracking_numbers;
  boost::json::object body;  // the accepted create body, echoed back
  int polls = 0;
  bool force_confirm = false;
  Timestamp created_at;
  Timestamp updated_at;
  std::vector<TrackingEntry> history;  // oldest first
};

struct InPostFaults {
  bool never_confirm = false;
  std::optional<std::chrono::milliseconds> confirm_delay;  // slow-confirmation with delayMs
  int server_error_every = 0;
  int server_error_burst = 0;
  int rate_limit_every = 0;
  int rate_limit_burst = 0;
  int retry_after_seconds = 1;
  std::chrono::milliseconds slow{0};
  std::int64_t requests = 0;
};

struct InPostWorld {
  explicit InPostWorld(InPostOptions options);

  std::mutex mu;
  InPostOptions options;
  InPostFaults faults;
  std::map<std::int64_t, InPostShipment> shipments;
  std::int64_t next_id = 1000000001;
  std::int64_t next_tracking = 1;
};

const std::vector<std::pair<std::string_view, std::string_view>>& InPostScenarios();
// Switches a scenario on or off; kInvalidArgument naming the known ones.
Result<void> SetInPostScenario(InPostWorld& world, std::string_view name, bool on,
                               const boost::json::object& params = {});

struct InPostFaultDecision {
  std::optional<http::Response> response;
  std::chrono::milliseconds delay{0};
};
// For requests under /inpost/: the switched-on faults. Caller holds world.mu.
InPostFaultDecision InPostBeforeRequest(InPostWorld& world, const http::Request& request);

void RegisterInPostRoutes(http::Router& router, InPostWorld& world);

}  // namespace nadajnik::sandbox::inpost
