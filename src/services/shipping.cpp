#include "services/shipping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "carriers/allegro_shipping/mapping.hpp"
#include "carriers/polish_address.hpp"
#include "core/text.hpp"
#include "documents/labels.hpp"
#include "observability/log.hpp"
#include "security/tokens.hpp"
#include "services/comment_template.hpp"
#include "services/status_sync.hpp"
#include "services/tracking_push.hpp"

namespace nadajnik::services {

using domain::Carrier;
using domain::LabelFormat;
using domain::Shipment;
using domain::ShipmentState;

namespace {

constexpr std::string_view kDefaultComment = "Zamówienie {order.checkoutFormId}";

std::string Setting(const domain::CarrierSettings& s, const std::string& key) {
  auto it = s.settings.find(key);
  return it == s.settings.end() ? std::string() : it->second;
}

// Addresses keep "street number" in one field; carriers that want the number apart get it.
void SplitBuilding(carriers::Party& p) {
  if (!p.building.empty()) return;
  auto split = carriers::SplitStreetAndBuilding(p.street);
  if (split.building.empty()) return;
  p.street = split.street;
  p.building = split.building;
}

carriers::Party SenderParty(const domain::SenderAddress& a) {
  carriers::Party p;
  p.name = a.name;
  p.company = a.company;
  p.street = a.street;
  p.postal_code = a.postal_code;
  p.city = a.city;
  p.country_code = a.country_code.empty() ? "PL" : a.country_code;
  p.phone = a.phone;
  p.email = a.email;
  SplitBuilding(p);
  return p;
}

carriers::Party ReceiverParty(const domain::Order& o) {
  carriers::Party p;
  const domain::Address* a = o.delivery.address ? &*o.delivery.address : nullptr;
  if (a) {
    p.name = Trim(a->first_name + " " + a->last_name);
    p.company = a->company;
    p.street = a->street;
    p.postal_code = a->postal_code;
    p.city = a->city;
    p.country_code = a->country_code;
    p.phone = a->phone;
  }
  if (p.name.empty()) p.name = Trim(o.buyer.first_name + " " + o.buyer.last_name);
  if (p.name.empty()) p.name = o.buyer.login;
  if (p.company.empty()) p.company = o.buyer.company;
  if (p.phone.empty()) p.phone = o.buyer.phone;
  if (p.country_code.empty()) p.country_code = o.buyer.address.country_code;
  if (p.country_code.empty()) p.country_code = "PL";
  p.email = o.buyer.email;
  SplitBuilding(p);
  return p;
}

std::string FileExtension(LabelFormat f) {
  return LabelContentType(f) == "application/pdf" ? "pdf" : "zpl";
}

// Written to a temporary file, flushed and renamed: a crash never leaves half a label.
Result<void> WriteFileAtomically(const std::filesystem::path& path, const std::string& bytes) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable, fmt::format("cannot create the labels folder {}: {}",
                                                     path.parent_path().string(), ec.message()));
  }
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      return Fail(ErrorCode::kUnavailable, fmt::format("cannot write the label file {}", tmp));
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("cannot store the label file {}: {}", path.string(), ec.message()));
  }
  return Ok();
}

Result<std::optional<std::string>> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::optional<std::string>();
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return std::optional<std::string>(std::move(bytes));
}

bool Permanent(ErrorCode c) {
  return c == ErrorCode::kInvalidArgument || c == ErrorCode::kPermissionDenied ||
         c == ErrorCode::kFailedPrecondition || c == ErrorCode::kNotFound ||
         c == ErrorCode::kAlreadyExists;
}

// True when a failed create certainly did not reach the carrier (it answered with a refusal, a
// 429, or the connection was never made). Otherwise (a timeout, a 5xx) it may have created it.
bool CertainlyNotCreated(const Error& e) {
  if (Permanent(e.code) || e.code == ErrorCode::kRateLimited) return true;
  return e.message.find("Couldn't connect") != std::string::npos ||
         e.message.find("Couldn't resolve") != std::string::npos;
}

Error Retryable(Error e) {
  e.retryable = true;
  return e;
}

}  // namespace

struct ShippingService::Impl {
  store::Store& store;
  const Clock& clock;
  CarrierConnectorSource carriers;
  marketplace::ConnectorFactory& marketplace;
  ShippingOptions options;
  std::function<void()> wake;

  std::filesystem::path LabelPath(ShipmentId id, LabelFormat f) const {
    return options.labels_dir /
           fmt::format("{}-{}.{}", id.value, domain::LabelFormatName(f), FileExtension(f));
  }

  // ---- Requests ---------------------------------------------------------------------------

  Result<carriers::ShipmentRequest> Prefill(const domain::Order& order,
                                            const domain::CarrierSettings& contract,
                                            const ShipmentDraft& draft, int shipment_no) {
    carriers::ShipmentRequest q;
    // Ours, short and unique across installations: a reused database never adopts another
    // installation's parcel.
    q.reference = fmt::format("NDJ-{}-{}-{}", order.id.value, shipment_no,
                              security::RandomToken(4).substr(0, 6));
    q.service = draft.service.empty() ? Setting(contract, "default_service") : draft.service;
    if (q.service.empty() && contract.carrier == Carrier::kAllegroShipping) {
      // Allegro's shipment management ships the order's own delivery method.
      q.service = TruncateUtf8(order.delivery.method_name, 100);
    }
    if (q.service.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("service: wybierz usługę {} (albo ustaw default_service w umowie "
                              "z przewoźnikiem)",
                              domain::CarrierDisplayName(contract.carrier)));
    }
    q.sender = SenderParty(contract.sender);
    q.receiver = draft.receiver ? *draft.receiver : ReceiverParty(order);
    if (draft.target_point) {
      q.target_point = *draft.target_point;
    } else if (order.delivery.pickup_point) {
      q.target_point = order.delivery.pickup_point->id;
    }
    q.sending_point =
        draft.sending_point ? *draft.sending_point : Setting(contract, "sending_point");
    q.parcels = draft.parcels;
    if (q.parcels.empty()) {
      domain::Parcel p;
      p.size_template = Setting(contract, "default_template");
      const std::string w = Setting(contract, "default_weight_grams");
      p.weight_grams = w.empty() ? 1000 : std::atoi(w.c_str());
      q.parcels.push_back(p);
    }
    // A parcel without a template or sizes gets the contract's default sizes.
    for (auto& p : q.parcels) {
      if (p.size_template.empty() && p.length_mm == 0 && p.width_mm == 0 && p.height_mm == 0) {
        p.length_mm = std::atoi(Setting(contract, "default_length_mm").c_str());
        p.width_mm = std::atoi(Setting(contract, "default_width_mm").c_str());
        p.height_mm = std::atoi(Setting(contract, "default_height_mm").c_str());
      }
    }
    for (std::size_t i = 0; i < q.parcels.size(); ++i) {
      const auto& p = q.parcels[i];
      if (p.weight_grams <= 0 || p.weight_grams > 1'000'000 || p.length_mm < 0 || p.width_mm < 0 ||
          p.height_mm < 0) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("parcels[{}]: waga od 1 g do 1000 kg, wymiary nieujemne", i));
      }
    }
    if (draft.override_cash_on_delivery) {
      q.cash_on_delivery = draft.cash_on_delivery;
    } else if (order.cash_on_delivery()) {
      q.cash_on_delivery = order.total;
    }
    if (q.cash_on_delivery && q.cash_on_delivery->minor <= 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "cashOnDelivery: kwota pobrania musi być większa od zera");
    }
    q.cod_bank_account = Setting(contract, "bank_account");
    q.insurance = draft.insurance;
    if (draft.comment) {
      q.comment = TruncateUtf8(*draft.comment, options.comment_max);
    } else {
      std::string tmpl = Setting(contract, "comment_template");
      if (tmpl.empty()) tmpl = std::string(kDefaultComment);
      NADAJNIK_ASSIGN_OR_RETURN(q.comment, RenderComment(tmpl, order, options.comment_max));
    }
    q.checkout_form_id = order.checkout_form_id.value;
    q.delivery_method_id = order.delivery.method_id;
    q.smart = order.delivery.smart;
    if (contract.carrier == Carrier::kAllegroShipping && q.smart) {
      // Smart goes only to the buyer's masked Allegro address: told now, not after the job ran.
      if (auto ok = carriers::allegro_shipping::ValidateReceiverEmail(q.receiver.email); !ok) {
        return Fail(ErrorCode::kFailedPrecondition,
                    fmt::format("receiver.email: przesyłki Smart nie da się utworzyć: {}",
                                ok.error().message));
      }
    }
    return q;
  }

  Result<ShipmentOutcome> RequestOnce(OrderId order_id, const ShipmentDraft& draft,
                                      const std::string& key, const std::string& actor) {
    const Timestamp now = clock.Now();
    return store.InTransaction([&](store::UnitOfWork& uow) -> Result<ShipmentOutcome> {
      NADAJNIK_ASSIGN_OR_RETURN(auto existing, uow.shipments().FindByIdempotencyKey(key));
      if (existing) {
        if (existing->order_id != order_id) {
          return Fail(ErrorCode::kConflict,
                      fmt::format("Idempotency-Key użyto już dla zamówienia {}, nie {}",
                                  existing->order_id.value, order_id.value));
        }
        return ShipmentOutcome{std::move(*existing), false};
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto order, uow.orders().Get(order_id));
      if (!order) {
        return Fail(ErrorCode::kNotFound, fmt::format("no order with id {}", order_id.value));
      }
      if (order->merged_into) {
        return Fail(ErrorCode::kFailedPrecondition,
                    fmt::format("zamówienie {} połączono z zamówieniem {}: wyślij tamto",
                                order_id.value, order->merged_into->value));
      }
      if (order->read_only()) {
        return Fail(ErrorCode::kFailedPrecondition,
                    "to zamówienie wysyła magazyn Allegro (One Fulfillment)");
      }
      if (order->cancelled()) {
        return Fail(ErrorCode::kFailedPrecondition,
                    "kupujący anulował to zamówienie: przesyłki nie utworzono");
      }
      if (!draft.carrier) return Fail(ErrorCode::kInvalidArgument, "carrier: wybierz przewoźnika");
      const Carrier carrier = *draft.carrier;
      NADAJNIK_ASSIGN_OR_RETURN(auto contract,
                                uow.carrier_settings().Get(order->account_id, carrier));
      if (!contract || !contract->enabled) {
        NADAJNIK_ASSIGN_OR_RETURN(auto account, uow.accounts().Get(order->account_id));
        return Fail(ErrorCode::kFailedPrecondition,
                    fmt::format("konto {} nie ma {} umowy z {}: dodaj ją w Ustawieniach lub "
                                "`nadajnik carriers add --account {} --carrier {}`",
                                account ? account->alias : "?", contract ? "włączonej" : "",
                                domain::CarrierDisplayName(carrier), account ? account->alias : "?",
                                domain::CarrierCode(carrier)));
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto shipments, uow.shipments().ListForOrder(order_id));
      int next_no = 1;
      const Shipment* active = nullptr;
      for (const auto& s : shipments) {
        next_no = std::max(next_no, s.shipment_no + 1);
        if (s.active()) active = &s;
      }
      if (active && !draft.confirm_another) {
        return Fail(
            ErrorCode::kAlreadyExists,
            fmt::format("zamówienie ma już przesyłkę {} ({}{}): potwierdź, aby utworzyć "
                        "kolejną",
                        active->id.value, domain::CarrierDisplayName(active->carrier),
                        active->tracking_number.empty() ? "" : ", " + active->tracking_number),
            fmt::format("shipment:{}", active->id.value));
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto request, Prefill(*order, *contract, draft, next_no));
      Shipment s;
      s.order_id = order_id;
      s.account_id = order->account_id;
      s.carrier = carrier;
      s.service = request.service;
      s.idempotency_key = key;
      s.parcels = request.parcels;
      s.cash_on_delivery = request.cash_on_delivery;
      s.insurance = request.insurance;
      if (s.cash_on_delivery && s.insurance &&
          s.cash_on_delivery->currency != s.insurance->currency) {
        return Fail(ErrorCode::kInvalidArgument,
                    "insurance: podaj ubezpieczenie w walucie pobrania");
      }
      s.request_json = EncodeShipmentRequest(request);
      s.created_by = actor;
      s.shipment_no = next_no;
      NADAJNIK_ASSIGN_OR_RETURN(auto inserted, uow.shipments().InsertPending(s, now));
      s.id = inserted.id;
      s.created_at = s.updated_at = now;
      domain::OrderEvent e;
      e.order_id = order_id;
      e.kind = "shipment_requested";
      e.at = now;
      e.actor = actor;
      e.message =
          fmt::format("Zlecono przesyłkę {} ({}{})", domain::CarrierDisplayName(carrier),
                      request.service, next_no > 1 ? fmt::format(", kolejna nr {}", next_no) : "");
      NADAJNIK_TRY(uow.order_events().Append(e));
      store::NewJob job;
      job.kind = std::string(kCreateShipmentJob);
      job.priority = 20;
      job.run_at = now;
      job.max_attempts = 40;
      job.unique_key = fmt::format("shipment.create:{}", s.id.value);
      job.account_id = s.account_id;
      job.order_id = order_id;
      job.payload = fmt::format(R"({{"shipment":{}}})", s.id.value);
      NADAJNIK_TRY(uow.jobs().Enqueue(job, now));
      return ShipmentOutcome{std::move(s), true};
    });
  }

  // ---- The job ------------------------------------------------------------------------------

  struct Loaded {
    Shipment shipment;
    domain::Order order;
    std::optional<domain::CarrierSettings> contract;
  };

  Result<Loaded> Load(ShipmentId id) {
    return store.Read([&](store::UnitOfWork& uow) -> Result<Loaded> {
      NADAJNIK_ASSIGN_OR_RETURN(auto s, uow.shipments().Get(id));
      if (!s) return Fail(ErrorCode::kNotFound, fmt::format("no shipment {}", id.value));
      NADAJNIK_ASSIGN_OR_RETURN(auto o, uow.orders().Get(s->order_id));
      if (!o) return Fail(ErrorCode::kNotFound, "the shipment's order is gone");
      NADAJNIK_ASSIGN_OR_RETURN(auto c, uow.carrier_settings().Get(s->account_id, s->carrier));
      return Loaded{std::move(*s), std::move(*o), std::move(c)};
    });
  }

  Result<void> Save(const Shipment& s) {
    return store.InTransaction(
        [&](store::UnitOfWork& uow) { return uow.shipments().Update(s, clock.Now()); });
  }

  // Ends the shipment as failed with `reason` (shown in the panel and the API).
  Result<void> FailShipment(jobs::JobContext& ctx, Shipment s, const std::string& reason) {
    s.state = ShipmentState::kFailed;
    s.last_error = TruncateUtf8(reason, 2000);
    log::Warn("shipment.failed", {{"shipment", s.id.value}, {"reason", s.last_error}});
    return ctx.Complete([&](store::UnitOfWork& uow) -> Result<void> {
      NADAJNIK_TRY(uow.shipments().Update(s, clock.Now()));
      NADAJNIK_TRY(uow.orders().SetAttention(
          s.order_id, true, TruncateUtf8("Przesyłka nieutworzona: " + reason, 500), clock.Now()));
      domain::OrderEvent e;
      e.order_id = s.order_id;
      e.kind = "shipment_failed";
      e.at = clock.Now();
      e.message = fmt::format("Przesyłki {} nie utworzono: {}",
                              domain::CarrierDisplayName(s.carrier), s.last_error);
      return uow.order_events().Append(e);
    });
  }

  Result<void> RunCreate(jobs::JobContext& ctx) {
    boost::system::error_code ec;
    auto payload = boost::json::parse(ctx.job().payload, ec);
    if (ec || !payload.is_object() || !payload.get_object().contains("shipment") ||
        !payload.get_object().at("shipment").is_int64()) {
      return Fail(ErrorCode::kInvalidArgument, "shipment.create needs {\"shipment\": id}");
    }
    const ShipmentId id(payload.get_object().at("shipment").get_int64());
    NADAJNIK_ASSIGN_OR_RETURN(auto loaded, Load(id));
    Shipment& s = loaded.shipment;
    if (s.state != ShipmentState::kPending && s.state != ShipmentState::kCreated) {
      return ctx.Complete({});  // done, failed or cancelled already
    }
    if (!loaded.contract) {
      return FailShipment(ctx, s, "umowę z przewoźnikiem usunięto");
    }
    auto request = DecodeShipmentRequest(s.request_json);
    if (!request) return FailShipment(ctx, s, request.error().message);
    auto connector = carriers(*loaded.contract);
    if (!connector) {
      if (Permanent(connector.error().code)) {
        return FailShipment(ctx, s, connector.error().message);
      }
      return Fail(Retryable(connector.error()));
    }
    carriers::CarrierConnector& carrier = **connector;

    bool confirmed = false;
    if (s.remote_id.empty()) {
      // 1. The order as Allegro has it now: a buyer may have cancelled since the import.
      NADAJNIK_ASSIGN_OR_RETURN(auto api, marketplace.ForAccount(s.account_id));
      auto remote = api->GetOrder(loaded.order.checkout_form_id);
      if (!remote) {
        if (remote.error().code == ErrorCode::kNotFound) {
          return FailShipment(ctx, s, "Allegro nie ma już tego zamówienia");
        }
        return Fail(Retryable(remote.error()));
      }
      if (remote->order) {
        domain::Order fresh = *remote->order;
        fresh.account_id = s.account_id;
        NADAJNIK_TRY(store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
          NADAJNIK_TRY(uow.orders().Upsert(fresh, clock.Now()));
          return Ok();
        }));
        if (fresh.cancelled()) {
          return FailShipment(ctx, s,
                              "kupujący anulował zamówienie w Allegro: etykiety nie utworzono");
        }
      }

      // 2. An earlier attempt may have reached the carrier: ask before creating.
      std::optional<carriers::RemoteShipment> made;
      if (s.carrier_called_at) {
        auto found = carrier.FindByReference(request->reference);
        if (!found) {
          if (found.error().code == ErrorCode::kFailedPrecondition) {
            return FailShipment(
                ctx, s,
                fmt::format("przerwano tworzenie przesyłki i nie wiadomo, czy {} ją przyjął "
                            "(numer referencyjny {}): sprawdź w panelu przewoźnika i utwórz "
                            "przesyłkę ponownie z potwierdzeniem, jeśli jej tam nie ma. {}",
                            domain::CarrierDisplayName(s.carrier), request->reference,
                            found.error().message));
          }
          return Fail(Retryable(found.error()));
        }
        made = *found;
      }
      if (!made) {
        s.carrier_called_at = clock.Now();
        NADAJNIK_TRY(Save(s));
        auto created = carrier.Create(*request);
        if (!created) {
          if (CertainlyNotCreated(created.error())) {
            s.carrier_called_at.reset();
            NADAJNIK_TRY(Save(s));
          }
          if (Permanent(created.error().code)) {
            return FailShipment(ctx, s, created.error().message);
          }
          return Fail(Retryable(created.error()));
        }
        made = *created;
      }
      if (!made->error.empty()) return FailShipment(ctx, s, made->error);
      s.remote_id = made->remote_id;
      s.tracking_number = made->tracking_number;
      s.tracking_detail = made->status;
      s.state = ShipmentState::kCreated;
      NADAJNIK_TRY(Save(s));
      if (made->confirmed) confirmed = true;
    }
    if (!confirmed) {
      NADAJNIK_ASSIGN_OR_RETURN(confirmed, AwaitConfirmation(ctx, carrier, s));
    }
    if (s.state == ShipmentState::kFailed) return FailShipment(ctx, s, s.last_error);
    if (!confirmed) {
      // The carrier is still working on it: give the worker back and look again shortly (a new
      // run of this job, with fresh attempts), up to confirm_give_up after the first call.
      if (s.carrier_called_at && clock.Now() - *s.carrier_called_at > options.confirm_give_up) {
        return FailShipment(
            ctx, s,
            fmt::format(
                "{} nie potwierdził przesyłki {} w ciągu {} min: sprawdź ją w panelu "
                "przewoźnika",
                domain::CarrierDisplayName(s.carrier), s.remote_id,
                std::chrono::duration_cast<std::chrono::minutes>(options.confirm_give_up).count()));
      }
      return ctx.Complete([&](store::UnitOfWork& uow) -> Result<void> {
        store::NewJob next;
        next.kind = std::string(kCreateShipmentJob);
        next.priority = ctx.job().priority;
        next.run_at = clock.Now() + options.confirm_recheck;
        next.max_attempts = ctx.job().max_attempts;
        next.unique_key = ctx.job().unique_key;
        next.account_id = ctx.job().account_id;
        next.order_id = ctx.job().order_id;
        next.payload = ctx.job().payload;
        NADAJNIK_TRY(uow.jobs().Enqueue(next, clock.Now()));
        return Ok();
      });
    }

    // 3. The label, stored before anything refers to it.
    const auto caps = carrier.capabilities();
    LabelFormat format = LabelFormat::kPdfA6;
    if (!caps.label_formats.empty() &&
        std::find(caps.label_formats.begin(), caps.label_formats.end(), format) ==
            caps.label_formats.end()) {
      format = caps.label_formats.front();
    }
    auto label = carrier.FetchLabel(s.remote_id, format);
    if (!label) {
      if (Permanent(label.error().code)) return FailShipment(ctx, s, label.error().message);
      return Fail(Retryable(label.error()));
    }
    if (auto ok = documents::CheckLabel(label->bytes, label->format); !ok) {
      Error e = ok.error();
      e.message = fmt::format("{} sent a label that is not usable: {}",
                              domain::CarrierDisplayName(s.carrier), e.message);
      return Fail(Retryable(std::move(e)));
    }
    const auto path = LabelPath(s.id, label->format);
    NADAJNIK_TRY(WriteFileAtomically(path, label->bytes));

    // 4. Done: the ledger, the timeline, the tracking push and the status, together.
    s.state = ShipmentState::kLabelReady;
    s.label_path = path.filename().string();
    s.label_format = label->format;
    s.tracking_state = domain::TrackingState::kCreated;
    s.last_error.clear();
    const std::string status_after = Setting(*loaded.contract, "status_after_label");
    bool status_queued = false;
    NADAJNIK_TRY(ctx.Complete([&](store::UnitOfWork& uow) -> Result<void> {
      const Timestamp now = clock.Now();
      NADAJNIK_TRY(uow.shipments().Update(s, now));
      domain::OrderEvent e;
      e.order_id = s.order_id;
      e.kind = "shipment_created";
      e.at = now;
      e.message = fmt::format("Przesyłka {} {} utworzona, etykieta gotowa",
                              domain::CarrierDisplayName(s.carrier), s.tracking_number);
      NADAJNIK_TRY(uow.order_events().Append(e));
      NADAJNIK_TRY(EnqueueTrackingPush(uow, s, now));
      if (!status_after.empty()) {
        auto change = ChangeStatusIn(uow, s.order_id, status_after, "system", now);
        if (!change) {
          domain::OrderEvent w;
          w.order_id = s.order_id;
          w.kind = "status_change_failed";
          w.at = now;
          w.message = fmt::format("Nie zmieniono statusu po etykiecie: {}", change.error().message);
          NADAJNIK_TRY(uow.order_events().Append(w));
        } else {
          status_queued = change->queued;
        }
      }
      return Ok();
    }));
    if (wake) wake();
    (void)status_queued;
    return Ok();
  }

  // Polls the carrier until it confirms (true) or refuses (s.state failed) the shipment, for up
  // to confirm_wait (false: not yet). Updates `s` (tracking number, state, error).
  Result<bool> AwaitConfirmation(jobs::JobContext& ctx, carriers::CarrierConnector& carrier,
                                 Shipment& s) {
    const auto deadline = std::chrono::steady_clock::now() + options.confirm_wait;
    while (true) {
      auto status = carrier.Status(s.remote_id);
      if (!status) {
        if (Permanent(status.error().code)) {
          s.state = ShipmentState::kFailed;
          s.last_error = status.error().message;
          return false;
        }
        return Fail(Retryable(status.error()));
      }
      if (!status->error.empty()) {
        s.state = ShipmentState::kFailed;
        s.last_error = status->error;
        return false;
      }
      if (status->confirmed && !status->tracking_number.empty()) {
        // Asynchronous carriers may name the shipment anew once made (Allegro: command ->
        // shipment id).
        if (!status->remote_id.empty()) s.remote_id = status->remote_id;
        s.tracking_number = status->tracking_number;
        s.tracking_detail = status->status;
        NADAJNIK_TRY(Save(s));
        return true;
      }
      if (ctx.stopping() || std::chrono::steady_clock::now() >= deadline) {
        s.tracking_detail = TruncateUtf8(status->status, 200);
        return false;
      }
      std::this_thread::sleep_for(options.confirm_poll);
    }
  }

  // ---- Labels -------------------------------------------------------------------------------

  Result<LabelFile> Label(ShipmentId id, LabelFormat format) {
    NADAJNIK_ASSIGN_OR_RETURN(auto loaded, Load(id));
    const Shipment& s = loaded.shipment;
    if (s.state != ShipmentState::kLabelReady) {
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("przesyłka {} nie ma etykiety (stan: {}{})", id.value,
                              domain::ShipmentStateName(s.state),
                              s.last_error.empty() ? "" : ": " + s.last_error));
    }
    LabelFile out;
    out.format = format;
    out.content_type = std::string(LabelContentType(format));
    out.file_name = fmt::format(
        "etykieta-{}.{}", s.tracking_number.empty() ? std::to_string(id.value) : s.tracking_number,
        FileExtension(format));
    if (format == LabelFormat::kPdfA4 && !std::filesystem::exists(LabelPath(id, format))) {
      NADAJNIK_ASSIGN_OR_RETURN(auto a6, Label(id, LabelFormat::kPdfA6));
      NADAJNIK_ASSIGN_OR_RETURN(out.bytes, documents::FourUpA4(a6.bytes));
      return out;
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto stored, ReadFile(LabelPath(id, format)));
    if (stored) {
      if (auto ok = documents::CheckLabel(*stored, format); !ok) {
        return Fail(ErrorCode::kInternal,
                    fmt::format("the stored label of shipment {} is damaged: {}", id.value,
                                ok.error().message));
      }
      out.bytes = std::move(*stored);
      return out;
    }
    if (!loaded.contract) {
      return Fail(ErrorCode::kFailedPrecondition, "umowę z przewoźnikiem usunięto");
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto connector, carriers(*loaded.contract));
    const auto caps = connector->capabilities();
    if (std::find(caps.label_formats.begin(), caps.label_formats.end(), format) ==
        caps.label_formats.end()) {
      return Fail(
          ErrorCode::kFailedPrecondition,
          fmt::format("{} nie udostępnia etykiet w formacie {}",
                      domain::CarrierDisplayName(s.carrier), domain::LabelFormatName(format)));
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto label, connector->FetchLabel(s.remote_id, format));
    NADAJNIK_TRY(documents::CheckLabel(label.bytes, format));
    NADAJNIK_TRY(WriteFileAtomically(LabelPath(id, format), label.bytes));
    out.bytes = std::move(label.bytes);
    return out;
  }

  Result<LabelFile> Merged(const std::vector<ShipmentId>& ids, LabelFormat format) {
    if (ids.empty())
      return Fail(ErrorCode::kInvalidArgument, "wybierz co najmniej jedną przesyłkę");
    if (ids.size() > 5000) {
      return Fail(ErrorCode::kInvalidArgument, "najwyżej 5000 etykiet w jednym pliku");
    }
    const bool pdf = LabelContentType(format) == "application/pdf";
    const LabelFormat each = pdf ? LabelFormat::kPdfA6 : format;
    std::vector<std::string> parts;
    parts.reserve(ids.size());
    for (const auto& id : ids) {
      NADAJNIK_ASSIGN_OR_RETURN(auto one, Label(id, each));
      parts.push_back(std::move(one.bytes));
    }
    LabelFile out;
    out.format = format;
    out.content_type = std::string(LabelContentType(format));
    out.file_name = fmt::format("etykiety-{}.{}", ids.size(), FileExtension(format));
    if (!pdf) {
      for (auto& p : parts) {
        out.bytes += p;
        if (!out.bytes.empty() && out.bytes.back() != '\n') out.bytes += '\n';
      }
      return out;
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto merged, documents::MergePdfs(parts));
    if (format == LabelFormat::kPdfA4) {
      NADAJNIK_ASSIGN_OR_RETURN(out.bytes, documents::FourUpA4(merged));
    } else {
      out.bytes = std::move(merged);
    }
    return out;
  }

  // ---- Tracking -----------------------------------------------------------------------------

  Result<void> RunTracking(jobs::JobContext& ctx) {
    const Timestamp now = clock.Now();
    NADAJNIK_ASSIGN_OR_RETURN(auto due, store.Read([&](store::UnitOfWork& uow) {
      return uow.shipments().ListDueForTracking(now - options.tracking_interval,
                                                options.tracking_batch);
    }));
    std::map<std::pair<std::int64_t, Carrier>, std::unique_ptr<carriers::CarrierConnector>> pool;
    for (auto& s : due) {
      if (ctx.stopping()) break;
      auto key = std::make_pair(s.account_id.value, s.carrier);
      if (!pool.contains(key)) {
        auto contract = store.Read([&](store::UnitOfWork& uow) {
          return uow.carrier_settings().Get(s.account_id, s.carrier);
        });
        if (!contract || !*contract) continue;
        auto connector = carriers(**contract);
        if (!connector) continue;
        pool[key] = std::move(*connector);
      }
      auto events = pool[key]->Track(s.tracking_number);
      s.tracking_checked_at = clock.Now();
      std::optional<domain::OrderEvent> event;
      if (events && !events->empty()) {
        const auto latest =
            std::max_element(events->begin(), events->end(),
                             [](const carriers::TrackingEvent& a,
                                const carriers::TrackingEvent& b) { return a.at < b.at; });
        s.tracking_detail =
            TruncateUtf8(latest->description.empty() ? latest->code : latest->description, 200);
        if (latest->state != domain::TrackingState::kUnknown && latest->state != s.tracking_state) {
          s.tracking_state = latest->state;
          domain::OrderEvent e;
          e.order_id = s.order_id;
          e.kind = "tracking";
          e.at = clock.Now();
          e.remote_at = latest->at;
          e.message = fmt::format("{} {}: {} ({})", domain::CarrierDisplayName(s.carrier),
                                  s.tracking_number, domain::TrackingStateLabel(s.tracking_state),
                                  s.tracking_detail);
          event = std::move(e);
        }
      } else if (!events) {
        log::Warn("shipment.tracking_failed",
                  {{"shipment", s.id.value}, {"error", events.error().message}});
      }
      NADAJNIK_TRY(store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
        NADAJNIK_TRY(uow.shipments().Update(s, clock.Now()));
        if (event) NADAJNIK_TRY(uow.order_events().Append(*event));
        return Ok();
      }));
    }
    return ctx.Complete({});
  }
};

ShippingService::ShippingService(store::Store& store, const Clock& clock,
                                 CarrierConnectorSource carriers,
                                 marketplace::ConnectorFactory& marketplace,
                                 ShippingOptions options, std::function<void()> wake)
    : impl_(std::make_shared<Impl>(Impl{store, clock, std::move(carriers), marketplace,
                                        std::move(options), std::move(wake)})) {}

Result<ShipmentOutcome> ShippingService::Request(OrderId order, const ShipmentDraft& draft,
                                                 const std::string& idempotency_key,
                                                 const std::string& actor) {
  std::string key = idempotency_key;
  if (key.empty()) key = "auto:" + security::RandomToken(16);
  if (key.size() > 200) {
    return Fail(ErrorCode::kInvalidArgument, "Idempotency-Key: najwyżej 200 znaków");
  }
  auto outcome = impl_->RequestOnce(order, draft, key, actor);
  // Two requests raced for the order's next shipment number: the loser reads the winner's.
  if (!outcome && outcome.error().code == ErrorCode::kAlreadyExists &&
      outcome.error().details.find("shipment:") == std::string::npos) {
    outcome = impl_->RequestOnce(order, draft, key, actor);
  }
  if (outcome && outcome->created && impl_->wake) impl_->wake();
  return outcome;
}

std::vector<BulkResult> ShippingService::RequestBulk(const std::vector<OrderId>& orders,
                                                     const ShipmentDraft& draft,
                                                     const std::string& bulk_key,
                                                     const std::string& actor) {
  std::vector<BulkResult> out;
  out.reserve(orders.size());
  std::set<std::int64_t> seen;
  for (const auto& id : orders) {
    BulkResult r;
    r.order = id;
    if (!seen.insert(id.value).second) {
      r.outcome = Fail(ErrorCode::kInvalidArgument,
                       fmt::format("zamówienie {} zaznaczono dwa razy", id.value));
    } else {
      const std::string key =
          bulk_key.empty() ? std::string() : fmt::format("{}:{}", bulk_key, id.value);
      r.outcome = Request(id, draft, key, actor);
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<domain::Shipment> ShippingService::Get(ShipmentId id) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto s, impl_->store.Read([&](store::UnitOfWork& uow) { return uow.shipments().Get(id); }));
  if (!s) return Fail(ErrorCode::kNotFound, fmt::format("no shipment {}", id.value));
  return std::move(*s);
}

Result<domain::Shipment> ShippingService::Await(ShipmentId id, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    NADAJNIK_ASSIGN_OR_RETURN(auto s, Get(id));
    if ((s.state != ShipmentState::kPending && s.state != ShipmentState::kCreated) ||
        std::chrono::steady_clock::now() >= deadline) {
      return s;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<LabelFile> ShippingService::Label(ShipmentId id, domain::LabelFormat format) {
  return impl_->Label(id, format);
}

Result<LabelFile> ShippingService::MergedLabels(const std::vector<ShipmentId>& shipments,
                                                domain::LabelFormat format) {
  return impl_->Merged(shipments, format);
}

Result<std::vector<ShipmentId>> ShippingService::LabelShipmentsOf(
    const std::vector<OrderId>& orders) {
  return impl_->store.Read([&](store::UnitOfWork& uow) -> Result<std::vector<ShipmentId>> {
    std::vector<ShipmentId> out;
    std::vector<std::string> missing;
    for (const auto& o : orders) {
      NADAJNIK_ASSIGN_OR_RETURN(auto list, uow.shipments().ListForOrder(o));
      const Shipment* best = nullptr;
      for (const auto& s : list) {
        if (s.state == ShipmentState::kLabelReady) best = &s;
      }
      if (best) {
        out.push_back(best->id);
      } else {
        missing.push_back(std::to_string(o.value));
      }
    }
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("zamówienia bez gotowej etykiety: {}", TruncateUtf8(list, 500)));
    }
    return out;
  });
}

Result<domain::Shipment> ShippingService::Cancel(ShipmentId id, const std::string& actor) {
  NADAJNIK_ASSIGN_OR_RETURN(auto loaded, impl_->Load(id));
  Shipment s = loaded.shipment;
  if (s.state == ShipmentState::kCancelled) return s;
  if (s.state == ShipmentState::kFailed) {
    return Fail(ErrorCode::kFailedPrecondition, "ta przesyłka nie powstała: nie ma czego anulować");
  }
  if (s.remote_id.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "przesyłka jest właśnie tworzona u przewoźnika: spróbuj za chwilę");
  }
  if (!loaded.contract) {
    return Fail(ErrorCode::kFailedPrecondition, "umowę z przewoźnikiem usunięto");
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto connector, impl_->carriers(*loaded.contract));
  if (!connector->capabilities().cancel) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("{} nie pozwala anulować przesyłek przez API: anuluj ją w panelu "
                            "przewoźnika",
                            domain::CarrierDisplayName(s.carrier)));
  }
  NADAJNIK_TRY(connector->Cancel(s.remote_id));
  s.state = ShipmentState::kCancelled;
  NADAJNIK_TRY(impl_->store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    const Timestamp now = impl_->clock.Now();
    NADAJNIK_TRY(uow.shipments().Update(s, now));
    domain::OrderEvent e;
    e.order_id = s.order_id;
    e.kind = "shipment_cancelled";
    e.at = now;
    e.actor = actor;
    e.message = fmt::format("Anulowano przesyłkę {} {}", domain::CarrierDisplayName(s.carrier),
                            s.tracking_number);
    return uow.order_events().Append(e);
  }));
  return s;
}

Result<DayClosing> ShippingService::CloseDay(AccountId account, domain::Carrier carrier,
                                             const std::string& actor) {
  struct Open {
    std::optional<domain::CarrierSettings> contract;
    std::vector<Shipment> shipments;
  };
  NADAJNIK_ASSIGN_OR_RETURN(
      auto open, impl_->store.Read([&](store::UnitOfWork& uow) -> Result<Open> {
        Open o;
        NADAJNIK_ASSIGN_OR_RETURN(o.contract, uow.carrier_settings().Get(account, carrier));
        store::ShipmentFilter f;
        f.account = account;
        f.carrier = carrier;
        f.state = ShipmentState::kLabelReady;
        f.not_handed_over = true;
        f.limit = 10000;
        NADAJNIK_ASSIGN_OR_RETURN(o.shipments, uow.shipments().List(f));
        return o;
      }));
  if (!open.contract) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("to konto nie ma umowy z {}", domain::CarrierDisplayName(carrier)));
  }
  if (open.shipments.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("{}: nie ma przesyłek z etykietą do przekazania",
                            domain::CarrierDisplayName(carrier)));
  }
  std::reverse(open.shipments.begin(), open.shipments.end());  // oldest first
  NADAJNIK_ASSIGN_OR_RETURN(auto connector, impl_->carriers(*open.contract));
  std::vector<std::string> remote_ids;
  for (const auto& s : open.shipments) remote_ids.push_back(s.remote_id);
  DayClosing out;
  NADAJNIK_ASSIGN_OR_RETURN(out.handover, connector->CloseDay(remote_ids));
  const Timestamp now = impl_->clock.Now();
  NADAJNIK_TRY(impl_->store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    for (auto& s : open.shipments) {
      s.handed_over_at = now;
      NADAJNIK_TRY(uow.shipments().Update(s, now));
      domain::OrderEvent e;
      e.order_id = s.order_id;
      e.kind = "handed_over";
      e.at = now;
      e.actor = actor;
      e.message = fmt::format("Przesyłka {} przekazana przewoźnikowi ({})", s.tracking_number,
                              TruncateUtf8(out.handover.summary, 200));
      NADAJNIK_TRY(uow.order_events().Append(e));
      out.shipments.push_back(s.id);
    }
    return Ok();
  }));
  return out;
}

Result<void> ShippingService::RunCreate(jobs::JobContext& ctx) { return impl_->RunCreate(ctx); }
Result<void> ShippingService::RunTracking(jobs::JobContext& ctx) { return impl_->RunTracking(ctx); }

void RegisterShippingJobs(jobs::JobRunner& runner, ShippingService& shipping,
                          std::chrono::milliseconds tracking_every) {
  runner.SetDeadNotice(std::string(kCreateShipmentJob), "Przesyłka nieutworzona");
  runner.Register(std::string(kCreateShipmentJob),
                  [&shipping](jobs::JobContext& ctx) { return shipping.RunCreate(ctx); });
  runner.Register(std::string(kTrackShipmentsJob),
                  [&shipping](jobs::JobContext& ctx) { return shipping.RunTracking(ctx); });
  runner.AddPeriodic({std::string(kTrackShipmentsJob), tracking_every, 150});
}

}  // namespace nadajnik::services
