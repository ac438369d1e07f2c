#include "carriers/inpost/api.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"
#include "documents/labels.hpp"

namespace nadajnik::carriers::inpost {

namespace json = boost::json;

namespace {

bool IsShipmentId(std::string_view id) {
  return !id.empty() && id.size() <= 20 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Unexpected BadId(std::string_view id) {
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("'{}' is not an InPost shipment id (ShipX ids are numbers)",
                          TruncateUtf8(id, 40)));
}

}  // namespace

InPostConnector::InPostConnector(net::HttpClient& http, InPostSettings settings)
    : http_(http), settings_(std::move(settings)) {
  while (!settings_.base_url.empty() && settings_.base_url.back() == '/') {
    settings_.base_url.pop_back();
  }
}

Capabilities InPostConnector::capabilities() const {
  Capabilities c;
  c.asynchronous_create = true;
  c.cancel = true;
  c.cash_on_delivery = true;
  c.pickup_points = true;
  c.label_formats = {domain::LabelFormat::kPdfA6, domain::LabelFormat::kPdfA4,
                     domain::LabelFormat::kZpl203, domain::LabelFormat::kZpl300};
  return c;
}

std::string InPostConnector::OrganizationPath() const {
  return "/v1/organizations/" + net::UrlEncode(settings_.organization_id);
}

Result<net::HttpResponse> InPostConnector::Call(const std::string& method, const std::string& path,
                                                std::string_view what, const std::string& body,
                                                bool organization_scoped) {
  if (settings_.organization_id.empty() || settings_.token.empty()) {
    return Fail(ErrorCode::kPermissionDenied,
                "InPost needs the organization id and the ShipX API token: enter them in "
                "Ustawienia > Przewoźnicy");
  }
  net::HttpRequest req;
  req.method = method;
  req.url = settings_.base_url + path;
  req.timeout = settings_.timeout;
  req.headers = {{"Authorization", "Bearer " + settings_.token.Reveal()},
                 {"Accept-Language", settings_.accept_language}};
  if (!body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto response, http_.Send(req));
  if (response.status < 400) return response;
  if (organization_scoped && response.status == 404) {
    return Fail(ErrorCode::kPermissionDenied,
                fmt::format("InPost does not know organization {}: check the organization id in "
                            "Ustawienia > Przewoźnicy (the sandbox and production ids differ)",
                            settings_.organization_id),
                fmt::format("HTTP 404 on {}", path));
  }
  Error e = ErrorFromResponse(response.status, response.body, what, settings_.organization_id);
  if (e.code == ErrorCode::kRateLimited) {
    e.retry_after = response.RetryAfter().value_or(std::chrono::seconds(60));
  }
  return Fail(std::move(e));
}

Result<void> InPostConnector::CheckCredentials() {
  NADAJNIK_TRY(
      Call("GET", OrganizationPath() + "/shipments?per_page=1", "check the credentials", {}, true));
  return Ok();
}

Result<RemoteShipment> InPostConnector::Create(const ShipmentRequest& request) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto body, BuildCreateBody(request, settings_.limits, settings_.default_sending_method));
  NADAJNIK_ASSIGN_OR_RETURN(auto response, Call("POST", OrganizationPath() + "/shipments",
                                                "create the shipment", body, true));
  return ParseShipment(response.body);
}

Result<json::value> InPostConnector::GetShipmentJson(const std::string& remote_id) {
  if (!IsShipmentId(remote_id)) return BadId(remote_id);
  NADAJNIK_ASSIGN_OR_RETURN(auto response, Call("GET", "/v1/shipments/" + remote_id,
                                                fmt::format("read shipment {}", remote_id)));
  boost::system::error_code ec;
  auto v = json::parse(response.body, ec);
  if (ec) {
    return Fail(ErrorCode::kInternal, "InPost answered with a shipment that is not JSON",
                TruncateUtf8(response.body, 300));
  }
  return v;
}

Result<RemoteShipment> InPostConnector::Status(const std::string& remote_id) {
  NADAJNIK_ASSIGN_OR_RETURN(auto v, GetShipmentJson(remote_id));
  return ParseShipment(v);
}

Result<std::optional<RemoteShipment>> InPostConnector::FindByReference(
    const std::string& reference) {
  if (reference.empty()) return std::optional<RemoteShipment>();
  for (int page = 1; page <= std::max(1, settings_.find_pages); ++page) {
    const std::string query = net::FormEncode({{"reference", reference},
                                               {"sort_by", "created_at"},
                                               {"sort_order", "desc"},
                                               {"per_page", "100"},
                                               {"page", std::to_string(page)}});
    NADAJNIK_ASSIGN_OR_RETURN(auto response, Call("GET", OrganizationPath() + "/shipments?" + query,
                                                  "search shipments by reference", {}, true));
    NADAJNIK_ASSIGN_OR_RETURN(auto list, ParseShipmentPage(response.body));
    for (const auto& item : list.items) {
      if (ShipmentField(item, "reference") != reference) continue;
      NADAJNIK_ASSIGN_OR_RETURN(auto found, ParseShipment(item));
      return std::optional<RemoteShipment>(std::move(found));
    }
    if (list.items.empty() || page * 100 >= list.count) break;
  }
  return std::optional<RemoteShipment>();
}

Result<Label> InPostConnector::FetchLabel(const std::string& remote_id,
                                          domain::LabelFormat format) {
  if (!IsShipmentId(remote_id)) return BadId(remote_id);
  Label label;
  label.format = format;
  std::string query;
  switch (format) {
    case domain::LabelFormat::kPdfA6:
      query = "format=Pdf&type=A6";
      break;
    case domain::LabelFormat::kPdfA4: {
      NADAJNIK_ASSIGN_OR_RETURN(auto v, GetShipmentJson(remote_id));
      if (!HasA4Label(ShipmentField(v, "service"))) label.format = domain::LabelFormat::kPdfA6;
      query = "format=Pdf&type=normal";
      break;
    }
    case domain::LabelFormat::kZpl203:
      query = "format=Zpl&type=normal";
      break;
    case domain::LabelFormat::kZpl300: {
      NADAJNIK_ASSIGN_OR_RETURN(auto v, GetShipmentJson(remote_id));
      const std::string service = ShipmentField(v, "service");
      if (!OffersZpl300(service)) {
        return Fail(ErrorCode::kFailedPrecondition,
                    fmt::format("InPost prints 300-dpi ZPL only for locker, Allegro and C2C "
                                "services, not for {}: choose ZPL 203 dpi or PDF in the label "
                                "settings",
                                TruncateUtf8(service, 60)));
      }
      query = "format=Zpl&type=dpi300";
      break;
    }
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto response,
                            Call("GET", "/v1/shipments/" + remote_id + "/label?" + query,
                                 fmt::format("fetch the label of shipment {}", remote_id)));
  if (auto checked = documents::CheckLabel(response.body, label.format); !checked) {
    Error e = checked.error();
    e.code = ErrorCode::kUnavailable;
    e.retryable = true;
    e.message = fmt::format(
        "InPost sent a broken label for shipment {} ({}); it will be fetched "
        "again",
        remote_id, e.message);
    return Fail(std::move(e));
  }
  label.bytes = std::move(response.body);
  return label;
}

Result<std::vector<TrackingEvent>> InPostConnector::Track(const std::string& tracking_number) {
  if (tracking_number.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "The InPost shipment has no tracking number yet: wait for its confirmation");
  }
  NADAJNIK_ASSIGN_OR_RETURN(
      auto response, Call("GET", "/v1/tracking/" + net::UrlEncode(tracking_number),
                          fmt::format("track parcel {}", TruncateUtf8(tracking_number, 40))));
  return ParseTracking(response.body);
}

Result<void> InPostConnector::Cancel(const std::string& remote_id) {
  if (!IsShipmentId(remote_id)) return BadId(remote_id);
  auto response =
      Call("DELETE", "/v1/shipments/" + remote_id, fmt::format("cancel shipment {}", remote_id));
  if (!response) {
    Error e = response.error();
    if (e.code == ErrorCode::kFailedPrecondition) {
      e.message = fmt::format(
          "InPost cancels a shipment only before it is confirmed (status created or "
          "offers_prepared); shipment {} is past that: it can't be cancelled through the API",
          remote_id);
    }
    return Fail(std::move(e));
  }
  return Ok();
}

}  // namespace nadajnik::carriers::inpost
