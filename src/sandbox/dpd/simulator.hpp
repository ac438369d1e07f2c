// The DPD Polska DPDServices simulator of nadajnik-sandbox, under the path prefix /dpd (a
// client's package and info base URLs are both http://127.0.0.1:PORT/dpd). SOAP 1.1 over POST,
// following shared/reference/carriers.md section 5 and the section 9 checklist, not our client:
//
//   /dpd/DPDPackageObjServicesService/DPDPackageObjServices
//     generatePackagesNumbersV4   openUMLFeV3 packages with STOP_ON_FIRST_ERROR / ALL_OR_NOTHING /
//                                 IGNORE_ERRORS; per-package and per-parcel ValidationDetails;
//                                 a 14-character waybill per parcel (13 digits + 'Q')
//     generateSpedLabelsV4        PDF | ZPL | EPL x A4 | LBL_PRINTER, one document for many
//                                 waybills, base64 in documentData
//     generateProtocolV2          the handover protocol, a PDF on A4
//     findPostalCodeV1            whether a postal code is served
//   /dpd/DPDInfoServicesObjEventsService/DPDInfoServicesObjEvents
//     getEventsForWaybillV1       ALL | ONLY_LAST, newest first
//
// authDataV1 must name a known account (login, password, masterFid): else a SOAP Fault with
// DeniedAccessWSException. A malformed request is a SchemaValidationException Fault. Labels are
// real documents (documents::RenderPdfA6, FourUpA4, RenderZpl) with the waybill as Code 128.
//
// The reference leaves open, so this simulator assumes (and says so in the Info texts): the
// validation codes other than INCORRECT_SENDER_POSTAL_CODE (INCORRECT_RECEIVER_POSTAL_CODE,
// INCORRECT_PUDO, INCORRECT_COD_AMOUNT, ...), the COD ceiling, the pudo id format, the event
// businessCodes, the element names of array items (<Packages><Package>, <Parcels><Parcel>,
// <ValidationDetails><ValidationInfo>), and the namespaces of the production WSDLs.
//
// Admin (JSON, under /__sandbox/dpd/): POST parcels/{waybill}/advance {"code"?} (next event of
// the parcel's journey, or the named businessCode), GET packages, POST scenarios {"name","on"}.
// Scenario: unavailable (every DPD call answers HTTP 503).
//
// One mutex guards the world; handlers hold it for the whole request.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "http/request.hpp"
#include "http/router.hpp"

namespace nadajnik::sandbox::dpd {

struct DpdAccount {
  std::string login;
  std::string password;
  std::string master_fid;
};

struct DpdPickupPoint {
  std::string pudo;  // "PL11033"
  std::string name;
  std::string address;
};

struct DpdOptions {
  std::vector<DpdAccount> accounts = {
      {"149510101", "dpd-sandbox-haslo", "1495101"},
      {"149520201", "dpd-sandbox-haslo-2", "1495202"},
  };
  std::vector<DpdPickupPoint> pickup_points = {
      {"PL11033", "DPD Pickup Żabka", "Półwiejska 2, 61-888 Poznań"},
      {"PL14129", "DPD Pickup Kiosk Ruch", "Malborska 130, 30-624 Kraków"},
      {"PL10125", "DPD Pickup Stacja Orlen", "Nowogrodzka 31, 00-695 Warszawa"},
      {"PL12001", "DPD Pickup Sklep Lewiatan", "Grunwaldzka 82, 80-001 Gdańsk"},
  };
  // Well-formed codes DPD does not serve (a real list would come from findPostalCodeV1).
  std::vector<std::string> unserved_postal_codes = {"00-000", "99-999", "11-111"};
  // COD ceiling in grosze: not in the reference; 11 000 PLN assumed.
  std::int64_t max_cod_minor = 1100000;
  std::vector<std::string> scenarios;
};

struct DpdEvent {
  std::string code;
  std::string description;
  Timestamp at;
};

struct DpdParcel {
  std::string waybill;
  std::int64_t parcel_id = 0;
  std::int64_t package_id = 0;
  std::string master_fid;
  std::string weight;  // kg as sent
  std::string reference;
  int index = 0;                 // in its package
  std::vector<DpdEvent> events;  // oldest first
};

struct DpdPackage {
  std::int64_t id = 0;
  std::string master_fid;
  std::string reference;
  std::string ref1;
  std::string pudo;
  std::int64_t cod_minor = 0;
  std::vector<std::string> sender;    // address lines
  std::vector<std::string> receiver;  // address lines
  std::vector<std::string> waybills;
};

struct DpdWorld {
  explicit DpdWorld(DpdOptions options);

  std::mutex mu;
  DpdOptions options;
  bool unavailable = false;
  std::map<std::string, DpdParcel> parcels;  // by waybill
  std::map<std::int64_t, DpdPackage> packages;
  std::int64_t next_package = 20000001;
  std::int64_t next_parcel = 30000001;
  std::int64_t next_waybill = 92494467;
  std::int64_t next_session = 1001;
  std::int64_t next_document = 1;
};

const std::vector<std::pair<std::string_view, std::string_view>>& DpdScenarios();
// kInvalidArgument naming the known scenarios.
Result<void> SetDpdScenario(DpdWorld& world, std::string_view name, bool on);

struct DpdFaultDecision {
  std::optional<http::Response> response;
  std::chrono::milliseconds delay{0};
};
// For requests under /dpd/: the switched-on faults. Caller holds world.mu.
DpdFaultDecision DpdBeforeRequest(DpdWorld& world, const http::Request& request);

void RegisterDpdRoutes(http::Router& router, DpdWorld& world);

}  // namespace nadajnik::sandbox::dpd
