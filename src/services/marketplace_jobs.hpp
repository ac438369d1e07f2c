// The marketplace's durable jobs: per account, the journal poll and the reconciliation sweep;
// per order, the status push; and a scheduler that makes sure every active account has its
// journal and sweep jobs (they reschedule themselves; the scheduler heals a lost one).
//
//   allegro.journal      unique per account, every journal_interval; runs again at once when
//                        the journal had more pages than one run reads
//   allegro.sweep        unique per account, every sweep_interval; also retries failed forms
//   allegro.push_status  unique per order (status_sync.hpp)
//   allegro.push_tracking unique per shipment (tracking_push.hpp)
//   allegro.schedule     periodic, every schedule_interval
// Jobs of an account that needs re-authorization stay queued (the queue skips them) and resume
// when it is authorized again: nothing is dropped. Errors of these jobs are always retried.
#pragma once

#include <chrono>

#include "jobs/job_runner.hpp"
#include "marketplace/marketplace_connector.hpp"
#include "services/order_import.hpp"
#include "services/status_sync.hpp"

namespace nadajnik::services {

struct MarketplaceJobOptions {
  std::chrono::milliseconds journal_interval{std::chrono::seconds(5)};
  std::chrono::milliseconds sweep_interval{std::chrono::minutes(5)};
  std::chrono::milliseconds schedule_interval{std::chrono::seconds(30)};
};

struct MarketplaceJobDeps {
  store::Store& store;
  const Clock& clock;
  marketplace::ConnectorFactory& connectors;
  OrderImporter& importer;
  StatusSync& status_sync;
  MarketplaceJobOptions options;
};

void RegisterMarketplaceJobs(jobs::JobRunner& runner, MarketplaceJobDeps deps);

// Queues the account's journal and sweep jobs now (after it was added or authorized); no-op for
// the ones already queued.
Result<void> ScheduleAccountJobs(store::UnitOfWork& uow, AccountId account, Timestamp now);

}  // namespace nadajnik::services
