// OrderImporter: brings a marketplace account's orders into the store, none lost, none twice
// (shared/design.md "The flow of an order", steps 1-3).
//
//   PollJournal  reads /order/events from the stored cursor, fetches the checkout forms behind
//                new events (as few requests as the API allows: single GETs for a few forms, the
//                list endpoint by updatedAt window for many), and commits the orders and the new
//                cursor in one transaction, so a crash at any point repeats a batch at worst, and
//                repeating changes nothing (upsert by checkout form id and revision). A fresh
//                account starts at the journal's newest event and backfills the paid, new orders
//                of the last `backfill_days` first.
//   Sweep        lists checkout forms by updatedAt from the sweep cursor to (just before) the
//                journal's position and imports what the journal missed, recording each catch as
//                an integrity incident. It also retries the account's failed forms.
//   Import       the manual import ("Importuj"): paid orders (READY_FOR_PROCESSING), fulfilment
//                NEW unless `archived`, bought in the last `days`; paged by time windows (Allegro
//                refuses offset + limit over 10,000).
//
// What is kept: READY_FOR_PROCESSING forms (One Fulfillment ones read-only), cancellations of
// orders already kept or paid, and any update of a kept order. Unpaid forms are skipped. A form
// that fails to map or store is kept raw in import_failures with its error and retried; it never
// blocks the forms after it. A merged form (a joint payment) takes over the line items of the
// forms it replaced, which are marked merged. A buyer cancellation of an order that has a
// shipment flags it for the packer. Each step appends to the order's timeline with Allegro's time.
// Not thread-safe per account (the job queue runs one journal job per account at a time).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "marketplace/marketplace_connector.hpp"
#include "store/store.hpp"

namespace nadajnik::services {

struct ImportReport {
  int inserted = 0;
  int updated = 0;
  int unchanged = 0;  // same revision, or an older one (ignored)
  int skipped = 0;
  int failed = 0;
  std::map<std::string, int> skipped_by_reason;  // "nieopłacone" -> 3
  // The failed forms and why (at most 100 listed).
  std::vector<std::pair<std::string, std::string>> failures;
  std::int64_t requests = 0;
  int events = 0;     // journal events read
  int incidents = 0;  // forms the journal missed (sweep)
  void Merge(const ImportReport& other);
  int total() const { return inserted + updated + unchanged + skipped + failed; }
};

struct ImportOptions {
  int backfill_days = 30;
  int journal_page = 1000;     // events per request (Allegro: 1..1000)
  int max_pages_per_run = 50;  // the job yields after this many pages and runs again at once
  int single_fetch_max = 8;    // up to this many forms are fetched one by one
  std::chrono::seconds sweep_grace{120};
  std::chrono::hours sweep_first_window{24};
};

struct ManualImport {
  int days = 30;
  bool archived = false;
};

class OrderImporter {
 public:
  OrderImporter(store::Store& store, const Clock& clock, ImportOptions options = {});

  // `more` is set when the journal had more pages than one run reads.
  Result<ImportReport> PollJournal(AccountId account, marketplace::MarketplaceConnector& api,
                                   bool* more = nullptr);
  Result<ImportReport> Sweep(AccountId account, marketplace::MarketplaceConnector& api);
  Result<ImportReport> Import(AccountId account, marketplace::MarketplaceConnector& api,
                              const ManualImport& what);
  // Fetches and imports the account's open failures again.
  Result<ImportReport> RetryFailures(AccountId account, marketplace::MarketplaceConnector& api);

 private:
  struct Impl;
  store::Store& store_;
  const Clock& clock_;
  ImportOptions options_;
};

// "12 nowych, 3 zaktualizowane, 40 bez zmian, 2 pominięte (nieopłacone: 2), 1 błąd" (Polish).
std::string DescribeReport(const ImportReport& report);

}  // namespace nadajnik::services
