#include "carriers/dpd/api.hpp"

#include <fmt/format.h>

#include "core/text.hpp"
#include "documents/labels.hpp"

namespace nadajnik::carriers::dpd {

namespace {

constexpr std::string_view kPackagePath = "/DPDPackageObjServicesService/DPDPackageObjServices";
constexpr std::string_view kInfoPath = "/DPDInfoServicesObjEventsService/DPDInfoServicesObjEvents";

}  // namespace

DpdConnector::DpdConnector(net::HttpClient& http, DpdSettings settings)
    : http_(http), settings_(std::move(settings)) {
  settings_.package_base_url = TrimTrailingSlashes(settings_.package_base_url);
  settings_.info_base_url = TrimTrailingSlashes(settings_.info_base_url);
}

Capabilities DpdConnector::capabilities() const {
  Capabilities c;
  c.asynchronous_create = false;
  c.cancel = false;
  c.cash_on_delivery = true;
  c.pickup_points = true;
  c.label_formats = {domain::LabelFormat::kPdfA6, domain::LabelFormat::kPdfA4,
                     domain::LabelFormat::kZpl203};
  return c;
}

AuthData DpdConnector::Auth() const {
  return AuthData{settings_.login, settings_.password.Reveal(), settings_.master_fid};
}

Result<std::string> DpdConnector::Call(const std::string& url, const std::string& body,
                                       std::string_view what) {
  if (settings_.login.empty() || settings_.password.empty() || settings_.master_fid.empty()) {
    return Fail(ErrorCode::kPermissionDenied,
                "DPD needs the login, password and master FID of the DPDServices account: enter "
                "them in Ustawienia > Przewoźnicy");
  }
  net::HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.timeout = settings_.timeout;
  req.headers = {{"Content-Type", "text/xml; charset=utf-8"}, {"SOAPAction", "\"\""}};
  req.body = body;
  NADAJNIK_ASSIGN_OR_RETURN(auto response, http_.Send(req));
  if (auto fault = ErrorFromFault(response.status, response.body, what, Auth())) {
    if (fault->code == ErrorCode::kRateLimited) {
      fault->retry_after = response.RetryAfter().value_or(std::chrono::seconds(60));
    }
    return Fail(std::move(*fault));
  }
  return std::move(response.body);
}

Result<void> DpdConnector::CheckCredentials() {
  const auto code = NormalizePostalCode(settings_.check_postal_code).value_or("02-274");
  NADAJNIK_ASSIGN_OR_RETURN(auto body,
                            Call(settings_.package_base_url + std::string(kPackagePath),
                                 BuildFindPostalCode(code, Auth()), "check the credentials"));
  NADAJNIK_TRY(ParseFindPostalCode(body));
  return Ok();
}

Result<std::vector<Result<RemoteShipment>>> DpdConnector::CreateMany(
    const std::vector<ShipmentRequest>& requests) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto envelope, BuildGeneratePackagesNumbers(requests, Auth(), settings_.limits,
                                                  GenerationPolicy::kIgnoreErrors, settings_.lang));
  NADAJNIK_ASSIGN_OR_RETURN(auto body, Call(settings_.package_base_url + std::string(kPackagePath),
                                            envelope, "create the shipments"));
  NADAJNIK_ASSIGN_OR_RETURN(auto result, ParseGeneratePackagesNumbers(body));
  if (result.packages.size() != requests.size()) {
    return Fail(ErrorCode::kInternal,
                fmt::format("DPD answered {} packages for {} sent", result.packages.size(),
                            requests.size()),
                fmt::format("session {} status {}", result.session_id, result.status));
  }
  std::vector<Result<RemoteShipment>> out;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    out.push_back(ToRemoteShipment(result.packages[i], requests[i]));
  }
  return out;
}

Result<RemoteShipment> DpdConnector::Create(const ShipmentRequest& request) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto envelope,
      BuildGeneratePackagesNumbers({request}, Auth(), settings_.limits,
                                   GenerationPolicy::kStopOnFirstError, settings_.lang));
  NADAJNIK_ASSIGN_OR_RETURN(auto body, Call(settings_.package_base_url + std::string(kPackagePath),
                                            envelope, "create the shipment"));
  NADAJNIK_ASSIGN_OR_RETURN(auto result, ParseGeneratePackagesNumbers(body));
  if (result.packages.size() != 1) {
    return Fail(ErrorCode::kInternal,
                fmt::format("DPD answered {} packages for 1 sent (status {})",
                            result.packages.size(), TruncateUtf8(result.status, 40)),
                TruncateUtf8(body, 300));
  }
  return ToRemoteShipment(result.packages.front(), request);
}

Result<RemoteShipment> DpdConnector::Status(const std::string& remote_id) {
  NADAJNIK_ASSIGN_OR_RETURN(auto waybills, WaybillsOf(remote_id));
  RemoteShipment s;
  s.remote_id = remote_id;
  s.tracking_number = waybills.front();
  s.confirmed = true;  // DPD numbers a package only once it accepted it
  NADAJNIK_ASSIGN_OR_RETURN(auto events, Track(s.tracking_number));
  s.status = events.empty() ? "OK" : events.back().code;
  return s;
}

// DPDServices has no search by reference. Answering "none" would let a retry after a crash
// create a second package for the same order, so the seller is asked to look instead.
Result<std::optional<RemoteShipment>> DpdConnector::FindByReference(const std::string& reference) {
  if (reference.empty()) return std::optional<RemoteShipment>();
  return Fail(ErrorCode::kFailedPrecondition,
              fmt::format("DPD can't look a parcel up by order number: check in DPD's panel "
                          "whether a parcel for {} exists before sending it again",
                          TruncateUtf8(reference, 60)));
}

Result<std::vector<std::string>> DpdConnector::Waybills(
    const std::vector<std::string>& remote_ids) {
  if (remote_ids.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "Choose at least one DPD shipment");
  }
  std::vector<std::string> all;
  for (const auto& id : remote_ids) {
    NADAJNIK_ASSIGN_OR_RETURN(auto w, WaybillsOf(id));
    all.insert(all.end(), w.begin(), w.end());
  }
  return all;
}

Result<std::string> DpdConnector::Document(const std::string& envelope, std::string_view what,
                                           domain::LabelFormat check_as) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto body, Call(settings_.package_base_url + std::string(kPackagePath), envelope, what));
  NADAJNIK_ASSIGN_OR_RETURN(auto doc, ParseDocument(body));
  if ((!doc.status.empty() && doc.status != "OK") || doc.data.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("DPD could not {}: {} ({}): check that the shipments were created "
                            "with this DPD account",
                            what, TruncateUtf8(doc.description, 200),
                            doc.status.empty() ? "no document" : doc.status));
  }
  if (auto checked = documents::CheckLabel(doc.data, check_as); !checked) {
    Error e = checked.error();
    e.code = ErrorCode::kUnavailable;
    e.retryable = true;
    e.message = fmt::format(
        "DPD sent a broken document when asked to {} ({}); it will be "
        "fetched again",
        what, e.message);
    return Fail(std::move(e));
  }
  return std::move(doc.data);
}

Result<Label> DpdConnector::FetchLabels(const std::vector<std::string>& remote_ids,
                                        domain::LabelFormat format) {
  NADAJNIK_ASSIGN_OR_RETURN(auto waybills, Waybills(remote_ids));
  NADAJNIK_ASSIGN_OR_RETURN(auto envelope, BuildGenerateSpedLabels(waybills, format, Auth()));
  const std::string what =
      fmt::format("print the labels of {}", TruncateUtf8(waybills.front(), 40));
  NADAJNIK_ASSIGN_OR_RETURN(auto bytes, Document(envelope, what, format));
  return Label{std::move(bytes), format};
}

Result<Label> DpdConnector::FetchLabel(const std::string& remote_id, domain::LabelFormat format) {
  return FetchLabels({remote_id}, format);
}

Result<std::string> DpdConnector::HandoverProtocol(const std::vector<std::string>& remote_ids) {
  NADAJNIK_ASSIGN_OR_RETURN(auto waybills, Waybills(remote_ids));
  return Document(BuildGenerateProtocol(waybills, Auth()), "print the handover protocol",
                  domain::LabelFormat::kPdfA4);
}

Result<std::vector<TrackingEvent>> DpdConnector::Track(const std::string& tracking_number) {
  NADAJNIK_ASSIGN_OR_RETURN(auto waybills, WaybillsOf(tracking_number));
  NADAJNIK_ASSIGN_OR_RETURN(
      auto body, Call(settings_.info_base_url + std::string(kInfoPath),
                      BuildGetEvents(waybills.front(), false, Auth()),
                      fmt::format("track parcel {}", TruncateUtf8(waybills.front(), 40))));
  return ParseEvents(body);
}

Result<void> DpdConnector::Cancel(const std::string& remote_id) {
  NADAJNIK_TRY(WaybillsOf(remote_id));
  return Fail(ErrorCode::kFailedPrecondition,
              fmt::format("DPD has no way to cancel a shipment through DPDServices: do not hand "
                          "parcel {} to the courier (leave it off the handover protocol); an "
                          "unused number costs nothing",
                          TruncateUtf8(remote_id, 60)));
}

Result<Handover> DpdConnector::CloseDay(const std::vector<std::string>& remote_ids) {
  if (remote_ids.empty()) {
    return Fail(ErrorCode::kFailedPrecondition, "DPD: brak przesyłek do przekazania kurierowi");
  }
  Handover h;
  NADAJNIK_ASSIGN_OR_RETURN(h.document, HandoverProtocol(remote_ids));
  h.summary = fmt::format("DPD: protokół przekazania {} przesyłek", remote_ids.size());
  return h;
}

}  // namespace nadajnik::carriers::dpd
