#include "domain/shipment.hpp"

#include "core/enum_names.hpp"

namespace nadajnik::domain {

namespace {
constexpr std::pair<Carrier, std::string_view> kCarriers[] = {
    {Carrier::kInPost, "inpost"},
    {Carrier::kDpd, "dpd"},
    {Carrier::kPocztaPolska, "poczta_polska"},
    {Carrier::kOrlenPaczka, "orlen_paczka"},
    {Carrier::kAllegroShipping, "allegro_shipping"},
};
constexpr std::pair<ShipmentState, std::string_view> kShipmentStates[] = {
    {ShipmentState::kPending, "pending"},        {ShipmentState::kCreated, "created"},
    {ShipmentState::kLabelReady, "label_ready"}, {ShipmentState::kCancelled, "cancelled"},
    {ShipmentState::kFailed, "failed"},
};
constexpr std::pair<TrackingState, std::string_view> kTrackingStates[] = {
    {TrackingState::kUnknown, "unknown"},
    {TrackingState::kCreated, "created"},
    {TrackingState::kInTransit, "in_transit"},
    {TrackingState::kOutForDelivery, "out_for_delivery"},
    {TrackingState::kReadyForPickup, "ready_for_pickup"},
    {TrackingState::kDelivered, "delivered"},
    {TrackingState::kFailed, "failed"},
    {TrackingState::kReturned, "returned"},
};
constexpr std::pair<LabelFormat, std::string_view> kLabelFormats[] = {
    {LabelFormat::kPdfA6, "pdf_a6"},
    {LabelFormat::kPdfA4, "pdf_a4"},
    {LabelFormat::kZpl203, "zpl_203"},
    {LabelFormat::kZpl300, "zpl_300"},
};
}  // namespace

std::string_view CarrierCode(Carrier c) { return NameOf(kCarriers, c); }
std::optional<Carrier> ParseCarrier(std::string_view s) {
  if (s == "orlen") return Carrier::kOrlenPaczka;  // what sellers call it
  return ParseName(kCarriers, s);
}
std::string_view CarrierDisplayName(Carrier c) {
  switch (c) {
    case Carrier::kInPost:
      return "InPost";
    case Carrier::kDpd:
      return "DPD";
    case Carrier::kPocztaPolska:
      return "Poczta Polska";
    case Carrier::kOrlenPaczka:
      return "ORLEN Paczka";
    case Carrier::kAllegroShipping:
      return "Wysyłam z Allegro";
  }
  return "?";
}
std::string_view TrackingStateLabel(TrackingState s) {
  switch (s) {
    case TrackingState::kUnknown:
      return "Brak informacji";
    case TrackingState::kCreated:
      return "Nadana";
    case TrackingState::kInTransit:
      return "W drodze";
    case TrackingState::kOutForDelivery:
      return "W doręczeniu";
    case TrackingState::kReadyForPickup:
      return "Do odbioru";
    case TrackingState::kDelivered:
      return "Doręczona";
    case TrackingState::kFailed:
      return "Nieudane doręczenie";
    case TrackingState::kReturned:
      return "Zwrócona";
  }
  return "?";
}
std::string_view ShipmentStateName(ShipmentState s) { return NameOf(kShipmentStates, s); }
std::optional<ShipmentState> ParseShipmentState(std::string_view s) {
  return ParseName(kShipmentStates, s);
}
std::string_view TrackingStateName(TrackingState s) { return NameOf(kTrackingStates, s); }
std::optional<TrackingState> ParseTrackingState(std::string_view s) {
  return ParseName(kTrackingStates, s);
}
std::string_view LabelFormatName(LabelFormat f) { return NameOf(kLabelFormats, f); }
std::optional<LabelFormat> ParseLabelFormat(std::string_view s) {
  return ParseName(kLabelFormats, s);
}

}  // namespace nadajnik::domain
