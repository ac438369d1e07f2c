#include "carriers/orlen/api.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"
#include "documents/labels.hpp"

namespace nadajnik::carriers::orlen {

namespace {

bool IsPackCode(std::string_view id) {
  return !id.empty() && id.size() <= 20 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Unexpected BadId(std::string_view id) {
  return Fail(
      ErrorCode::kInvalidArgument,
      fmt::format("'{}' is not an ORLEN Paczka pack code (13 digits)", TruncateUtf8(id, 40)));
}

std::string_view WireFormat(domain::LabelFormat f) {
  switch (f) {
    case domain::LabelFormat::kPdfA6:
      return "PDF10";
    case domain::LabelFormat::kPdfA4:
      return "PDF";
    case domain::LabelFormat::kZpl203:
      return "ZPL";
    case domain::LabelFormat::kZpl300:
      return "ZPL_300DPI";
  }
  return "PDF10";
}

// `sent` is the DestinationCode of the request. The point ORLEN answers with goes into the status
// (the shipment's tracking detail) whenever it is not the one sent: moved to another point, or
// completed from the PSD of an "XX-<PSD>-00-00" code (the seller sees the real point).
RemoteShipment FromRow(const ResultRow& row, std::string_view sent) {
  RemoteShipment s;
  s.remote_id = row.pack_code;
  s.tracking_number = row.pack_code;
  s.confirmed = true;
  const std::string point = TruncateUtf8(row.destination_code, 40);
  if (row.destination_changed()) {
    s.status = fmt::format("saved; ORLEN moved it to point {} (Err {})", point, row.err);
  } else if (point.empty() || point == sent) {
    s.status = "saved";
  } else if (sent.starts_with("XX-") && sent.ends_with("-00-00")) {
    s.status = fmt::format("saved; ORLEN completed the point to {}", point);
  } else {
    s.status = fmt::format("saved; ORLEN named the point {}", point);
  }
  return s;
}

std::string OrderWords(const ShipmentRequest& r) {
  return r.reference.empty() ? std::string("create the pack")
                             : fmt::format("create the pack for {}", TruncateUtf8(r.reference, 60));
}

}  // namespace

OrlenConnector::OrlenConnector(net::HttpClient& http, OrlenSettings settings)
    : http_(http), settings_(std::move(settings)) {}

Capabilities OrlenConnector::capabilities() const {
  Capabilities c;
  c.asynchronous_create = false;
  c.cancel = true;
  c.cash_on_delivery = true;
  c.pickup_points = true;
  c.label_formats = {domain::LabelFormat::kPdfA6, domain::LabelFormat::kPdfA4,
                     domain::LabelFormat::kZpl203, domain::LabelFormat::kZpl300};
  return c;
}

Result<void> OrlenConnector::NeedSettings() const {
  if (settings_.partner_id.empty() || settings_.partner_key.empty()) {
    return Fail(ErrorCode::kPermissionDenied,
                "ORLEN Paczka needs the PartnerID and the PartnerKey (the WebTrucker password): "
                "enter them in Ustawienia > Przewoźnicy");
  }
  return Ok();
}

Result<std::string> OrlenConnector::Post(std::string_view operation, const std::string& envelope,
                                         std::string_view what) {
  net::HttpRequest req;
  req.method = "POST";
  req.url = settings_.endpoint;
  req.timeout = settings_.timeout;
  req.headers = {{"Content-Type", "text/xml; charset=utf-8"},
                 {"SOAPAction", SoapAction(operation)}};
  req.body = envelope;
  NADAJNIK_ASSIGN_OR_RETURN(auto response, http_.Send(req));
  if (response.status == 200) return std::move(response.body);
  if (response.status == 500 && response.body.find("Fault") != std::string::npos) {
    // ASP.NET answers a request it can't read with 500 and a SOAP Fault: our bug, not an outage.
    auto parsed = ParseAnswer(response.body, operation);
    if (!parsed) return Fail(parsed.error());
  }
  if (response.status == 429) {
    Error e;
    e.code = ErrorCode::kRateLimited;
    e.retryable = true;
    e.retry_after = response.RetryAfter().value_or(std::chrono::seconds(60));
    e.message =
        fmt::format("ORLEN Paczka asks to slow down while trying to {}; it will be retried", what);
    return Fail(std::move(e));
  }
  return Fail(ErrorCode::kUnavailable,
              fmt::format("ORLEN Paczka failed (HTTP {}) while trying to {}; it will be retried",
                          response.status, what),
              TruncateUtf8(response.body, 300));
}

Result<OperationAnswer> OrlenConnector::Call(std::string_view operation,
                                             const std::string& envelope, std::string_view what,
                                             bool fail_on_err) {
  NADAJNIK_ASSIGN_OR_RETURN(auto body, Post(operation, envelope, what));
  NADAJNIK_ASSIGN_OR_RETURN(auto answer, ParseAnswer(body, operation));
  if (fail_on_err) {
    for (const auto& row : answer.rows) {
      if (!row.ok()) return Fail(ErrorFromResult(row, what, settings_.partner_id));
    }
  }
  return answer;
}

Result<void> OrlenConnector::CheckCredentials() { return NeedSettings(); }

Result<RemoteShipment> OrlenConnector::Create(const ShipmentRequest& request) {
  NADAJNIK_ASSIGN_OR_RETURN(auto all, CreateMany({request}));
  return std::move(all.front());
}

Result<std::vector<Result<RemoteShipment>>> OrlenConnector::CreateMany(
    const std::vector<ShipmentRequest>& requests) {
  NADAJNIK_TRY(NeedSettings());
  if (requests.empty() || requests.size() > kMaxPacksPerCall) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("ORLEN Paczka packs are sent 1 to {} at a time, not {}",
                            kMaxPacksPerCall, requests.size()));
  }
  std::vector<Result<RemoteShipment>> out(requests.size());
  std::vector<std::string> packs;
  std::vector<std::size_t> sent;  // index in `requests` of each pack sent
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto pack = BuildBusinessPack(requests[i], settings_.limits);
    if (!pack) {
      out[i] = Fail(pack.error());
      continue;
    }
    packs.push_back(std::move(*pack));
    sent.push_back(i);
  }
  if (packs.empty()) return out;
  const std::string what = sent.size() == 1 ? OrderWords(requests[sent[0]])
                                            : fmt::format("create {} packs", sent.size());
  const std::string envelope =
      BuildGenerateListTwo(settings_.partner_id, settings_.partner_key.Reveal(), packs,
                           WireFormat(domain::LabelFormat::kPdfA6), settings_.pack_options);
  NADAJNIK_ASSIGN_OR_RETURN(auto answer,
                            Call("GenerateLabelBusinessPackListTwo", envelope, what, false));
  if (answer.rows.empty()) {
    return Fail(ErrorCode::kInternal, "ORLEN Paczka answered the create call with no result row");
  }
  // A single row for several packs is an answer to the whole call (credentials, for one).
  if (answer.rows.size() != sent.size()) {
    const auto& row = answer.rows.front();
    if (!row.ok()) return Fail(ErrorFromResult(row, what, settings_.partner_id));
    return Fail(ErrorCode::kInternal, fmt::format("ORLEN Paczka answered {} rows for {} packs",
                                                  answer.rows.size(), sent.size()));
  }
  for (std::size_t k = 0; k < sent.size(); ++k) {
    const auto& row = answer.rows[k];
    const auto& request = requests[sent[k]];
    if (!row.ok()) {
      Error e = ErrorFromResult(row, OrderWords(request), settings_.partner_id);
      if (e.code == ErrorCode::kPermissionDenied) return Fail(std::move(e));
      out[sent[k]] = Fail(std::move(e));
    } else if (!IsPackCode(row.pack_code)) {
      out[sent[k]] = Fail(ErrorCode::kInternal,
                          "ORLEN Paczka saved the pack but sent no pack code (PackCode_RUCH)",
                          TruncateUtf8(row.pack_code, 40));
    } else {
      out[sent[k]] = FromRow(row, DestinationCodeFor(request.target_point).value_or(""));
    }
  }
  return out;
}

Result<std::vector<HistoryRow>> OrlenConnector::History(const std::string& pack_code) {
  NADAJNIK_TRY(NeedSettings());
  const std::string what = fmt::format("read the history of pack {}", pack_code);
  NADAJNIK_ASSIGN_OR_RETURN(
      auto body,
      Post("GiveMePackStatusFullHistoryList",
           BuildHistoryList(settings_.partner_id, settings_.partner_key.Reveal(), {pack_code}),
           what));
  NADAJNIK_ASSIGN_OR_RETURN(auto answer, ParseAnswer(body, "GiveMePackStatusFullHistoryList"));
  for (const auto& row : answer.rows) {
    if (!row.ok()) return Fail(ErrorFromResult(row, what, settings_.partner_id));
  }
  return ParseHistory(body);
}

Result<RemoteShipment> OrlenConnector::Status(const std::string& remote_id) {
  if (!IsPackCode(remote_id)) return BadId(remote_id);
  NADAJNIK_ASSIGN_OR_RETURN(auto rows, History(remote_id));
  NADAJNIK_ASSIGN_OR_RETURN(auto events, EventsFor(rows, remote_id));
  if (events.empty()) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("ORLEN Paczka has no history for pack {}", remote_id));
  }
  RemoteShipment s;
  s.remote_id = remote_id;
  s.tracking_number = remote_id;
  s.status = events.back().code;
  s.confirmed = events.back().code != "201";
  if (!s.confirmed) s.error = "The pack was cancelled at ORLEN Paczka";
  return s;
}

Result<std::optional<RemoteShipment>> OrlenConnector::FindByReference(
    const std::string& reference) {
  if (reference.empty()) return std::optional<RemoteShipment>();
  return Fail(ErrorCode::kFailedPrecondition,
              fmt::format("ORLEN Paczka can't look a pack up by order number: check in WebTrucker "
                          "whether a pack for {} exists before sending it again",
                          TruncateUtf8(reference, 60)));
}

Result<Label> OrlenConnector::FetchLabel(const std::string& remote_id, domain::LabelFormat format) {
  return FetchLabels({remote_id}, format);
}

Result<Label> OrlenConnector::FetchLabels(const std::vector<std::string>& pack_codes,
                                          domain::LabelFormat format) {
  NADAJNIK_TRY(NeedSettings());
  if (pack_codes.empty() || pack_codes.size() > kMaxLabelsPerCall) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("ORLEN Paczka prints 1 to {} labels at a time, not {}",
                            kMaxLabelsPerCall, pack_codes.size()));
  }
  for (const auto& code : pack_codes) {
    if (!IsPackCode(code)) return BadId(code);
  }
  const std::string what = pack_codes.size() == 1
                               ? fmt::format("print the label of pack {}", pack_codes[0])
                               : fmt::format("print {} labels", pack_codes.size());
  NADAJNIK_ASSIGN_OR_RETURN(
      auto answer, Call("LabelPrintDuplicateListTwo",
                        BuildLabelDuplicate(settings_.partner_id, settings_.partner_key.Reveal(),
                                            pack_codes, WireFormat(format)),
                        what));
  if (auto checked = documents::CheckLabel(answer.label_data, format); !checked) {
    Error e = checked.error();
    e.code = ErrorCode::kUnavailable;
    e.retryable = true;
    e.message = fmt::format(
        "ORLEN Paczka sent a broken label while trying to {} ({}); it will be "
        "fetched again",
        what, e.message);
    return Fail(std::move(e));
  }
  Label label;
  label.format = format;
  label.bytes = std::move(answer.label_data);
  return label;
}

Result<std::vector<TrackingEvent>> OrlenConnector::Track(const std::string& tracking_number) {
  if (!IsPackCode(tracking_number)) return BadId(tracking_number);
  NADAJNIK_ASSIGN_OR_RETURN(auto rows, History(tracking_number));
  return EventsFor(rows, tracking_number);
}

Result<void> OrlenConnector::Cancel(const std::string& remote_id) {
  NADAJNIK_TRY(NeedSettings());
  if (!IsPackCode(remote_id)) return BadId(remote_id);
  NADAJNIK_TRY(Call("PutCustomerPackCanceled",
                    BuildCancel(settings_.partner_id, settings_.partner_key.Reveal(), remote_id),
                    fmt::format("cancel pack {}", remote_id)));
  return Ok();
}

Result<std::vector<Point>> OrlenConnector::Points() {
  NADAJNIK_TRY(NeedSettings());
  NADAJNIK_ASSIGN_OR_RETURN(
      auto body, Post("GiveMeAllLocationWithAllDataWithZipCode",
                      BuildPointList(settings_.partner_id, settings_.partner_key.Reveal()),
                      "list the pickup points"));
  return ParsePoints(body);
}

}  // namespace nadajnik::carriers::orlen
