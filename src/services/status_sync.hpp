// StatusSync: the seller's local order statuses, and their way to Allegro (design step 5).
//
// Change() sets an order's local status and, when the account maps that status to an Allegro
// fulfilment status, enqueues the push in the same transaction (an outbox: a crash can't lose
// it). The push job sends the order's *current* mapped status, not the one of the change that
// queued it, so several quick changes end in the last one; when the status changed again while a
// push was in flight, completing it queues the next push. A 409 (stale revision) re-reads the form
// and tries again with the new revision. Fulfilment changes made on Allegro's side come back
// through the import (order_import.hpp).
// Warnings (not errors): a mapping that moves an order out of NEW closes the buyer's
// cancellation window; orders that Allegro's warehouse ships (One Fulfillment) change only
// locally. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "domain/order.hpp"
#include "marketplace/marketplace_connector.hpp"
#include "store/store.hpp"

namespace nadajnik::services {

inline constexpr std::string_view kPushStatusJob = "allegro.push_status";

struct StatusChange {
  OrderId order;
  StatusId status;
  std::string status_name;
  std::optional<domain::FulfillmentStatus> pushes;  // what goes to Allegro (nullopt: local only)
  bool queued = false;
  bool unchanged = false;             // the order already had this status
  std::vector<std::string> warnings;  // Polish, for the seller
};

// One order's outcome in a bulk change.
struct BulkStatusResult {
  OrderId order;
  Result<StatusChange> change;
};

// The change itself, inside the caller's transaction (a shipment's label and its "sent" status
// commit together). The caller wakes the runner when `queued`.
Result<StatusChange> ChangeStatusIn(store::UnitOfWork& uow, OrderId order,
                                    const std::string& status, const std::string& actor,
                                    Timestamp now);

class StatusSync {
 public:
  // `wake` is called after a push was queued (the job runner's Wake, so it runs at once).
  StatusSync(store::Store& store, const Clock& clock, std::function<void()> wake = {});

  // `status` is a status name ("W realizacji", case-insensitive) or its numeric id.
  Result<StatusChange> Change(OrderId order, const std::string& status, const std::string& actor);
  // The same for each order, each in its own transaction (one refusal never blocks the others),
  // in the given order; the runner is woken once. At most 1,000 orders (kInvalidArgument).
  Result<std::vector<BulkStatusResult>> ChangeMany(const std::vector<OrderId>& orders,
                                                   const std::string& status,
                                                   const std::string& actor);

  // The push job's work for `order`; the effects are written through `complete` (the job's
  // exactly-once completion). kConflict after a second stale revision, kNotFound when Allegro no
  // longer has the form.
  Result<void> Push(OrderId order, Timestamp queued_at, marketplace::MarketplaceConnector& api,
                    const std::function<Result<void>(const store::Store::Work&)>& complete);

 private:
  store::Store& store_;
  const Clock& clock_;
  std::function<void()> wake_;
};

}  // namespace nadajnik::services
