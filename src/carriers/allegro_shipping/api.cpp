#include "carriers/allegro_shipping/api.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "carriers/polish_address.hpp"
#include "core/text.hpp"
#include "documents/labels.hpp"
#include "net/http_client.hpp"

namespace nadajnik::carriers::allegro_shipping {

namespace {

constexpr std::string_view kBase = "/shipment-management";
constexpr std::string_view kOctetStream = "application/octet-stream";

// Ids from our store go into paths: bounded and without characters that would change the path.
bool IsPathId(std::string_view id) {
  return !id.empty() && id.size() <= 100 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '_';
  });
}

Unexpected BadRemoteId(std::string_view id) {
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("'{}' is not a Wysyłam z Allegro shipment id", TruncateUtf8(id, 60)));
}

Unexpected SmartRefused(std::string reason) {
  return Fail(ErrorCode::kFailedPrecondition,
              "Allegro Smart shipment refused: " + std::move(reason) +
                  ". Check the order in Allegro, or send it without Smart");
}

}  // namespace

AllegroShippingConnector::AllegroShippingConnector(
    std::unique_ptr<marketplace::MarketplaceConnector> allegro, Settings settings,
    ConnectorOptions options)
    : allegro_(std::move(allegro)), settings_(std::move(settings)), options_(options) {}

Capabilities AllegroShippingConnector::capabilities() const {
  Capabilities c;
  c.asynchronous_create = true;
  c.cancel = true;
  c.cash_on_delivery = true;
  c.pickup_points = true;
  if (settings_.label_format == WireLabelFormat::kZpl) {
    c.label_formats = {domain::LabelFormat::kZpl203};
  } else {
    c.label_formats = {domain::LabelFormat::kPdfA6, domain::LabelFormat::kPdfA4};
  }
  return c;
}

Result<marketplace::RawResponse> AllegroShippingConnector::Call(marketplace::RawCall call,
                                                                std::string_view what,
                                                                std::initializer_list<int> pass) {
  auto response = allegro_->Raw(call);
  if (!response) {
    Error e = response.error();
    if (e.code == ErrorCode::kUnauthenticated) {
      e.code = ErrorCode::kPermissionDenied;
      e.message = fmt::format(
          "Wysyłam z Allegro uses the Allegro account's authorization, which Allegro refuses "
          "(while trying to {}): {}",
          what, e.message);
    }
    return Fail(std::move(e));
  }
  const int status = response->status;
  if (status >= 200 && status < 300) return response;
  if (std::find(pass.begin(), pass.end(), status) != pass.end()) return response;
  Error e = ErrorFromResponse(status, response->body, what);
  if (!response->trace_id.empty()) e.details += " trace-id " + response->trace_id;
  return Fail(std::move(e));
}

Result<void> AllegroShippingConnector::CheckCredentials() {
  NADAJNIK_ASSIGN_OR_RETURN(auto r, Call({.method = "GET",
                                          .path = std::string(kBase) + "/delivery-services",
                                          .idempotent = true,
                                          .endpoint = "wza_services"},
                                         "list the delivery services"));
  NADAJNIK_ASSIGN_OR_RETURN(auto services, ParseDeliveryServices(r.body));
  if (!settings_.delivery_method_id.empty() &&
      std::none_of(services.begin(), services.end(), [&](const ServiceId& s) {
        return s.delivery_method_id == settings_.delivery_method_id;
      })) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("Setting delivery_method_id {} is not among this seller's {} "
                            "Wysyłam z Allegro services: copy an id from Allegro's delivery "
                            "services or leave it empty to use each order's method",
                            settings_.delivery_method_id, services.size()));
  }
  if (!settings_.credentials_id.empty() &&
      std::none_of(services.begin(), services.end(), [&](const ServiceId& s) {
        return s.credentials_id == settings_.credentials_id;
      })) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("Setting credentials_id {} is not a carrier contract of this seller "
                            "in Wysyłam z Allegro: add the contract in Allegro's delivery "
                            "settings or leave it empty for Allegro Standard",
                            settings_.credentials_id));
  }
  return Ok();
}

Result<void> AllegroShippingConnector::ConfirmSmart(const ShipmentRequest& request) {
  if (auto email = ValidateReceiverEmail(CleanText(request.receiver.email)); !email) {
    return SmartRefused(email.error().message);
  }
  const std::string order_id = CleanText(request.checkout_form_id);
  if (!IsPathId(order_id)) {
    return SmartRefused(
        "the shipment names no Allegro order (checkout form id), so Smart can't be confirmed");
  }
  auto remote = allegro_->GetOrder(CheckoutFormId(order_id));
  if (!remote) {
    Error e = remote.error();
    if (e.code == ErrorCode::kNotFound) {
      return SmartRefused(fmt::format("Allegro does not know order {}", order_id));
    }
    return Fail(std::move(e));
  }
  if (!remote->order) {
    return SmartRefused(fmt::format("Allegro's copy of order {} could not be read ({})", order_id,
                                    remote->order.error().message));
  }
  if (!remote->order->delivery.smart) {
    return SmartRefused(fmt::format(
        "Allegro says order {} was not bought with Allegro Smart (delivery.smart is false)",
        order_id));
  }
  NADAJNIK_ASSIGN_OR_RETURN(
      auto r,
      Call({.method = "GET",
            .path = std::string(kBase) + "/delivery-proposals/" + order_id,
            .idempotent = true,
            .endpoint = "wza_proposal"},
           fmt::format("read the delivery proposal of order {}", order_id), {400, 404, 422}));
  if (r.status != 200) {
    return SmartRefused(
        fmt::format("Allegro has no Wysyłam z Allegro delivery proposal for order {}: {}", order_id,
                    DescribeErrors(ParseErrors(r.body))));
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto proposal, ParseDeliveryProposal(r.body));
  if (proposal.delivery_options == 0) {
    return SmartRefused(
        fmt::format("Allegro offers no Wysyłam z Allegro delivery option for order {}", order_id));
  }
  const std::string method = EffectiveDeliveryMethod(request, settings_);
  if (!method.empty() && !proposal.delivery_method_id.empty() &&
      method != proposal.delivery_method_id) {
    return SmartRefused(fmt::format(
        "Smart delivery is paid by Allegro only with the buyer's delivery method {}, not {} "
        "(clear the delivery_method_id setting for Smart orders)",
        proposal.delivery_method_id, method));
  }
  if (!proposal.receiver_email.empty() &&
      AsciiLower(proposal.receiver_email) != AsciiLower(CleanText(request.receiver.email))) {
    return SmartRefused(fmt::format(
        "the receiver e-mail (receiver.email) is not the buyer's Allegro address of order {}",
        order_id));
  }
  return Ok();
}

Result<RemoteShipment> AllegroShippingConnector::Create(const ShipmentRequest& request) {
  // Smart's own reason first; then what the data lacks (no request spent); then Allegro's word.
  if (request.smart) {
    if (auto email = ValidateReceiverEmail(CleanText(request.receiver.email)); !email) {
      return SmartRefused(email.error().message);
    }
  }
  const std::string command_id = CommandIdFor(CleanText(request.reference));
  NADAJNIK_ASSIGN_OR_RETURN(auto body, BuildCreateCommand(request, settings_, command_id));
  if (request.smart) NADAJNIK_TRY(ConfirmSmart(request));
  NADAJNIK_TRY(Call({.method = "POST",
                     .path = std::string(kBase) + "/shipments/create-commands",
                     .body = std::move(body),
                     .idempotent = true,  // the client's commandId makes a repeat the same command
                     .endpoint = "wza_create"},
                    "create the shipment"));
  RemoteShipment r;
  r.remote_id = PendingRemoteId(command_id);
  r.status = "IN_PROGRESS";
  return r;
}

Result<CommandStatus> AllegroShippingConnector::GetCreateCommand(const std::string& command_id) {
  if (!LooksLikeUuid(command_id)) return BadRemoteId(command_id);
  NADAJNIK_ASSIGN_OR_RETURN(
      auto r, Call({.method = "GET",
                    .path = std::string(kBase) + "/shipments/create-commands/" + command_id,
                    .idempotent = true,
                    .endpoint = "wza_command"},
                   fmt::format("read the create command {}", command_id)));
  NADAJNIK_ASSIGN_OR_RETURN(auto status, ParseCommandStatus(r.body));
  if (status.command_id.empty()) status.command_id = command_id;
  return status;
}

Result<ShipmentDetails> AllegroShippingConnector::GetShipment(const std::string& shipment_id) {
  if (!IsPathId(shipment_id)) return BadRemoteId(shipment_id);
  NADAJNIK_ASSIGN_OR_RETURN(auto r, Call({.method = "GET",
                                          .path = std::string(kBase) + "/shipments/" + shipment_id,
                                          .idempotent = true,
                                          .endpoint = "wza_shipment"},
                                         fmt::format("read shipment {}", shipment_id)));
  return ParseShipment(r.body);
}

Result<RemoteShipment> AllegroShippingConnector::FromCommand(const CommandStatus& status) {
  if (status.state != CommandState::kSuccess) return RemoteFromCommand(status);
  NADAJNIK_ASSIGN_OR_RETURN(auto shipment, GetShipment(status.shipment_id));
  return RemoteFromShipment(shipment);
}

Result<RemoteShipment> AllegroShippingConnector::Status(const std::string& remote_id) {
  if (auto command = CommandIdOfRemoteId(remote_id)) {
    NADAJNIK_ASSIGN_OR_RETURN(auto status, GetCreateCommand(*command));
    return FromCommand(status);
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto shipment, GetShipment(remote_id));
  return RemoteFromShipment(shipment);
}

Result<std::optional<RemoteShipment>> AllegroShippingConnector::FindByReference(
    const std::string& reference) {
  const std::string cleaned = CleanText(reference);
  if (cleaned.empty()) return std::optional<RemoteShipment>();
  auto status = GetCreateCommand(CommandIdFor(cleaned));
  if (!status) {
    if (status.error().code == ErrorCode::kNotFound) return std::optional<RemoteShipment>();
    return Fail(std::move(status).error());
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto found, FromCommand(*status));
  return std::optional<RemoteShipment>(std::move(found));
}

Result<std::string> AllegroShippingConnector::ShipmentIdOf(const std::string& remote_id,
                                                           std::string_view what) {
  auto command = CommandIdOfRemoteId(remote_id);
  if (!command) {
    if (!IsPathId(remote_id)) return BadRemoteId(remote_id);
    return remote_id;
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto status, GetCreateCommand(*command));
  switch (status.state) {
    case CommandState::kSuccess:
      return status.shipment_id;
    case CommandState::kInProgress:
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("Wysyłam z Allegro is still creating the shipment, so it can't {} "
                              "yet; it will be tried again",
                              what));
    case CommandState::kError:
      break;
  }
  return Fail(ErrorCode::kFailedPrecondition,
              fmt::format("Can't {}: {}", what, RemoteFromCommand(status).error));
}

Result<Label> AllegroShippingConnector::FetchLabel(const std::string& remote_id,
                                                   domain::LabelFormat format) {
  NADAJNIK_TRY(BuildLabelRequest("-", format));  // 300-dpi ZPL: refused before any call
  NADAJNIK_ASSIGN_OR_RETURN(auto shipment_id, ShipmentIdOf(remote_id, "fetch its label"));
  NADAJNIK_ASSIGN_OR_RETURN(auto body, BuildLabelRequest(shipment_id, format));
  const std::string what = fmt::format("fetch the label of shipment {}", shipment_id);
  NADAJNIK_ASSIGN_OR_RETURN(auto r, Call({.method = "POST",
                                          .path = std::string(kBase) + "/label",
                                          .body = std::move(body),
                                          .accept = std::string(kOctetStream),
                                          .idempotent = true,
                                          .endpoint = "wza_label"},
                                         what));
  if (r.status == 204) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("Allegro has no label for shipment {} (it may have been cancelled)",
                            shipment_id));
  }
  const std::string kind = SniffLabel(r.body);
  const bool want_zpl = format == domain::LabelFormat::kZpl203;
  if (kind == "zip") {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("Allegro sent the label of shipment {} as a ZIP archive, which "
                            "Nadajnik can't print; download it in Allegro's sales manager",
                            shipment_id));
  }
  if ((kind == "pdf" && want_zpl) || (kind == "zpl" && !want_zpl)) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("Shipment {} was created with {} labels and Wysyłam z Allegro can't "
                            "change the format afterwards: print it as {}, or set label_format "
                            "to {} for new shipments",
                            shipment_id, kind == "pdf" ? "PDF" : "ZPL",
                            kind == "pdf" ? "PDF" : "ZPL", want_zpl ? "zpl" : "pdf"));
  }
  if (auto checked = documents::CheckLabel(r.body, format); !checked) {
    Error e = checked.error();
    e.code = ErrorCode::kUnavailable;
    e.retryable = true;
    e.message =
        fmt::format("Allegro sent a broken label for shipment {} ({}); it will be fetched again",
                    shipment_id, e.message);
    return Fail(std::move(e));
  }
  Label label;
  label.format = format;
  label.bytes = std::move(r.body);
  return label;
}

Result<std::vector<TrackingEvent>> AllegroShippingConnector::Track(
    const std::string& tracking_number) {
  const std::string waybill = CleanText(tracking_number);
  if (waybill.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "The Wysyłam z Allegro shipment has no waybill yet: wait for its confirmation");
  }
  if (waybill.size() > 64) {
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("'{}' is not a waybill (at most 64 characters)", TruncateUtf8(waybill, 40)));
  }
  for (const auto& carrier : TrackingCarriersFor(waybill, settings_.tracking_carrier_id)) {
    const std::string what =
        fmt::format("track waybill {} of carrier {}", TruncateUtf8(waybill, 40), carrier);
    auto r =
        Call({.method = "GET",
              .path = "/order/carriers/" + carrier + "/tracking?waybill=" + net::UrlEncode(waybill),
              .idempotent = true,
              .endpoint = "tracking"},
             what, {400});
    if (!r) return Fail(std::move(r).error());
    if (r->status == 400) {
      // An unknown carrier for this marketplace: only an error when the seller chose it.
      if (!settings_.tracking_carrier_id.empty()) {
        Error e = ErrorFromResponse(400, r->body, what);
        e.message += " (setting tracking_carrier_id)";
        return Fail(std::move(e));
      }
      continue;
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto events, ParseTracking(r->body, waybill));
    if (events) return std::move(*events);
  }
  return std::vector<TrackingEvent>();
}

Result<void> AllegroShippingConnector::Cancel(const std::string& remote_id) {
  std::string shipment_id;
  if (auto command = CommandIdOfRemoteId(remote_id)) {
    NADAJNIK_ASSIGN_OR_RETURN(auto status, GetCreateCommand(*command));
    if (status.state == CommandState::kError) return Ok();  // never created: nothing to cancel
    if (status.state == CommandState::kInProgress) {
      return Fail(ErrorCode::kUnavailable,
                  "Wysyłam z Allegro is still creating the shipment; it will be cancelled once "
                  "it exists");
    }
    shipment_id = status.shipment_id;
  } else {
    shipment_id = remote_id;
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto shipment, GetShipment(shipment_id));
  if (shipment.cancelled) return Ok();
  const std::string command_id = CancelCommandIdFor(shipment_id);
  const std::string what = fmt::format("cancel shipment {}", shipment_id);
  NADAJNIK_TRY(Call({.method = "POST",
                     .path = std::string(kBase) + "/shipments/cancel-commands",
                     .body = BuildCancelCommand(command_id, shipment_id),
                     .idempotent = true,
                     .endpoint = "wza_cancel"},
                    what));
  const auto until = std::chrono::steady_clock::now() + options_.cancel_wait;
  while (true) {
    NADAJNIK_ASSIGN_OR_RETURN(
        auto r, Call({.method = "GET",
                      .path = std::string(kBase) + "/shipments/cancel-commands/" + command_id,
                      .idempotent = true,
                      .endpoint = "wza_cancel_command"},
                     what));
    NADAJNIK_ASSIGN_OR_RETURN(auto status, ParseCommandStatus(r.body));
    if (status.state == CommandState::kSuccess) return Ok();
    if (status.state == CommandState::kError) {
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("Wysyłam z Allegro can't cancel shipment {}: {}", shipment_id,
                              status.errors.empty() ? std::string("no reason given")
                                                    : DescribeErrors(status.errors)));
    }
    if (std::chrono::steady_clock::now() + options_.poll_interval > until) break;
    std::this_thread::sleep_for(options_.poll_interval);
  }
  return Fail(ErrorCode::kUnavailable,
              fmt::format("Wysyłam z Allegro is still cancelling shipment {}; it will be checked "
                          "again",
                          shipment_id));
}

Result<std::unique_ptr<CarrierConnector>> MakeConnector(
    const domain::CarrierSettings& settings,
    std::unique_ptr<marketplace::MarketplaceConnector> allegro) {
  if (settings.carrier != domain::Carrier::kAllegroShipping) {
    return Fail(ErrorCode::kInternal, "Wysyłam z Allegro got another carrier's settings");
  }
  if (!allegro) {
    return Fail(ErrorCode::kFailedPrecondition,
                "Wysyłam z Allegro needs the seller's connected Allegro account: connect it in "
                "Konta first");
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto parsed, ParseSettings(settings.settings));
  return std::unique_ptr<CarrierConnector>(
      std::make_unique<AllegroShippingConnector>(std::move(allegro), std::move(parsed)));
}

}  // namespace nadajnik::carriers::allegro_shipping
