// The Poczta Polska e-Nadawca simulator of nadajnik-sandbox, under the path prefix /poczta-polska:
// the SOAP 1.1 endpoint is the WSDL's service address path, POST /poczta-polska/websrv/en.php
// (a client's base URL is http://127.0.0.1:PORT/poczta-polska). It follows
// shared/reference/carriers.md section 3 and the section 9 checklist and the WSDL in
// shared/reference/specs/, not our client:
//
//   HTTP Basic (login/password) on every call: 401 otherwise. Operations: hello, getGuid,
//   getUrzedyNadania, addShipment (1..500 przesylki, partial success with retval[i].error[],
//   20-digit numerNadania for registered products, none for unregistered ones, which are
//   quantities), getEnvelopeBufor, clearEnvelope, clearEnvelopeByGuids, sendEnvelope (closes the
//   bufor into an envelope, WYSLANY; unknown urzadNadania refused), getEnvelopeStatus (WYSLANY ->
//   PRZYJETY after accept_delay or the admin call), getEnvelopeList, getEnvelopeContentShort,
//   getEPOStatus, getPrintForParcel (ADDRESS_LABEL[_BY_GUID], PDF or ZPL 203/300 dpi, each parcel
//   separately or all in one file), getAddresLabelByGuid (PDF per GUID), getPlacowkiPocztowe,
//   getPasswordExpiredDate. Schema violations (a GUID that is not 32 characters, a missing
//   required attribute, an enum value not in the WSDL, an element the type has not) are SOAP
//   Faults; business refusals are in-band errorType elements. The errorNumber values are ours:
//   the reference documents no list.
//
// Admin (JSON, under /__sandbox/poczta-polska/): POST envelopes/{id}/accept (PRZYJETY),
// POST shipments/{numerNadania}/advance {"status"?: statusEPO} (next step of the journey NADANIE
// -> W_TRANSPORCIE -> W_DORECZENIU -> DORECZONA, or the named status), GET shipments,
// GET|POST scenarios {"name", "on", params}: server-errors (every Nth call a SOAP Server fault
// with HTTP 500: every, burst), slow (delayMs).
//
// One mutex guards the world; handlers hold it for the whole request, BeforeRequest too.
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
#include "documents/labels.hpp"
#include "http/request.hpp"
#include "http/router.hpp"

namespace nadajnik::sandbox::poczta_polska {

struct PocztaPolskaAccount {
  std::string login;
  std::string password;
  int id_bufor = 0;                 // the account's default bufor
  std::vector<int> urzedy_nadania;  // posting offices assigned to the account
};

struct PocztaPolskaOptions {
  std::vector<PocztaPolskaAccount> accounts = {
      {"nadajnik-en", "haslo-en-sandbox", 101, {260001}},
      {"nadajnik-en-2", "haslo-en-sandbox-2", 102, {260001, 260002}},
  };
  // An envelope goes from WYSLANY to PRZYJETY after this long (0: only by the admin call).
  std::chrono::milliseconds accept_delay{1000};
  // COD ceiling (grosze): not in the reference (the schema allows 9 999 999); 5000 PLN is a guess.
  std::int64_t max_cod_minor = 500000;
  std::vector<std::string> scenarios;
};

struct PocztaPolskaShipment {
  std::string guid;
  std::string numer_nadania;  // empty for unregistered products
  std::string type;           // xsi:type local name
  std::string login;
  std::int64_t cod_minor = 0;
  bool epo = false;
  int envelope_id = 0;  // 0 while in the bufor
  std::string epo_status = "NIEZNANY";
  Timestamp created_at;
  std::optional<Timestamp> awizo_at;
  std::optional<Timestamp> delivered_at;
  std::optional<Timestamp> returned_at;
  documents::LabelData label;
};

struct PocztaPolskaEnvelope {
  int id = 0;
  std::string login;
  int urzad_nadania = 0;
  std::string status = "WYSLANY";
  Timestamp sent_at;
  std::vector<std::string> guids;
};

struct PocztaPolskaFaults {
  int server_error_every = 0;
  int server_error_burst = 0;
  std::chrono::milliseconds slow{0};
  std::int64_t requests = 0;
};

struct PocztaPolskaWorld {
  explicit PocztaPolskaWorld(PocztaPolskaOptions options);

  std::mutex mu;
  PocztaPolskaOptions options;
  PocztaPolskaFaults faults;
  std::map<std::string, PocztaPolskaShipment> shipments;  // by GUID
  std::map<int, PocztaPolskaEnvelope> envelopes;
  std::int64_t next_number = 1;
  int next_envelope = 700001;
};

const std::vector<std::pair<std::string_view, std::string_view>>& PocztaPolskaScenarios();
// Switches a scenario on or off; kInvalidArgument naming the known ones.
Result<void> SetPocztaPolskaScenario(PocztaPolskaWorld& world, std::string_view name, bool on,
                                     const boost::json::object& params = {});

struct PocztaPolskaFaultDecision {
  std::optional<http::Response> response;
  std::chrono::milliseconds delay{0};
};
// For requests under /poczta-polska/: the switched-on faults. Caller holds world.mu.
PocztaPolskaFaultDecision PocztaPolskaBeforeRequest(PocztaPolskaWorld& world,
                                                    const http::Request& request);

void RegisterPocztaPolskaRoutes(http::Router& router, PocztaPolskaWorld& world);

}  // namespace nadajnik::sandbox::poczta_polska
