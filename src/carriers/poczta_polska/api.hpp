// PocztaPolskaConnector: CarrierConnector over Poczta Polska e-Nadawca (SOAP 1.1, HTTP Basic with
// the WebAPI login and password; shared/reference/carriers.md section 3), Pocztex Kurier and
// Paczka pocztowa through the same API.
//
// The e-Nadawca cycle: Create() puts the shipment into the account's bufor (addShipment; our GUID
// is derived from the reference, so FindByReference and a retry find the earlier attempt) and the
// answer carries the tracking number at once (confirmed, label available: getPrintForParcel).
// CreateMany() adds up to 500 at once with per-shipment results (the API can partly succeed).
// SendEnvelope() closes the day: sendEnvelope transmits the bufor as an electronic sending book
// and returns the envelope; EnvelopeStatus() follows it (WYSLANY -> PRZYJETY ...); ClearBuffer()
// empties the bufor (clearEnvelope). Cancel() removes one shipment from the bufor
// (clearEnvelopeByGuids); after its envelope is sent it can't be cancelled through the API
// (kFailedPrecondition). Status() and Track() look in the bufor, then in the envelopes of the last
// `search_days` days (getEnvelopeList, getEnvelopeContentShort); Track() reads the electronic
// proof-of-delivery status (getEPOStatus), which is the current status only (e-Nadawca keeps no
// history): events are "in the bufor" or "sent in envelope N", then the EPO status with the date
// the answer carries (the time of asking when it carries none). CheckCredentials asks for the
// account's posting offices (getUrzedyNadania), which also tells an account without one.
//
// Errors as carrier_connector.hpp says; unregistered letters are refused before any call. The
// password never reaches a log or a message. Not thread-safe (one per job run); the HttpClient and
// Clock are borrowed and must outlive the connector.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "carriers/carrier_connector.hpp"
#include "carriers/poczta_polska/mapping.hpp"
#include "core/clock.hpp"
#include "core/secret.hpp"
#include "net/http_client.hpp"

namespace nadajnik::carriers::poczta_polska {

struct PocztaPolskaSettings {
  // Production; the test environment is https://en-testwebapi.poczta-polska.pl (its own account),
  // the simulator http://127.0.0.1:PORT/poczta-polska. The endpoint is base_url + /websrv/en.php.
  std::string base_url = "https://e-nadawca.poczta-polska.pl";
  std::string login;
  Secret<std::string> password;
  std::optional<int> id_bufor;       // the account's default bufor when empty
  std::optional<int> urzad_nadania;  // posting office for sendEnvelope (getUrzedyNadania)
  ShipmentDefaults defaults;
  // The PDF page size is an e-Nadawca panel setting, not an API parameter (section 3.4): true
  // when the seller set A4 there.
  bool pdf_page_a4 = false;
  int search_days = 30;  // how far back Status/Track/FindByReference look for sent envelopes
  std::chrono::milliseconds timeout{30000};
};

class PocztaPolskaConnector final : public CarrierConnector {
 public:
  PocztaPolskaConnector(net::HttpClient& http, PocztaPolskaSettings settings,
                        const Clock* clock = nullptr);

  domain::Carrier carrier() const override { return domain::Carrier::kPocztaPolska; }
  Capabilities capabilities() const override;
  Result<void> CheckCredentials() override;
  Result<RemoteShipment> Create(const ShipmentRequest& request) override;
  Result<RemoteShipment> Status(const std::string& remote_id) override;
  Result<std::optional<RemoteShipment>> FindByReference(const std::string& reference) override;
  Result<Label> FetchLabel(const std::string& remote_id, domain::LabelFormat format) override;
  Result<std::vector<TrackingEvent>> Track(const std::string& tracking_number) override;
  Result<void> Cancel(const std::string& remote_id) override;
  Result<Handover> CloseDay(const std::vector<std::string>& remote_ids) override;

  // Up to 500 shipments in one addShipment; one result per request, in order. The outer error is
  // for the call as a whole (credentials, outage).
  Result<std::vector<Result<RemoteShipment>>> CreateMany(
      const std::vector<ShipmentRequest>& requests);
  // Transmits the bufor as a sending book (sendEnvelope).
  Result<EnvelopeInfo> SendEnvelope();
  Result<EnvelopeInfo> EnvelopeStatus(int id_envelope);
  // Empties the bufor (clearEnvelope): every shipment not yet sent is dropped.
  Result<void> ClearBuffer();

 private:
  struct Location {
    bool in_buffer = false;
    std::string guid;
    std::string numer_nadania;
    int envelope_id = 0;
    std::string envelope_status;
    std::string shipment_status;
    std::string date;
  };
  Result<SoapAnswer> Call(std::string_view operation, const std::string& body,
                          std::string_view what);
  // By GUID or by tracking number; nullopt when neither the bufor nor recent envelopes have it.
  Result<std::optional<Location>> Locate(const std::string& guid, const std::string& number);
  RemoteShipment ToRemote(const Location& l) const;
  std::vector<std::pair<std::string, std::string>> BuforParam() const;

  net::HttpClient& http_;
  PocztaPolskaSettings settings_;
  const Clock* clock_;
  SystemClock system_clock_;
};

}  // namespace nadajnik::carriers::poczta_polska
