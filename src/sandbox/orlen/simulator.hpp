// The ORLEN Paczka simulator of nadajnik-sandbox, under the path prefix /orlen. It follows
// shared/reference/carriers.md section 4 and the section 9 checklist, not our client. One SOAP
// 1.1 endpoint (POST, text/xml) at /orlen/WebServicePwR/WebServicePwR.asmx (test path) and
// /orlen/WebServicePwRProd/WebServicePwR.asmx (production path); the operation is the body's
// first element in the namespace https://91.242.220.103/WebServicePwR and must match the
// SOAPAction header, else HTTP 500 with a SOAP Fault, as ASP.NET answers.
//
//   GenerateLabelBusinessPackListTwo   BusinessPack list -> one Err/ErrDes row per pack (the
//                                      documented flat Result for one pack, a DataSet diffgram
//                                      for several), 13-digit PackCode_RUCH, base64 LabelData of
//                                      the saved packs; 006 when AutoDestinationChange=T moved a
//                                      pack off an unavailable point
//   LabelPrintDuplicateListTwo         Format PDF (A4, four per page) | PDF10 | ZPL | ZPL_300DPI |
//                                      EPL, at most 50 pack codes
//   PutCustomerPackCanceled            only while the pack is registered (Trans 200); Err 210 after
//   GiveMePackStatusFullHistoryList    rows {PackCode, Trans, Trans_Des, Data, Attribute}, <= 1000
//   GiveMeAllLocationWithAllDataWithZipCode  the seeded points only (no credential check)
//
// A DestinationCode RR-PPPPPP-XX-NN is resolved by its 6-digit PSD, so "XX-116263-00-00" is
// completed to the point's code (section 4.5). The points: the eight seeded ones, and every ORLEN
// point the Allegro simulator hands its buyers (allegro::FindGeneratedOrlenPoint: PSD 100000 to
// 399999, a parcel machine with COD); any other PSD is Err 105.
//
// PartnerID/PartnerKey are checked on the pack operations only (a wrong key shows as Err != 0 on
// a business call). Codes the reference names: 000, 006, 104, 106, 210. The others are the
// simulator's own (the reference says only "other: error, show ErrDes"): 100 wrong PartnerID /
// PartnerKey, 101 too many packs, 105 unknown point, 107 point unavailable, 108 phone, 109
// BoxSize, 110 label format, 112 postal code, 115 terms not accepted, 120 COD over the limit,
// 121 point without COD, 122 amount not in grosze.
//
// Admin (JSON, under /__sandbox/orlen/): POST packs/{code}/advance {"trans"?, "attribute"?} (the
// next step of the journey 210 ... 1000, or the given code), GET packs, GET|POST scenarios
// {"name", "on", params}: server-errors (every Nth call starts a burst of HTTP 503: every, burst),
// slow (delayMs).
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

namespace nadajnik::sandbox::orlen {

struct OrlenPartner {
  std::string id;   // PartnerID
  std::string key;  // PartnerKey (the WebTrucker password)
};

struct OrlenOptions {
  std::vector<OrlenPartner> partners = {{"1001", "orlen-sandbox-key"},
                                        {"1002", "orlen-sandbox-key-2"}};
  // COD ceiling (grosze): not in the reference; 5000 PLN is ORLEN Paczka's price-list limit.
  std::int64_t max_cod_minor = 500000;
  std::vector<std::string> scenarios;
};

struct OrlenEvent {
  std::string trans;
  std::string attribute;
  Timestamp at;
};

struct OrlenPack {
  std::string code;  // PackCode_RUCH
  std::string partner_id;
  std::string destination_code;
  std::map<std::string, std::string> fields;  // the BusinessPack as sent
  std::vector<OrlenEvent> history;            // oldest first
};

struct OrlenFaults {
  int server_error_every = 0;
  int server_error_burst = 0;
  std::chrono::milliseconds slow{0};
  std::int64_t requests = 0;
};

struct OrlenWorld {
  explicit OrlenWorld(OrlenOptions options);

  std::mutex mu;
  OrlenOptions options;
  OrlenFaults faults;
  std::map<std::string, OrlenPack> packs;
  std::int64_t next_pack = 1;
};

const std::vector<std::pair<std::string_view, std::string_view>>& OrlenScenarios();
// Switches a scenario on or off; kInvalidArgument naming the known ones.
Result<void> SetOrlenScenario(OrlenWorld& world, std::string_view name, bool on,
                              const boost::json::object& params = {});

struct OrlenFaultDecision {
  std::optional<http::Response> response;
  std::chrono::milliseconds delay{0};
};
// For requests under /orlen/: the switched-on faults. Caller holds world.mu.
OrlenFaultDecision OrlenBeforeRequest(OrlenWorld& world, const http::Request& request);

void RegisterOrlenRoutes(http::Router& router, OrlenWorld& world);

}  // namespace nadajnik::sandbox::orlen
