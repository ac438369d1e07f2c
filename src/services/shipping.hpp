// Shipping: the shipment ledger between a packer's "send it" and the carrier's label.
//
// A request (single or bulk) is checked and written to the ledger with its idempotency key and
// the frozen carrier request, together with a durable job (shipment.create), in one
// transaction. Repeating the same key returns the same shipment. An order gets a second
// shipment only when the user confirms it (`confirm_another`); the (order, shipment_no) unique
// index settles races between requests and instances.
//
// The job does the remote work, each step committed before the next:
//   1. re-reads the order from Allegro: a cancelled order is refused, nothing is created;
//   2. marks "carrier called" (committed), then creates the shipment with the carrier. A retry
//      that finds the mark asks the carrier about our reference (FindByReference) instead of
//      creating again; a carrier that can't be asked leaves the shipment failed with a message
//      telling the packer to check the carrier's panel (never a silent duplicate);
//   3. waits for the carrier's confirmation (asynchronous carriers: a short poll, then the job
//      runs again a second later instead of holding its worker), fetches the label, checks it
//      (documents::CheckLabel) and stores it under <data_dir>/labels before anything else;
//   4. completes: label_ready, the timeline entry, the tracking push to Allegro (its own durable
//      job) and, if the contract's `status_after_label` says so, the order's status change, all
//      in the job's completing transaction.
// Refusals (bad data, bad credentials, cancelled order) end the shipment as failed with the
// carrier's reason in Polish where we word it; transient errors retry with backoff.
//
// Tracking: the periodic shipments.track job polls carriers for shipments with a label whose
// state is not final and writes changes of the normalized state to the order's timeline.
//
// Thread-safe: requests from any thread; the job handlers run on the job runner's workers.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carriers/carrier_connector.hpp"
#include "core/clock.hpp"
#include "domain/carrier_settings.hpp"
#include "domain/shipment.hpp"
#include "jobs/job_runner.hpp"
#include "marketplace/marketplace_connector.hpp"
#include "store/store.hpp"

namespace nadajnik::services {

inline constexpr std::string_view kCreateShipmentJob = "shipment.create";
inline constexpr std::string_view kTrackShipmentsJob = "shipments.track";

// What the user chose; everything left empty comes from the order and the contract's defaults.
struct ShipmentDraft {
  std::optional<domain::Carrier> carrier;
  std::string service;                     // empty: the contract's default_service
  std::vector<domain::Parcel> parcels;     // empty: one parcel of the default template/weight
  bool override_cash_on_delivery = false;  // else: the order's total when it is COD
  std::optional<Money> cash_on_delivery;
  std::optional<Money> insurance;
  std::optional<std::string> target_point;   // default: the order's pickup point
  std::optional<std::string> sending_point;  // default: the contract's sending_point
  std::optional<carriers::Party> receiver;   // default: the order's delivery address
  std::optional<std::string> comment;        // default: the contract's comment_template
  bool confirm_another = false;              // the order has a shipment and the user wants one more
};

struct ShipmentOutcome {
  domain::Shipment shipment;
  bool created = false;  // false: the idempotency key had it already
};

struct BulkResult {
  OrderId order;
  Result<ShipmentOutcome> outcome = Fail(ErrorCode::kInternal, "not run");
};

struct LabelFile {
  std::string bytes;
  domain::LabelFormat format = domain::LabelFormat::kPdfA6;
  std::string content_type;  // application/pdf, application/x-zpl
  std::string file_name;     // etykieta-<tracking>.pdf
};

// The end of a sending day for one account and carrier.
struct DayClosing {
  std::vector<ShipmentId> shipments;  // handed over by this closing
  carriers::Handover handover;        // the carrier's summary and document
};

// The connector for a stored contract (carriers::MakeCarrierConnector in production).
using CarrierConnectorSource = std::function<Result<std::unique_ptr<carriers::CarrierConnector>>(
    const domain::CarrierSettings&)>;

struct ShippingOptions {
  std::filesystem::path labels_dir;  // <data_dir>/labels
  std::chrono::milliseconds confirm_poll{500};
  // One job run polls an asynchronous carrier this long, then hands the worker back and runs
  // again after confirm_recheck; after confirm_give_up from the first call the shipment fails.
  std::chrono::milliseconds confirm_wait{0};
  std::chrono::milliseconds confirm_recheck{std::chrono::seconds(1)};
  std::chrono::milliseconds confirm_give_up{std::chrono::hours(1)};
  std::chrono::seconds tracking_interval{std::chrono::minutes(30)};
  int tracking_batch = 100;
  std::size_t comment_max = 100;
};

class ShippingService {
 public:
  ShippingService(store::Store& store, const Clock& clock, CarrierConnectorSource carriers,
                  marketplace::ConnectorFactory& marketplace, ShippingOptions options,
                  std::function<void()> wake = {});

  // Writes the shipment and its job. `idempotency_key` empty: a fresh one. Errors:
  // kNotFound (order), kFailedPrecondition (cancelled, merged, One Fulfillment, no contract for
  // the carrier), kAlreadyExists (the order has an active shipment: details "shipment:<id>";
  // confirm to create another), kConflict (the key belongs to another order), kInvalidArgument
  // (the draft: names the field).
  Result<ShipmentOutcome> Request(OrderId order, const ShipmentDraft& draft,
                                  const std::string& idempotency_key, const std::string& actor);
  // One result per order, in order. With a `bulk_key`, each order's key is derived from it, so
  // submitting the same bulk action twice returns the first action's shipments.
  std::vector<BulkResult> RequestBulk(const std::vector<OrderId>& orders,
                                      const ShipmentDraft& draft, const std::string& bulk_key,
                                      const std::string& actor);

  Result<domain::Shipment> Get(ShipmentId id);
  // Waits until the shipment leaves pending/created (or `timeout`), then returns it.
  Result<domain::Shipment> Await(ShipmentId id, std::chrono::milliseconds timeout);

  // The label in `format`: from the stored file, fetched from the carrier and stored when the
  // carrier offers that format, or (A4) four A6 labels per page. kFailedPrecondition while the
  // shipment has no label; the stored bytes are checked before they are served.
  Result<LabelFile> Label(ShipmentId id, domain::LabelFormat format);
  // The labels of `shipments`, in order, as one file (PDF pages or ZPL jobs).
  Result<LabelFile> MergedLabels(const std::vector<ShipmentId>& shipments,
                                 domain::LabelFormat format);
  // Orders → their newest label-ready shipment (orders without one are named in the error).
  Result<std::vector<ShipmentId>> LabelShipmentsOf(const std::vector<OrderId>& orders);

  // Cancels with the carrier where it allows (kFailedPrecondition when not).
  Result<domain::Shipment> Cancel(ShipmentId id, const std::string& actor);

  // Closes the day for the account's labelled shipments of `carrier` that no earlier closing
  // handed over: Poczta Polska sends its bufor as an envelope, DPD gives the protocol for the
  // courier. Each handed-over shipment gets a timeline entry. kFailedPrecondition when there is
  // nothing to hand over or the carrier has no closing.
  Result<DayClosing> CloseDay(AccountId account, domain::Carrier carrier, const std::string& actor);

  // Job handlers (registered by RegisterShippingJobs).
  Result<void> RunCreate(jobs::JobContext& ctx);
  Result<void> RunTracking(jobs::JobContext& ctx);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// shipment.create and the periodic shipments.track.
void RegisterShippingJobs(jobs::JobRunner& runner, ShippingService& shipping,
                          std::chrono::milliseconds tracking_every);

// JSON of the frozen carrier request (stored with the shipment). Decode refuses bad input.
std::string EncodeShipmentRequest(const carriers::ShipmentRequest& request);
Result<carriers::ShipmentRequest> DecodeShipmentRequest(std::string_view json);

std::string_view LabelContentType(domain::LabelFormat format);
// "pdf-a6", "pdf_a6", "pdf-a4", "zpl" (203 dpi), "zpl-203", "zpl-300" (case-insensitive).
std::optional<domain::LabelFormat> ParseLabelFormatParam(std::string_view text);

}  // namespace nadajnik::services
