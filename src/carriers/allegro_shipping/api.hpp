// "Wysyłam z Allegro" / Allegro Smart: Allegro's shipment-management API as a carrier
// (shared/reference/allegro-api.md section 5), spoken through the account's
// MarketplaceConnector::Raw (its tokens, request budget, 401 refresh and 429 handling).
//
// Create posts a create command whose commandId is our reference (a UUID reference as it is,
// any other one turned into a stable UUID), so a retry is the same command and
// FindByReference reads GET .../create-commands/{that id}: a crash between the call and our
// commit never makes a second shipment. Creation is asynchronous: Create answers at once with
// remote_id "command:<commandId>" and confirmed=false; Status() polls the command and, once
// Allegro has made the shipment, reads it (GET .../shipments/{id}) and answers with the
// shipmentId as remote_id and the first package's waybill as the tracking number. Every method
// taking a remote_id accepts either form (a pending one costs one more request).
//
// Smart: when the request says the buyer chose Allegro Smart, Create first checks that the
// receiver e-mail is the buyer's well-formed allegromail address, that Allegro's order says
// delivery.smart, and that Allegro has a WzA delivery proposal for the order with the same
// delivery method and receiver e-mail; otherwise kFailedPrecondition saying which. Without
// Smart a malformed receiver e-mail is kInvalidArgument (WzA links the shipment to the order by
// that address).
//
// Labels: POST /shipment-management/label (application/octet-stream). The file format is fixed
// when the shipment is created (the label_format setting): PDF shipments give PDF A6 or A4,
// ZPL shipments ZPL 203 dpi; asking for the other format is kFailedPrecondition, 300-dpi ZPL
// is not offered. Every label is checked with documents::CheckLabel. Track asks GET
// /order/carriers/{carrierId}/tracking (section 4.5), the carrier being the
// tracking_carrier_id setting or guessed from the waybill and then tried in turn (at most five
// requests for a waybill Allegro does not know yet, which gives no events). Cancel posts a
// cancel command (stable id per shipment) and waits up to cancel_wait for it; Allegro's refusal
// is kFailedPrecondition, a cancel still running kUnavailable. CheckCredentials lists the
// seller's delivery services and checks the delivery_method_id and credentials_id settings
// against them.
//
// Settings (domain::CarrierSettings.settings, all optional; see mapping.hpp): delivery_method_id,
// credentials_id, label_format (pdf|zpl), tracking_carrier_id. No secrets: the Allegro account's
// tokens are the credentials, so kPermissionDenied tells the seller to authorize the account
// again. Errors otherwise as carrier_connector.hpp says. Not thread-safe (one per job run).
#pragma once

#include <chrono>
#include <memory>

#include "carriers/allegro_shipping/mapping.hpp"
#include "carriers/carrier_connector.hpp"
#include "domain/carrier_settings.hpp"
#include "marketplace/marketplace_connector.hpp"

namespace nadajnik::carriers::allegro_shipping {

struct ConnectorOptions {
  std::chrono::milliseconds cancel_wait{std::chrono::seconds(10)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
};

class AllegroShippingConnector final : public CarrierConnector {
 public:
  AllegroShippingConnector(std::unique_ptr<marketplace::MarketplaceConnector> allegro,
                           Settings settings, ConnectorOptions options = {});

  domain::Carrier carrier() const override { return domain::Carrier::kAllegroShipping; }
  Capabilities capabilities() const override;
  Result<void> CheckCredentials() override;
  Result<RemoteShipment> Create(const ShipmentRequest& request) override;
  Result<RemoteShipment> Status(const std::string& remote_id) override;
  Result<std::optional<RemoteShipment>> FindByReference(const std::string& reference) override;
  Result<Label> FetchLabel(const std::string& remote_id, domain::LabelFormat format) override;
  Result<std::vector<TrackingEvent>> Track(const std::string& tracking_number) override;
  Result<void> Cancel(const std::string& remote_id) override;

 private:
  // One call; an answer >= 300 becomes an Error (ErrorFromResponse) unless its status is in
  // `pass`; transport, token and rate-limit failures stay as the Allegro connector gives them.
  Result<marketplace::RawResponse> Call(marketplace::RawCall call, std::string_view what,
                                        std::initializer_list<int> pass = {});
  Result<CommandStatus> GetCreateCommand(const std::string& command_id);
  Result<ShipmentDetails> GetShipment(const std::string& shipment_id);
  // The create command's status as a RemoteShipment (the shipment read once it exists).
  Result<RemoteShipment> FromCommand(const CommandStatus& status);
  // The shipmentId behind a remote_id (a pending one through its command).
  Result<std::string> ShipmentIdOf(const std::string& remote_id, std::string_view what);
  Result<void> ConfirmSmart(const ShipmentRequest& request);

  std::unique_ptr<marketplace::MarketplaceConnector> allegro_;
  Settings settings_;
  ConnectorOptions options_;
};

// A connector speaking through `allegro` (the account's connector: tokens, request budget).
// kInvalidArgument naming the key when `settings` don't validate; kFailedPrecondition without
// an Allegro connector.
Result<std::unique_ptr<CarrierConnector>> MakeConnector(
    const domain::CarrierSettings& settings,
    std::unique_ptr<marketplace::MarketplaceConnector> allegro);

}  // namespace nadajnik::carriers::allegro_shipping
