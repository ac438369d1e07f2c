#include "carriers/poczta_polska/api.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/text.hpp"
#include "documents/labels.hpp"

namespace nadajnik::carriers::poczta_polska {

namespace {

bool IsGuid(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
         });
}

Unexpected BadId(std::string_view id) {
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("'{}' is not a Poczta Polska shipment GUID (32 hex characters)",
                          TruncateUtf8(id, 40)));
}

std::string Day(Timestamp t) { return FormatLocal(t).substr(0, 10); }

}  // namespace

PocztaPolskaConnector::PocztaPolskaConnector(net::HttpClient& http, PocztaPolskaSettings settings,
                                             const Clock* clock)
    : http_(http), settings_(std::move(settings)), clock_(clock ? clock : &system_clock_) {
  settings_.base_url = TrimTrailingSlashes(settings_.base_url);
}

Capabilities PocztaPolskaConnector::capabilities() const {
  Capabilities c;
  c.asynchronous_create = false;
  c.cancel = true;  // while the shipment is in the bufor
  c.cash_on_delivery = true;
  c.pickup_points = true;
  c.label_formats = {
      settings_.pdf_page_a4 ? domain::LabelFormat::kPdfA4 : domain::LabelFormat::kPdfA6,
      domain::LabelFormat::kZpl203, domain::LabelFormat::kZpl300};
  return c;
}

std::vector<std::pair<std::string, std::string>> PocztaPolskaConnector::BuforParam() const {
  if (!settings_.id_bufor) return {};
  return {{"idBufor", std::to_string(*settings_.id_bufor)}};
}

Result<SoapAnswer> PocztaPolskaConnector::Call(std::string_view operation, const std::string& body,
                                               std::string_view what) {
  if (settings_.login.empty() || settings_.password.empty()) {
    return Fail(ErrorCode::kPermissionDenied,
                "Poczta Polska needs the e-Nadawca WebAPI login and password: enter them in "
                "Ustawienia > Przewoźnicy");
  }
  net::HttpRequest req;
  req.method = "POST";
  req.url = settings_.base_url + kEndpointPath;
  req.timeout = settings_.timeout;
  req.headers = {
      {"Authorization",
       "Basic " + EncodeBase64(settings_.login + ":" + settings_.password.Reveal())},
      {"Content-Type", "text/xml; charset=utf-8"},
      {"SOAPAction", fmt::format("\"{}/{}\"", kNamespace, operation)},
  };
  req.body = body;
  NADAJNIK_ASSIGN_OR_RETURN(auto response, http_.Send(req));
  return ParseAnswer(response.status, response.body, operation, what);
}

Result<void> PocztaPolskaConnector::CheckCredentials() {
  NADAJNIK_ASSIGN_OR_RETURN(auto answer, Call("getUrzedyNadania", SoapRequest("getUrzedyNadania"),
                                              "check the credentials"));
  const auto offices = ParseUrzedyNadania(answer);
  if (offices.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "The e-Nadawca account has no posting office (urząd nadania) assigned, so it "
                "can't post: ask your Poczta Polska adviser to assign one");
  }
  if (settings_.urzad_nadania &&
      std::none_of(offices.begin(), offices.end(),
                   [&](const PostingOffice& o) { return o.id == *settings_.urzad_nadania; })) {
    std::string known;
    for (const auto& o : offices) {
      known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", o.id,
                           TruncateUtf8(o.description, 60));
    }
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("Posting office {} is not one of this e-Nadawca account's: choose one "
                            "of {} in Ustawienia > Przewoźnicy",
                            *settings_.urzad_nadania, known));
  }
  return Ok();
}

Result<std::vector<Result<RemoteShipment>>> PocztaPolskaConnector::CreateMany(
    const std::vector<ShipmentRequest>& requests) {
  std::vector<Result<RemoteShipment>> results(requests.size(), RemoteShipment{});
  std::vector<ShipmentRequest> to_send;
  std::vector<std::size_t> index;
  std::map<std::string, std::size_t> guids;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (auto valid = ValidateRequest(requests[i], settings_.defaults); !valid) {
      results[i] = Fail(valid.error());
      continue;
    }
    const std::string guid = GuidFor(requests[i].reference);
    if (guids.count(guid)) {
      results[i] = Fail(ErrorCode::kInvalidArgument,
                        fmt::format("Reference '{}' appears twice in one batch: one shipment per "
                                    "reference",
                                    TruncateUtf8(requests[i].reference, 60)));
      continue;
    }
    guids[guid] = i;
    to_send.push_back(requests[i]);
    index.push_back(i);
  }
  for (std::size_t start = 0; start < to_send.size(); start += 500) {
    const std::size_t end = std::min(to_send.size(), start + 500);
    std::vector<ShipmentRequest> chunk(to_send.begin() + start, to_send.begin() + end);
    NADAJNIK_ASSIGN_OR_RETURN(auto body,
                              BuildAddShipment(chunk, settings_.defaults, settings_.id_bufor));
    NADAJNIK_ASSIGN_OR_RETURN(auto answer, Call("addShipment", body, "add shipments to the bufor"));
    NADAJNIK_ASSIGN_OR_RETURN(auto items, ParseAddShipment(answer));
    std::vector<bool> answered(chunk.size(), false);
    for (const auto& item : items) {
      auto it = guids.find(item.guid);
      if (it == guids.end()) continue;
      const std::size_t i = it->second;
      const auto pos = std::find(index.begin(), index.end(), i) - index.begin();
      if (pos >= static_cast<long>(start) && pos < static_cast<long>(end))
        answered[pos - start] = true;
      const std::string what =
          fmt::format("add shipment {} to the bufor", TruncateUtf8(requests[i].reference, 60));
      if (!item.errors.empty()) {
        results[i] = Fail(ErrorFromSoapErrors(item.errors, what));
      } else if (item.numer_nadania.empty()) {
        results[i] = Fail(ErrorCode::kInternal,
                          fmt::format("Poczta Polska accepted shipment {} without a tracking "
                                      "number (numerNadania)",
                                      TruncateUtf8(requests[i].reference, 60)));
      } else {
        RemoteShipment s;
        s.remote_id = item.guid;
        s.tracking_number = item.numer_nadania;
        s.confirmed = true;
        s.status = "W_BUFORZE";
        results[i] = s;
      }
    }
    for (std::size_t k = 0; k < chunk.size(); ++k) {
      if (!answered[k]) {
        results[index[start + k]] = Fail(
            ErrorCode::kUnavailable,
            "Poczta Polska did not answer for this shipment; it will be looked up again by its "
            "reference");
      }
    }
  }
  return results;
}

Result<RemoteShipment> PocztaPolskaConnector::Create(const ShipmentRequest& request) {
  NADAJNIK_ASSIGN_OR_RETURN(auto results, CreateMany({request}));
  return std::move(results.front());
}

Result<std::optional<PocztaPolskaConnector::Location>> PocztaPolskaConnector::Locate(
    const std::string& guid, const std::string& number) {
  auto matches = [&](const std::string& g, const std::string& n) {
    return (!guid.empty() && g == guid) || (!number.empty() && n == number);
  };
  NADAJNIK_ASSIGN_OR_RETURN(
      auto bufor,
      Call("getEnvelopeBufor", SoapRequest("getEnvelopeBufor", BuforParam()), "read the bufor"));
  for (const auto& s : ParseBufor(bufor)) {
    if (!matches(s.guid, s.numer_nadania)) continue;
    Location l;
    l.in_buffer = true;
    l.guid = s.guid;
    l.numer_nadania = s.numer_nadania;
    return std::optional<Location>(l);
  }
  const Timestamp now = clock_->Now();
  NADAJNIK_ASSIGN_OR_RETURN(
      auto list,
      Call("getEnvelopeList",
           SoapRequest("getEnvelopeList",
                       {{"startDate", Day(now - std::chrono::hours(24) * settings_.search_days)},
                        {"endDate", Day(now + std::chrono::hours(24))}}),
           "list the sent envelopes"));
  auto envelopes = ParseEnvelopeList(list);
  std::sort(envelopes.begin(), envelopes.end(),
            [](const EnvelopeInfo& a, const EnvelopeInfo& b) { return a.id > b.id; });
  for (const auto& envelope : envelopes) {
    NADAJNIK_ASSIGN_OR_RETURN(
        auto content,
        Call("getEnvelopeContentShort",
             SoapRequest("getEnvelopeContentShort", {{"idEnvelope", std::to_string(envelope.id)}}),
             fmt::format("read envelope {}", envelope.id)));
    for (const auto& s : ParseContentShort(content)) {
      if (!matches(s.guid, s.numer_nadania)) continue;
      Location l;
      l.guid = s.guid;
      l.numer_nadania = s.numer_nadania;
      l.envelope_id = envelope.id;
      l.envelope_status = envelope.status;
      l.shipment_status = s.status;
      l.date = s.date.empty() ? envelope.date : s.date;
      return std::optional<Location>(l);
    }
  }
  return std::optional<Location>();
}

RemoteShipment PocztaPolskaConnector::ToRemote(const Location& l) const {
  RemoteShipment s;
  s.remote_id = l.guid;
  s.tracking_number = l.numer_nadania;
  s.confirmed = !l.numer_nadania.empty();
  s.status =
      l.in_buffer ? "W_BUFORZE" : fmt::format("KOPERTA_{}_{}", l.envelope_id, l.envelope_status);
  if (l.envelope_status == "BLEDNY") {
    s.error = fmt::format(
        "Poczta Polska marked sending book (envelope) {} as faulty (BLEDNY): check it in the "
        "e-Nadawca panel",
        l.envelope_id);
  }
  return s;
}

Result<RemoteShipment> PocztaPolskaConnector::Status(const std::string& remote_id) {
  if (!IsGuid(remote_id)) return BadId(remote_id);
  NADAJNIK_ASSIGN_OR_RETURN(auto where, Locate(remote_id, ""));
  if (!where) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("Poczta Polska has no shipment {} in the bufor or in the envelopes of "
                            "the last {} days",
                            remote_id, settings_.search_days));
  }
  return ToRemote(*where);
}

Result<std::optional<RemoteShipment>> PocztaPolskaConnector::FindByReference(
    const std::string& reference) {
  if (reference.empty()) return std::optional<RemoteShipment>();
  NADAJNIK_ASSIGN_OR_RETURN(auto where, Locate(GuidFor(reference), ""));
  if (!where) return std::optional<RemoteShipment>();
  return std::optional<RemoteShipment>(ToRemote(*where));
}

Result<Label> PocztaPolskaConnector::FetchLabel(const std::string& remote_id,
                                                domain::LabelFormat format) {
  if (!IsGuid(remote_id)) return BadId(remote_id);
  Label label;
  label.format = format;
  if (format == domain::LabelFormat::kPdfA6 || format == domain::LabelFormat::kPdfA4) {
    // The page size is what the account is set to in the e-Nadawca panel.
    label.format =
        settings_.pdf_page_a4 ? domain::LabelFormat::kPdfA4 : domain::LabelFormat::kPdfA6;
  }
  const std::string what = fmt::format("print the label of shipment {}", remote_id);
  NADAJNIK_ASSIGN_OR_RETURN(
      auto answer, Call("getPrintForParcel", BuildGetPrintForParcel({remote_id}, format), what));
  const auto errors = answer.Errors();
  NADAJNIK_ASSIGN_OR_RETURN(auto prints, ParsePrintResults(answer));
  auto it = std::find_if(prints.begin(), prints.end(),
                         [&](const PrintResult& p) { return p.guid == remote_id; });
  if (it == prints.end() && prints.size() == 1 && prints[0].guid.empty()) it = prints.begin();
  if (it == prints.end()) {
    if (!errors.empty()) return Fail(ErrorFromSoapErrors(errors, what));
    return Fail(ErrorCode::kNotFound,
                fmt::format("Poczta Polska returned no label for shipment {}", remote_id));
  }
  if (auto checked = documents::CheckLabel(it->bytes, label.format); !checked) {
    Error e = checked.error();
    e.code = ErrorCode::kUnavailable;
    e.retryable = true;
    e.message = fmt::format(
        "Poczta Polska sent a broken label for shipment {} ({}); it will be fetched again",
        remote_id, e.message);
    return Fail(std::move(e));
  }
  label.bytes = std::move(it->bytes);
  return label;
}

Result<std::vector<TrackingEvent>> PocztaPolskaConnector::Track(
    const std::string& tracking_number) {
  if (tracking_number.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "The Poczta Polska shipment has no tracking number (numer nadania)");
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto where, Locate("", tracking_number));
  if (!where) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("Poczta Polska has no shipment {} in the bufor or in the envelopes of "
                            "the last {} days",
                            TruncateUtf8(tracking_number, 40), settings_.search_days));
  }
  const Timestamp now = clock_->Now();
  std::vector<TrackingEvent> events;
  TrackingEvent created;
  created.state = domain::TrackingState::kCreated;
  if (where->in_buffer) {
    created.code = "W_BUFORZE";
    created.description = "in the e-Nadawca bufor, not yet sent in a sending book";
    created.at = now;
    events.push_back(std::move(created));
    return events;
  }
  created.code = "KOPERTA_" + where->envelope_status;
  created.description = fmt::format("sent in sending book (envelope) {}, status {}",
                                    where->envelope_id, where->envelope_status);
  created.at = ParseWireTime(where->date).value_or(now);
  events.push_back(created);
  NADAJNIK_ASSIGN_OR_RETURN(
      auto answer,
      Call("getEPOStatus",
           SoapRequest("getEPOStatus", {{"guid", where->guid},
                                        {"endedOnly", "false"},
                                        {"idEnvelope", std::to_string(where->envelope_id)}}),
           fmt::format("track parcel {}", TruncateUtf8(tracking_number, 40))));
  for (const auto& epo : ParseEpo(answer)) {
    if (epo.guid != where->guid && epo.numer_nadania != tracking_number) continue;
    if (epo.status.empty() || epo.status == "NIEZNANY") continue;
    TrackingEvent e;
    e.code = epo.status;
    e.state = TrackingStateForEpo(epo.status);
    e.description = DescribeEpo(epo.status);
    if (!epo.return_reason.empty()) e.description += " (" + epo.return_reason + ")";
    std::string when = epo.status == "DORECZONA" ? epo.delivered_at
                       : epo.status == "ZWROT"   ? epo.returned_at
                       : epo.status == "AWIZO"   ? epo.awizo_date
                                                 : std::string();
    e.at = std::max(ParseWireTime(when).value_or(now), events.back().at);
    events.push_back(std::move(e));
  }
  return events;
}

Result<void> PocztaPolskaConnector::Cancel(const std::string& remote_id) {
  if (!IsGuid(remote_id)) return BadId(remote_id);
  NADAJNIK_ASSIGN_OR_RETURN(auto where, Locate(remote_id, ""));
  if (!where) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("Poczta Polska has no shipment {} to cancel", remote_id));
  }
  if (!where->in_buffer) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("Shipment {} was already sent to Poczta Polska in sending book "
                            "(envelope) {}: e-Nadawca can't cancel it any more; don't hand the "
                            "parcel over, and settle it with the post office",
                            where->numer_nadania, where->envelope_id));
  }
  auto children = std::vector<std::pair<std::string, std::string>>{{"guid", remote_id}};
  for (auto& p : BuforParam()) children.push_back(p);
  const std::string what = fmt::format("cancel shipment {}", where->numer_nadania);
  NADAJNIK_ASSIGN_OR_RETURN(auto answer, Call("clearEnvelopeByGuids",
                                              SoapRequest("clearEnvelopeByGuids", children), what));
  if (auto errors = answer.Errors(); !errors.empty()) {
    return Fail(ErrorFromSoapErrors(errors, what));
  }
  return Ok();
}

Result<EnvelopeInfo> PocztaPolskaConnector::SendEnvelope() {
  std::vector<std::pair<std::string, std::string>> children;
  if (settings_.urzad_nadania) {
    children.emplace_back("urzadNadania", std::to_string(*settings_.urzad_nadania));
  }
  for (auto& p : BuforParam()) children.push_back(p);
  const std::string what = "send the sending book (envelope)";
  NADAJNIK_ASSIGN_OR_RETURN(auto answer,
                            Call("sendEnvelope", SoapRequest("sendEnvelope", children), what));
  if (auto errors = answer.Errors(); !errors.empty()) {
    return Fail(ErrorFromSoapErrors(errors, what));
  }
  EnvelopeInfo info = ParseEnvelope(answer);
  if (info.id == 0) {
    return Fail(ErrorCode::kInternal, "Poczta Polska sent the envelope without its id");
  }
  return info;
}

Result<EnvelopeInfo> PocztaPolskaConnector::EnvelopeStatus(int id_envelope) {
  const std::string what = fmt::format("read the status of envelope {}", id_envelope);
  NADAJNIK_ASSIGN_OR_RETURN(
      auto answer,
      Call("getEnvelopeStatus",
           SoapRequest("getEnvelopeStatus", {{"idEnvelope", std::to_string(id_envelope)}}), what));
  if (auto errors = answer.Errors(); !errors.empty()) {
    Error e = ErrorFromSoapErrors(errors, what);
    return Fail(std::move(e));
  }
  EnvelopeInfo info = ParseEnvelope(answer);
  info.id = id_envelope;
  return info;
}

Result<void> PocztaPolskaConnector::ClearBuffer() {
  const std::string what = "empty the bufor";
  NADAJNIK_ASSIGN_OR_RETURN(
      auto answer, Call("clearEnvelope", SoapRequest("clearEnvelope", BuforParam()), what));
  if (auto errors = answer.Errors(); !errors.empty()) {
    return Fail(ErrorFromSoapErrors(errors, what));
  }
  if (std::string(answer.response.child("retval").text().get()) == "false") {
    return Fail(ErrorCode::kFailedPrecondition, "Poczta Polska did not empty the bufor");
  }
  return Ok();
}

Result<Handover> PocztaPolskaConnector::CloseDay(const std::vector<std::string>& remote_ids) {
  // The whole bufor goes out (sendEnvelope takes no list): the day's shipments are in it.
  NADAJNIK_ASSIGN_OR_RETURN(auto envelope, SendEnvelope());
  Handover h;
  h.summary =
      fmt::format("Poczta Polska: wysłano kopertę {} ({} przesyłek), status {}", envelope.id,
                  remote_ids.size(), envelope.status.empty() ? "?" : envelope.status);
  return h;
}

}  // namespace nadajnik::carriers::poczta_polska
