// SaleState: what the Allegro sandbox remembers beyond the orders themselves, for the endpoints
// of shared/reference/allegro-api.md sections 4.6, 5 and 6:
//
//   - offers of every seller with their stock (generated deterministically from the run's seed
//     the first time a seller's offers are needed), asynchronous offer edits (202 + operation)
//     and batch quantity commands with their per-offer tasks;
//   - invoices attached to orders (metadata, then the uploaded file and its virus scan);
//   - Ship with Allegro: create and cancel commands, the shipments they made, and a lazily built
//     index from the buyer's masked e-mail to the order (that e-mail links a shipment to its
//     order, section 5.2).
//
// Plain data with no locking of its own: World::mu guards it, and every handler holds that lock
// for the whole request. Asynchronous work stores the sandbox time (World::Now(), so the admin
// time offset counts) at which it finishes; SettleSale() applies everything that is due, and the
// handlers of these endpoints call it before they answer. Ids made here are deterministic for a
// seed (a counter run through a mixer), so a demo replays the same way.
//
// This header must not include world.hpp: World holds a SaleState.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/money.hpp"
#include "sandbox/allegro/model.hpp"

namespace nadajnik::sandbox::allegro {

struct World;

// ---- offers (section 6) ---------------------------------------------------------------------

enum class OfferStatus : std::uint8_t { kInactive, kActivating, kActive, kEnded };
std::string_view OfferStatusWire(OfferStatus s);  // "ACTIVE"
std::optional<OfferStatus> ParseOfferStatusWire(std::string_view s);

enum class SellingFormat : std::uint8_t { kBuyNow, kAuction };
std::string_view SellingFormatWire(SellingFormat f);  // "BUY_NOW"

// The offer's listing on an additional marketplace: its own price there and its own "sold".
struct AdditionalListing {
  Marketplace marketplace = Marketplace::kCz;
  Money price;
  int sold = 0;
};

struct SaleOffer {
  std::string id;            // numeric, like Allegro's ("13000412345")
  std::uint32_t seller = 0;  // index into World::sellers
  std::string name;          // at most 75 characters
  std::string category_id;
  std::string external_id;  // the seller's SKU; empty: none
  std::string image_url;
  std::string shipping_rates_id;    // UUID
  std::string return_policy_id;     // UUID
  std::string implied_warranty_id;  // UUID
  Marketplace base = Marketplace::kPl;
  SellingFormat format = SellingFormat::kBuyNow;
  Money price;  // in the base marketplace's currency
  std::vector<AdditionalListing> additional;
  int available = 0;          // stock.available, shared by all marketplaces
  std::string unit = "UNIT";  // UNIT, PAIR, SET
  int sold = 0;               // stock.sold on the base marketplace, last 30 days
  int watchers = 0;
  int visits = 0;
  bool is_fulfillment = false;
  OfferStatus status = OfferStatus::kActive;
  std::string ended_by;  // USER, EMPTY_STOCK...; empty while not ENDED
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t started_at_ms = 0;  // 0: never published
  std::int64_t ended_at_ms = 0;    // 0: not ended
  // The asynchronous edit in flight (a 202 PATCH), if any; another PATCH meanwhile gets 409.
  std::string pending_operation;  // operation id; empty: none
};

// A 202 PATCH: polled at /sale/product-offers/{offerId}/operations/{operationId}.
struct OfferOperation {
  std::string offer_id;
  std::uint32_t seller = 0;
  OfferStatus target = OfferStatus::kActive;  // the publication status the edit asked for
  std::int64_t started_at_ms = 0;
  std::int64_t done_at_ms = 0;
  bool applied = false;
};

enum class TaskStatus : std::uint8_t { kNew, kSuccess, kFail };
std::string_view TaskStatusWire(TaskStatus s);  // "NEW", "SUCCESS", "FAIL"

struct QuantityTask {
  std::string offer_id;
  TaskStatus status = TaskStatus::kNew;
  std::string error_code;  // when FAIL
  std::string error_message;
  std::string error_user_message;
};

// PUT /sale/offer-quantity-change-commands/{commandId}.
struct QuantityCommand {
  std::string id;
  std::uint32_t seller = 0;
  bool gain = false;  // GAIN (add the value) or FIXED (set it)
  std::int64_t value = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t done_at_ms = 0;  // when the tasks run
  bool applied = false;
  std::vector<QuantityTask> tasks;
};

// ---- invoices (section 4.6) -----------------------------------------------------------------

struct SaleInvoice {
  std::string id;  // UUID
  std::optional<std::string> number;
  std::string file_name;
  std::int64_t created_at_ms = 0;
  std::int64_t uploaded_at_ms = 0;  // 0: no file yet
  std::int64_t scanned_at_ms = 0;   // when the virus scan ends (ACCEPTED from then on)
  std::size_t file_bytes = 0;
};

// ---- Ship with Allegro (section 5) ----------------------------------------------------------

struct WzaAddress {
  std::string name;
  std::string company;
  std::string street;
  std::string postal_code;
  std::string city;
  std::string state;
  std::string country_code;
  std::string email;
  std::string phone;
  std::string point;
};

struct WzaPackage {
  std::string type = "PACKAGE";  // DOX, PACKAGE, PALLET, OTHER
  double length_cm = 0;
  double width_cm = 0;
  double height_cm = 0;
  double weight_kg = 0;
  std::string text_on_label;
  std::string waybill;  // set when the shipment is created
};

// An amount as the client wrote it ("138.44" or "138,44") and its currency.
struct WzaAmount {
  std::string amount;
  std::string currency;
  std::string owner_name;  // cash on delivery only
  std::string iban;        // cash on delivery only
};

// One error of a command's status report (shape Error400).
struct WzaError {
  std::string code;
  std::string message;
  std::string details;
  std::string path;
  std::string user_message;
};

struct WzaShipment {
  std::string id;  // UUID
  std::uint32_t seller = 0;
  std::uint32_t order = 0;  // index into World::orders
  std::string delivery_method_id;
  std::string credentials_id;  // empty for Allegro Standard
  std::string service_name;
  std::string carrier_id;  // ALLEGRO, INPOST, DPD...
  WzaAddress sender;
  WzaAddress receiver;
  std::string reference_number;
  std::vector<WzaPackage> packages;
  std::optional<WzaAmount> insurance;
  std::optional<WzaAmount> cash_on_delivery;
  std::string label_format = "PDF";  // fixed at creation
  std::vector<std::string> additional_services;
  std::map<std::string, std::string> additional_properties;
  bool pickup_available = true;
  std::int64_t created_at_ms = 0;
  std::int64_t canceled_at_ms = 0;  // 0: not cancelled
};

enum class CommandStatus : std::uint8_t { kInProgress, kSuccess, kError };
std::string_view CommandStatusWire(CommandStatus s);  // "IN_PROGRESS", "SUCCESS", "ERROR"

// POST /shipment-management/shipments/create-commands. The request is judged when it arrives;
// the outcome (a shipment, or errors) shows once done_at_ms has passed.
struct WzaCreateCommand {
  std::string id;
  std::uint32_t seller = 0;
  std::string echo;  // the command as accepted (JSON text), returned again on a replay
  std::int64_t done_at_ms = 0;
  bool applied = false;
  std::vector<WzaError> errors;  // non-empty: the command ends in ERROR
  WzaShipment draft;             // the shipment to create when it succeeds
  std::string shipment_id;       // set once applied successfully
};

struct WzaCancelCommand {
  std::string id;
  std::uint32_t seller = 0;
  std::string shipment_id;
  std::string echo;
  std::int64_t done_at_ms = 0;
  bool applied = false;
  std::vector<WzaError> errors;
};

// Asynchronous work waiting for its time.
enum class WorkKind : std::uint8_t {
  kOfferOperation,   // id: operation id
  kQuantityCommand,  // id: command id
  kCreateShipment,   // id: command id
  kCancelShipment,   // id: command id
};

struct PendingWork {
  WorkKind kind = WorkKind::kOfferOperation;
  std::string id;
};

struct SaleState {
  std::uint64_t id_counter = 0;  // feeds NewUuid/NewNumber
  // Due time (unix ms) -> work; equal times keep the order they were scheduled in.
  std::multimap<std::int64_t, PendingWork> timeline;

  // Offers of all sellers, in creation order; offers_ready[s] once seller s has its offers.
  std::vector<SaleOffer> offers;
  std::unordered_map<std::string, std::size_t> offer_index;  // by offer id
  std::vector<bool> offers_ready;
  std::unordered_map<std::string, OfferOperation> offer_operations;  // by operation id
  std::map<std::string, QuantityCommand> quantity_commands;          // by command id

  std::unordered_map<std::uint32_t, std::vector<SaleInvoice>> invoices;  // by order index

  std::map<std::string, WzaCreateCommand> create_commands;  // by command id
  std::map<std::string, WzaCancelCommand> cancel_commands;  // by command id
  std::map<std::string, WzaShipment> shipments;             // by shipment id
  // Buyer e-mail (lower case) -> orders, for orders [email_lo, email_hi) already generated.
  std::unordered_multimap<std::string, std::uint32_t> orders_by_email;
  std::uint32_t email_lo = 0;
  std::uint32_t email_hi = 0;

  // A random-looking version 4 UUID, deterministic for (seed, counter).
  std::string NewUuid(std::uint64_t seed);
  // A deterministic 64-bit value for waybills and the like.
  std::uint64_t NewNumber(std::uint64_t seed);
};

// The sale state of `world` (World::sale).
SaleState& StateOf(World& world);

// Applies the asynchronous work whose time has come, in the order it falls due: offer edits,
// quantity commands, WzA create and cancel commands (a created shipment attaches its waybills to
// the order as tracking entries, section 4.2). Cheap when nothing is due. The caller holds
// world.mu.
void SettleSale(World& world);

}  // namespace nadajnik::sandbox::allegro
