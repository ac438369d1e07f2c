// DpdConnector: CarrierConnector over DPD Polska DPDServices (shared/reference/carriers.md
// section 5), SOAP with authDataV1 {login, password, masterFid} in every body.
//
// Create is synchronous: generatePackagesNumbersV4 answers the waybills at once, so the shipment
// comes back confirmed. The remote id is the package's waybills joined by ',' (mapping.hpp
// RemoteIdOf): labels and protocols address parcels by waybill. CreateMany sends several
// packages in one call (IGNORE_ERRORS: each gets its own result). FetchLabel(s) call
// generateSpedLabelsV4 (PDF A6 = LBL_PRINTER, PDF A4, ZPL 203 dpi; many waybills give one
// document) and check the document with documents::CheckLabel; HandoverProtocol calls
// generateProtocolV2 (the sheet the courier signs at pickup). Track and Status read
// getEventsForWaybillV1 on the Info service (production only; its own base URL).
//
// What DPDServices does not have, and so this connector does not pretend: a cancel call (Cancel
// is kFailedPrecondition: a package that is not handed over is simply not given to the courier),
// a search by reference (FindByReference is kFailedPrecondition: DPD can't tell whether an
// earlier attempt that crashed after DPD answered made a package, so the shipment service asks
// the packer to look in DPD's panel instead of creating a second one). CheckCredentials asks
// findPostalCodeV1 about the sender's postal code.
//
// Errors as carrier_connector.hpp says; DeniedAccessWSException is kPermissionDenied naming the
// settings. The password never reaches a log or a message. Not thread-safe (one per job run);
// the HttpClient is borrowed and must outlive the connector.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "carriers/carrier_connector.hpp"
#include "carriers/dpd/mapping.hpp"
#include "core/secret.hpp"
#include "net/http_client.hpp"

namespace nadajnik::carriers::dpd {

struct DpdSettings {
  // Production hosts; the demo package host is https://dpdservicesdemo.dpd.com.pl (its own
  // credentials), the simulator http://127.0.0.1:PORT/dpd for both.
  std::string package_base_url = "https://dpdservices.dpd.com.pl";
  std::string info_base_url = "https://dpdinfoservices.dpd.com.pl";
  std::string login;
  Secret<std::string> password;
  std::string master_fid;
  // The postal code CheckCredentials asks about (the seller's own, ideally).
  std::string check_postal_code = "02-274";
  ValidationLimits limits;
  std::string lang = "PL";
  std::chrono::milliseconds timeout{30000};
};

class DpdConnector final : public CarrierConnector {
 public:
  DpdConnector(net::HttpClient& http, DpdSettings settings);

  domain::Carrier carrier() const override { return domain::Carrier::kDpd; }
  Capabilities capabilities() const override;
  Result<void> CheckCredentials() override;
  Result<RemoteShipment> Create(const ShipmentRequest& request) override;
  Result<RemoteShipment> Status(const std::string& remote_id) override;
  Result<std::optional<RemoteShipment>> FindByReference(const std::string& reference) override;
  Result<Label> FetchLabel(const std::string& remote_id, domain::LabelFormat format) override;
  Result<std::vector<TrackingEvent>> Track(const std::string& tracking_number) override;
  Result<void> Cancel(const std::string& remote_id) override;
  Result<Handover> CloseDay(const std::vector<std::string>& remote_ids) override;

  // DPD-only. Several shipments in one generatePackagesNumbersV4 call; a result per request, in
  // order. The outer error is for the call as a whole (credentials, transport, a request that
  // fails ValidateRequest).
  Result<std::vector<Result<RemoteShipment>>> CreateMany(
      const std::vector<ShipmentRequest>& requests);
  // One label document for the parcels of several shipments.
  Result<Label> FetchLabels(const std::vector<std::string>& remote_ids, domain::LabelFormat format);
  // The handover protocol (PDF, A4) for these shipments.
  Result<std::string> HandoverProtocol(const std::vector<std::string>& remote_ids);

 private:
  Result<std::string> Call(const std::string& url, const std::string& body, std::string_view what);
  Result<std::vector<std::string>> Waybills(const std::vector<std::string>& remote_ids);
  Result<std::string> Document(const std::string& envelope, std::string_view what,
                               domain::LabelFormat check_as);
  AuthData Auth() const;

  net::HttpClient& http_;
  DpdSettings settings_;
};

}  // namespace nadajnik::carriers::dpd
