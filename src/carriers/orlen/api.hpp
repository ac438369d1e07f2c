// OrlenConnector: CarrierConnector over ORLEN Paczka's SOAP service (shared/reference/carriers.md
// section 4) for one PartnerID and its PartnerKey, which travel as the first elements of every
// operation body (no HTTP auth).
//
// Create registers the pack with GenerateLabelBusinessPackListTwo (the recommended operation) and
// is synchronous: the pack code (PackCode_RUCH, 13 digits) is the remote id and the tracking
// number, confirmed at once. CreateMany sends up to kMaxPacksPerCall packs in one call and
// answers per pack, in order (one pack's refusal does not stop the others). The target point may
// be the buyer's point as Allegro names it, the 6-digit PSD: it goes as "XX-<PSD>-00-00" and ORLEN
// completes it (mapping.hpp DestinationCodeFor). Err 006-008 (ORLEN moved the pack to another
// point, AutoDestinationChange) is a success; the status then names the new point, as it names
// the completed code when ORLEN answers with one other than the code sent. FetchLabel /
// FetchLabels re-print with LabelPrintDuplicateListTwo (at most 50 packs): PDF A6 -> Format PDF10
// (10 x 15 cm, the thermal size; ORLEN has no A6), PDF A4 -> PDF, ZPL 203 -> ZPL, ZPL 300 ->
// ZPL_300DPI; every label is checked with documents::CheckLabel.
// Status and Track read GiveMePackStatusFullHistoryList. Cancel is PutCustomerPackCanceled,
// refused with Err 210 once the pack is posted (kFailedPrecondition).
//
// CheckCredentials makes no call (ORLEN tells a wrong key only when a pack is created): it is Ok
// when both settings are filled in, and the first Create names the setting to fix. ORLEN keeps
// no searchable reference, so FindByReference can't answer: kFailedPrecondition asking the seller
// to look in WebTrucker before a retry (a retry must not create a second pack blindly).
//
// Errors as carrier_connector.hpp says; the PartnerKey never reaches a log or a message.
// Not thread-safe (one per job run); the HttpClient is borrowed and must outlive the connector.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "carriers/carrier_connector.hpp"
#include "carriers/orlen/mapping.hpp"
#include "core/secret.hpp"
#include "net/http_client.hpp"

namespace nadajnik::carriers::orlen {

inline constexpr std::size_t kMaxPacksPerCall = 50;   // not in the reference: a bounded batch
inline constexpr std::size_t kMaxLabelsPerCall = 50;  // LabelPrintDuplicateListTwo, section 4.2
inline constexpr std::size_t kMaxHistoryPacks = 1000;

struct OrlenSettings {
  // Production; the test service is https://apitest.orlenpaczka.pl/WebServicePwR/WebServicePwR.asmx
  // (its own PartnerID and key), the simulator http://127.0.0.1:PORT/orlen/WebServicePwR/
  // WebServicePwR.asmx.
  std::string endpoint = "https://api.orlenpaczka.pl/WebServicePwRProd/WebServicePwR.asmx";
  std::string partner_id;
  Secret<std::string> partner_key;
  ValidationLimits limits;
  PackOptions pack_options;
  std::chrono::milliseconds timeout{30000};
};

class OrlenConnector final : public CarrierConnector {
 public:
  OrlenConnector(net::HttpClient& http, OrlenSettings settings);

  domain::Carrier carrier() const override { return domain::Carrier::kOrlenPaczka; }
  Capabilities capabilities() const override;
  Result<void> CheckCredentials() override;
  Result<RemoteShipment> Create(const ShipmentRequest& request) override;
  Result<RemoteShipment> Status(const std::string& remote_id) override;
  Result<std::optional<RemoteShipment>> FindByReference(const std::string& reference) override;
  Result<Label> FetchLabel(const std::string& remote_id, domain::LabelFormat format) override;
  Result<std::vector<TrackingEvent>> Track(const std::string& tracking_number) override;
  Result<void> Cancel(const std::string& remote_id) override;

  // Several packs in one call (at most kMaxPacksPerCall): one answer per request, in order. The
  // outer error is for the whole call (transport, credentials, a malformed answer).
  Result<std::vector<Result<RemoteShipment>>> CreateMany(
      const std::vector<ShipmentRequest>& requests);
  // One document with the labels of up to kMaxLabelsPerCall packs, in order.
  Result<Label> FetchLabels(const std::vector<std::string>& pack_codes, domain::LabelFormat format);
  // The point list (GiveMeAllLocationWithAllDataWithZipCode); large in production: cache daily.
  Result<std::vector<Point>> Points();

 private:
  // One SOAP call: the body of a 200 answer; HTTP failures become Errors.
  Result<std::string> Post(std::string_view operation, const std::string& envelope,
                           std::string_view what);
  // Post + ParseAnswer; the first row with a failing Err becomes the Error when `fail_on_err`.
  Result<OperationAnswer> Call(std::string_view operation, const std::string& envelope,
                               std::string_view what, bool fail_on_err = true);
  Result<std::vector<HistoryRow>> History(const std::string& pack_code);
  Result<void> NeedSettings() const;

  net::HttpClient& http_;
  OrlenSettings settings_;
};

}  // namespace nadajnik::carriers::orlen
