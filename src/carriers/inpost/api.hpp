// InPostConnector: CarrierConnector over InPost ShipX (shared/reference/carriers.md section 2)
// for one organization and its long-lived bearer token.
//
// Create posts the simplified-mode body (service given) and returns at once: ShipX answers
// "created" with no tracking number, so confirmed is false until Status() sees "confirmed" or
// later. FindByReference pages through the organization's newest shipments (the reference's
// documented list filters are id, tracking_number and status, so `reference` is sent as a hint
// and the match is made here). FetchLabel: PDF A6 (type=A6), PDF A4 (type=normal; courier
// services have none and ShipX answers A6, reported as kPdfA6), ZPL 203 dpi (format=Zpl) and ZPL
// 300 dpi (type=dpi300, only for the services section 2.6 lists; kFailedPrecondition for others);
// every label is checked with documents::CheckLabel. Cancel is a DELETE, which ShipX allows only
// in "created" and "offers_prepared" (kFailedPrecondition after). CheckCredentials lists one
// shipment of the organization.
//
// Errors as carrier_connector.hpp says; a 404 on an organization path means a wrong organization
// id (kPermissionDenied). The token never reaches a log or a message. Not thread-safe (one per
// job run); the HttpClient is borrowed and must outlive the connector.
#pragma once

#include <chrono>
#include <string>

#include "carriers/carrier_connector.hpp"
#include "carriers/inpost/mapping.hpp"
#include "core/secret.hpp"
#include "net/http_client.hpp"

namespace nadajnik::carriers::inpost {

struct InPostSettings {
  // Production; the sandbox is https://sandbox-api-shipx-pl.easypack24.net (its own token and
  // organization id), the simulator http://127.0.0.1:PORT/inpost.
  std::string base_url = "https://api-shipx-pl.easypack24.net";
  std::string organization_id;
  Secret<std::string> token;
  ValidationLimits limits;
  // How a parcel reaches InPost when the request names no drop-off point.
  std::string default_sending_method = "dispatch_order";
  std::string accept_language = "en_GB";  // ShipX localises error messages: pl_PL or en_GB
  std::chrono::milliseconds timeout{30000};
  int find_pages = 10;  // FindByReference looks at this many pages of 100 newest shipments
};

class InPostConnector final : public CarrierConnector {
 public:
  InPostConnector(net::HttpClient& http, InPostSettings settings);

  domain::Carrier carrier() const override { return domain::Carrier::kInPost; }
  Capabilities capabilities() const override;
  Result<void> CheckCredentials() override;
  Result<RemoteShipment> Create(const ShipmentRequest& request) override;
  Result<RemoteShipment> Status(const std::string& remote_id) override;
  Result<std::optional<RemoteShipment>> FindByReference(const std::string& reference) override;
  Result<Label> FetchLabel(const std::string& remote_id, domain::LabelFormat format) override;
  Result<std::vector<TrackingEvent>> Track(const std::string& tracking_number) override;
  Result<void> Cancel(const std::string& remote_id) override;

 private:
  // One call; answers >= 400 become Errors (ErrorFromResponse), transport failures stay.
  Result<net::HttpResponse> Call(const std::string& method, const std::string& path,
                                 std::string_view what, const std::string& body = {},
                                 bool organization_scoped = false);
  Result<boost::json::value> GetShipmentJson(const std::string& remote_id);
  std::string OrganizationPath() const;

  net::HttpClient& http_;
  InPostSettings settings_;
};

}  // namespace nadajnik::carriers::inpost
