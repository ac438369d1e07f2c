#include "services/order_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/text.hpp"
#include "observability/log.hpp"

namespace nadajnik::services {

using domain::CheckoutStatus;
using domain::FulfillmentStatus;
using marketplace::JournalEvent;
using marketplace::MarketplaceConnector;
using marketplace::RemoteOrder;

void ImportReport::Merge(const ImportReport& o) {
  inserted += o.inserted;
  updated += o.updated;
  unchanged += o.unchanged;
  skipped += o.skipped;
  failed += o.failed;
  for (const auto& [k, v] : o.skipped_by_reason) skipped_by_reason[k] += v;
  for (const auto& f : o.failures) {
    if (failures.size() < 100) failures.push_back(f);
  }
  requests += o.requests;
  events += o.events;
  incidents += o.incidents;
}

std::string DescribeReport(const ImportReport& r) {
  std::string out = fmt::format("{} nowych, {} zaktualizowanych, {} bez zmian, {} pominiętych",
                                r.inserted, r.updated, r.unchanged, r.skipped);
  if (!r.skipped_by_reason.empty()) {
    std::string reasons;
    for (const auto& [k, v] : r.skipped_by_reason) {
      reasons += fmt::format("{}{}: {}", reasons.empty() ? "" : ", ", k, v);
    }
    out += " (" + reasons + ")";
  }
  out += fmt::format(", {} błędów", r.failed);
  return out;
}

namespace {

constexpr std::string_view kSkipUnpaid = "nieopłacone";
constexpr std::string_view kSkipCancelledUnpaid = "anulowane przed opłaceniem";
constexpr std::string_view kSkipGone = "nie istnieje już w Allegro (scalone lub usunięte)";

std::string StatusPushKey(OrderId id) { return fmt::format("allegro.status:{}", id.value); }

struct ApplyContext {
  std::string source;  // "journal", "sweep", "import", "retry"
  std::optional<Timestamp> remote_at;
  bool incident_on_change = false;  // the sweep: a change found here was missed by the journal
  const std::unordered_set<std::string>* open_failures = nullptr;
};

void Skip(ImportReport& report, std::string_view reason) {
  ++report.skipped;
  ++report.skipped_by_reason[std::string(reason)];
}

void Failed(ImportReport& report, const std::string& id, const std::string& error) {
  ++report.failed;
  if (report.failures.size() < 100) report.failures.emplace_back(id, TruncateUtf8(error, 500));
}

Result<void> Timeline(store::UnitOfWork& uow, OrderId id, std::string kind, std::string message,
                      Timestamp now, std::optional<Timestamp> remote_at,
                      std::string actor = "system") {
  domain::OrderEvent e;
  e.order_id = id;
  e.kind = std::move(kind);
  e.at = now;
  e.remote_at = remote_at;
  e.message = std::move(message);
  e.actor = std::move(actor);
  return uow.order_events().Append(e);
}

Result<StatusId> DefaultLocalStatus(store::UnitOfWork& uow, AccountId account,
                                    const domain::Order& order) {
  const FulfillmentStatus f =
      order.cancelled() ? FulfillmentStatus::kCancelled : order.fulfillment_status;
  NADAJNIK_ASSIGN_OR_RETURN(auto mapped, uow.status_mappings().LocalFor(account, f));
  if (mapped) return *mapped;
  NADAJNIK_ASSIGN_OR_RETURN(auto statuses, uow.statuses().List());
  if (statuses.empty()) {
    return Fail(ErrorCode::kFailedPrecondition, "no local order statuses are defined");
  }
  return statuses.front().id;
}

// Applies one fetched checkout form inside `uow`; counts it in `report`.
Result<void> ApplyForm(store::UnitOfWork& uow, AccountId account, const RemoteOrder& remote,
                       const ApplyContext& ctx, Timestamp now, ImportReport& report) {
  if (!remote.order) {
    const std::string& error = remote.order.error().message;
    NADAJNIK_TRY(uow.import_failures().Record(account, remote.id, remote.raw_json, error, now));
    Failed(report, remote.id.value, error);
    return Ok();
  }
  domain::Order incoming = *remote.order;
  incoming.account_id = account;
  if (ctx.open_failures && ctx.open_failures->contains(incoming.checkout_form_id.value)) {
    NADAJNIK_TRY(uow.import_failures().Resolve(account, incoming.checkout_form_id, now));
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto stored,
                            uow.orders().FindByCheckoutForm(account, incoming.checkout_form_id));
  if (!stored) {
    const bool paid = incoming.payment && incoming.payment->finished_at;
    if (incoming.checkout_status == CheckoutStatus::kCancelled && !paid) {
      Skip(report, kSkipCancelledUnpaid);
      return Ok();
    }
    if (incoming.checkout_status != CheckoutStatus::kReadyForProcessing &&
        incoming.checkout_status != CheckoutStatus::kCancelled) {
      Skip(report, kSkipUnpaid);
      return Ok();
    }
    NADAJNIK_ASSIGN_OR_RETURN(incoming.local_status_id, DefaultLocalStatus(uow, account, incoming));
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto up, uow.orders().Upsert(incoming, now));
  const std::optional<Timestamp> remote_at =
      ctx.remote_at ? ctx.remote_at : std::optional<Timestamp>(incoming.remote_updated_at);
  switch (up.outcome) {
    case store::UpsertOutcome::kUnchanged:
    case store::UpsertOutcome::kStale:
      ++report.unchanged;
      return Ok();
    case store::UpsertOutcome::kInserted: {
      ++report.inserted;
      NADAJNIK_TRY(Timeline(uow, up.id, "imported",
                            fmt::format("Zaimportowano z Allegro ({})", ctx.source), now,
                            remote_at));
      // A joint payment replaced other forms: their line items now live in this one.
      std::set<std::int64_t> merged;
      for (const auto& item : incoming.items) {
        NADAJNIK_ASSIGN_OR_RETURN(auto holders, uow.orders().FindByLineItem(account, item.id));
        for (OrderId other : holders) {
          if (other == up.id || !merged.insert(other.value).second) continue;
          NADAJNIK_TRY(uow.orders().MarkMerged(other, up.id, now));
          NADAJNIK_TRY(Timeline(uow, other, "merged",
                                fmt::format("Allegro połączyło zakupy we wspólną płatność: "
                                            "zamówienie przeniesione do {}",
                                            incoming.checkout_form_id.value),
                                now, remote_at));
        }
      }
      if (!merged.empty()) {
        NADAJNIK_TRY(Timeline(uow, up.id, "merged",
                              fmt::format("Połączone z {} wcześniejszymi zakupami (wspólna "
                                          "płatność)",
                                          merged.size()),
                              now, remote_at));
      }
      break;
    }
    case store::UpsertOutcome::kUpdated: {
      ++report.updated;
      const domain::Order& before = *stored;
      NADAJNIK_TRY(Timeline(uow, up.id, "updated",
                            fmt::format("Zaktualizowano z Allegro ({})", ctx.source), now,
                            remote_at));
      if (incoming.cancelled() && !before.cancelled()) {
        NADAJNIK_TRY(Timeline(uow, up.id, "buyer_cancelled", "Kupujący anulował zamówienie", now,
                              remote_at, "allegro"));
        NADAJNIK_ASSIGN_OR_RETURN(
            auto cancelled_status,
            uow.status_mappings().LocalFor(account, FulfillmentStatus::kCancelled));
        if (cancelled_status && *cancelled_status != before.local_status_id) {
          NADAJNIK_TRY(uow.orders().SetLocalStatus(up.id, *cancelled_status, now));
        }
        NADAJNIK_ASSIGN_OR_RETURN(auto shipments, uow.shipments().ListForOrder(up.id));
        if (!shipments.empty()) {
          NADAJNIK_TRY(uow.orders().SetAttention(
              up.id, true,
              "Kupujący anulował zamówienie po utworzeniu przesyłki: wstrzymaj wysyłkę i anuluj "
              "przesyłkę",
              now));
        }
      } else if (incoming.fulfillment_status != before.fulfillment_status) {
        NADAJNIK_TRY(
            Timeline(uow, up.id, "fulfillment_changed",
                     fmt::format("Allegro: status realizacji {} → {}",
                                 domain::FulfillmentStatusName(before.fulfillment_status),
                                 domain::FulfillmentStatusName(incoming.fulfillment_status)),
                     now, remote_at, "allegro"));
        // A change made on Allegro's side moves the local status, unless a local change is
        // still on its way to Allegro (it would be undone by its own echo).
        NADAJNIK_ASSIGN_OR_RETURN(bool pushing, uow.jobs().HasActive(StatusPushKey(up.id)));
        if (!pushing) {
          NADAJNIK_ASSIGN_OR_RETURN(auto current,
                                    uow.status_mappings().Mapped(account, before.local_status_id));
          if (current != incoming.fulfillment_status) {
            NADAJNIK_ASSIGN_OR_RETURN(
                auto local, uow.status_mappings().LocalFor(account, incoming.fulfillment_status));
            if (local && *local != before.local_status_id) {
              NADAJNIK_TRY(uow.orders().SetLocalStatus(up.id, *local, now));
              NADAJNIK_TRY(Timeline(uow, up.id, "status_changed",
                                    "Status zmieniony zgodnie ze statusem realizacji w Allegro",
                                    now, remote_at, "allegro"));
            }
          }
        }
      }
      break;
    }
  }
  if (ctx.incident_on_change) {
    ++report.incidents;
    store::IntegrityIncident incident;
    incident.account_id = account;
    incident.checkout_form_id = incoming.checkout_form_id;
    incident.kind = "missed_by_journal";
    incident.message =
        up.outcome == store::UpsertOutcome::kInserted
            ? "Dziennik zdarzeń Allegro pominął to zamówienie; dołączone przez "
              "uzgadnianie"
            : "Dziennik zdarzeń Allegro pominął zmianę zamówienia; uzupełnione przez "
              "uzgadnianie";
    incident.at = now;
    NADAJNIK_TRY(uow.incidents().Record(incident));
    // The packer sees it in "Wymaga uwagi": an order the journal missed may have waited.
    NADAJNIK_TRY(uow.orders().SetAttention(up.id, true, incident.message, now));
  }
  return Ok();
}

Result<domain::MarketplaceAccount> LoadAccount(store::Store& store, AccountId id) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto account, store.Read([&](store::UnitOfWork& uow) { return uow.accounts().Get(id); }));
  if (!account) return Fail(ErrorCode::kNotFound, fmt::format("no account with id {}", id.value));
  return std::move(*account);
}

}  // namespace

struct OrderImporter::Impl {
  OrderImporter& self;
  AccountId account;
  MarketplaceConnector& api;

  store::Store& store() { return self.store_; }
  Timestamp Now() { return self.clock_.Now(); }

  Result<std::unordered_set<std::string>> OpenFailures() {
    NADAJNIK_ASSIGN_OR_RETURN(auto open, store().Read([&](store::UnitOfWork& uow) {
      return uow.import_failures().ListOpen(account, 10000);
    }));
    std::unordered_set<std::string> ids;
    for (const auto& f : open) ids.insert(f.checkout_form_id.value);
    return ids;
  }

  // Applies forms in one transaction together with `finish` (the cursor). If the transaction
  // fails for a reason retrying can't fix, each form gets its own transaction and the ones that
  // still fail are recorded as failures, so one bad form never blocks the others.
  Result<void> ApplyBatch(const std::vector<RemoteOrder>& forms, const ApplyContext& ctx,
                          const std::unordered_map<std::string, Timestamp>* event_times,
                          const store::Store::Work& finish, ImportReport& report) {
    ImportReport local;
    auto one_ctx = [&](const RemoteOrder& f) {
      ApplyContext c = ctx;
      if (event_times) {
        auto it = event_times->find(f.id.value);
        if (it != event_times->end()) c.remote_at = it->second;
      }
      return c;
    };
    const Timestamp now = Now();
    auto all = store().InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
      local = ImportReport{};
      for (const auto& f : forms) NADAJNIK_TRY(ApplyForm(uow, account, f, one_ctx(f), now, local));
      if (finish) NADAJNIK_TRY(finish(uow));
      return Ok();
    });
    if (all) {
      report.Merge(local);
      return Ok();
    }
    if (all.error().retryable) return all;
    log::Warn("import.batch_failed", {{"account", static_cast<long long>(account.value)},
                                      {"error", all.error().Describe()}});
    for (const auto& f : forms) {
      ImportReport one;
      auto r = store().InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
        one = ImportReport{};
        return ApplyForm(uow, account, f, one_ctx(f), now, one);
      });
      if (r) {
        report.Merge(one);
        continue;
      }
      if (r.error().retryable) return r;
      NADAJNIK_TRY(store().InTransaction([&](store::UnitOfWork& uow) {
        return uow.import_failures().Record(account, f.id, f.raw_json, r.error().message, now);
      }));
      Failed(report, f.id.value, r.error().message);
    }
    if (finish) NADAJNIK_TRY(store().InTransaction(finish));
    return Ok();
  }

  // Fetches the forms behind `wanted` (id -> the time of its newest event). Few forms: one GET
  // each. Many: the list endpoint sorted by updatedAt from the oldest event on (100 forms a
  // request), then single GETs for whatever the window did not hold.
  Result<std::vector<RemoteOrder>> Fetch(
      const std::vector<std::pair<CheckoutFormId, Timestamp>>& wanted,
      std::vector<CheckoutFormId>& not_found) {
    std::vector<RemoteOrder> out;
    std::unordered_set<std::string> missing;
    for (const auto& [id, at] : wanted) missing.insert(id.value);
    if (static_cast<int>(wanted.size()) > self.options_.single_fetch_max) {
      Timestamp from = wanted.front().second;
      for (const auto& [id, at] : wanted) from = std::min(from, at);
      marketplace::OrderQuery q;
      q.updated_from = from - std::chrono::seconds(1);
      q.sort = "updatedAt";
      q.limit = 100;
      const std::size_t max_pages = wanted.size() / 100 * 2 + 3;
      for (std::size_t page = 0; page < max_pages && !missing.empty(); ++page) {
        NADAJNIK_ASSIGN_OR_RETURN(auto listed, api.ListOrders(q));
        std::optional<Timestamp> last;
        for (auto& o : listed.orders) {
          if (o.order) last = o.order->remote_updated_at;
          if (missing.erase(o.id.value)) out.push_back(std::move(o));
        }
        if (static_cast<int>(listed.orders.size()) < q.limit) break;
        if (q.offset + 2 * q.limit > 10000) {
          if (!last) break;
          q.updated_from = *last;
          q.offset = 0;
        } else {
          q.offset += q.limit;
        }
      }
    }
    for (const auto& [id, at] : wanted) {
      if (!missing.contains(id.value)) continue;
      auto one = api.GetOrder(id);
      if (!one) {
        if (one.error().code == ErrorCode::kNotFound) {
          not_found.push_back(id);
          continue;
        }
        return Fail(std::move(one).error());
      }
      out.push_back(std::move(*one));
    }
    return out;
  }

  // Forms Allegro answers 404 for although their events were paid or cancelled: kept as failures
  // (retried by the sweep) unless their line items are in a stored order already (merged).
  Result<void> RecordNotFound(const std::vector<CheckoutFormId>& ids,
                              const std::unordered_map<std::string, std::vector<LineItemId>>& items,
                              ImportReport& report) {
    const Timestamp now = Now();
    for (const auto& id : ids) {
      auto it = items.find(id.value);
      NADAJNIK_ASSIGN_OR_RETURN(
          bool merged, store().Read([&](store::UnitOfWork& uow) -> Result<bool> {
            if (it == items.end()) return false;
            for (const auto& item : it->second) {
              NADAJNIK_ASSIGN_OR_RETURN(auto holders, uow.orders().FindByLineItem(account, item));
              if (!holders.empty()) return true;
            }
            return false;
          }));
      if (merged) {
        Skip(report, kSkipGone);
        continue;
      }
      std::string raw = R"({"lineItems":[)";
      if (it != items.end()) {
        for (std::size_t i = 0; i < it->second.size() && i < 1000; ++i) {
          raw += fmt::format("{}{{\"id\":\"{}\"}}", i ? "," : "", it->second[i].value);
        }
      }
      raw += "]}";
      const std::string error =
          "Allegro odpowiada 404 dla tego zamówienia (jeszcze niewidoczne albo scalone): ponowimy";
      NADAJNIK_TRY(store().InTransaction([&](store::UnitOfWork& uow) {
        return uow.import_failures().Record(account, id, raw, error, now);
      }));
      Failed(report, id.value, error);
    }
    return Ok();
  }

  Result<ImportReport> Poll(bool* more) {
    NADAJNIK_ASSIGN_OR_RETURN(auto acc, LoadAccount(store(), account));
    ImportReport report;
    const std::int64_t requests_before = api.requests_sent();
    std::string cursor = acc.journal_cursor;
    if (cursor.empty() && !acc.sweep_cursor) {
      // A fresh connection: the journal's newest event first (nothing after it is missed), then
      // the recent paid orders through the list.
      NADAJNIK_ASSIGN_OR_RETURN(cursor, api.LatestEventId());
      ManualImport backfill{self.options_.backfill_days, false};
      NADAJNIK_ASSIGN_OR_RETURN(auto imported, self.Import(account, api, backfill));
      report.Merge(imported);
      const Timestamp now = Now();
      NADAJNIK_TRY(store().InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
        NADAJNIK_TRY(uow.accounts().RecordJournalProgress(account, cursor, now, now));
        return uow.accounts().SetSweepCursor(account, now - self.options_.sweep_grace, now);
      }));
      report.requests = api.requests_sent() - requests_before;
      return report;
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto open, OpenFailures());
    const int page_size = std::clamp(self.options_.journal_page, 1, 1000);
    for (int page = 0; page < self.options_.max_pages_per_run; ++page) {
      NADAJNIK_ASSIGN_OR_RETURN(auto events, api.ReadEvents(cursor, page_size));
      report.events += static_cast<int>(events.size());
      const bool caught_up = static_cast<int>(events.size()) < page_size;
      const Timestamp read_at = Now();
      if (events.empty()) {
        NADAJNIK_TRY(store().InTransaction([&](store::UnitOfWork& uow) {
          return uow.accounts().RecordJournalProgress(account, cursor, read_at, read_at);
        }));
        break;
      }
      // The newest event of each form decides; BOUGHT/FILLED_IN/AUTO_CANCELLED of forms we
      // don't hold are unpaid: nothing to fetch.
      struct Want {
        Timestamp at;
        std::string revision;
        bool fetch_if_unknown = false;
      };
      std::unordered_map<std::string, Want> wants;
      std::unordered_map<std::string, std::vector<LineItemId>> items;
      std::vector<CheckoutFormId> order;
      for (const auto& e : events) {
        if (e.checkout_form_id.empty()) continue;
        auto [it, fresh] = wants.try_emplace(e.checkout_form_id.value);
        if (fresh) order.push_back(e.checkout_form_id);
        Want& w = it->second;
        if (fresh || e.occurred_at >= w.at) {
          w.at = e.occurred_at;
          w.revision = e.revision;
        }
        if (e.type != "BOUGHT" && e.type != "FILLED_IN" && e.type != "AUTO_CANCELLED") {
          w.fetch_if_unknown = true;
        }
        if (!e.line_items.empty()) items[e.checkout_form_id.value] = e.line_items;
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto stored, store().Read([&](store::UnitOfWork& uow) {
        return uow.orders().StoredRevisions(account, order);
      }));
      std::unordered_map<std::string, store::OrderRepository::StoredRevision> by_id;
      for (auto& s : stored) by_id.emplace(s.checkout_form_id.value, s);
      std::vector<std::pair<CheckoutFormId, Timestamp>> need;
      std::unordered_map<std::string, Timestamp> event_times;
      for (const auto& id : order) {
        const Want& w = wants[id.value];
        auto s = by_id.find(id.value);
        if (s != by_id.end()) {
          // Held already at this revision and at least as new as the event: a duplicate.
          if (s->second.revision == w.revision && s->second.remote_updated_at >= w.at) {
            ++report.unchanged;
            continue;
          }
        } else if (!w.fetch_if_unknown) {
          Skip(report, kSkipUnpaid);
          continue;
        }
        need.emplace_back(id, w.at);
        event_times[id.value] = w.at;
      }
      std::vector<CheckoutFormId> not_found;
      NADAJNIK_ASSIGN_OR_RETURN(auto forms, Fetch(need, not_found));
      NADAJNIK_TRY(RecordNotFound(not_found, items, report));
      const JournalEvent& last = events.back();
      const Timestamp position = caught_up ? read_at : last.occurred_at;
      ApplyContext ctx{"dziennik", std::nullopt, false, &open};
      NADAJNIK_TRY(ApplyBatch(
          forms, ctx, &event_times,
          [&](store::UnitOfWork& uow) {
            return uow.accounts().RecordJournalProgress(account, last.id, position, read_at);
          },
          report));
      cursor = last.id;
      if (caught_up) break;
      if (page + 1 == self.options_.max_pages_per_run && more) *more = true;
    }
    report.requests = api.requests_sent() - requests_before;
    return report;
  }

  // Lists forms page by page (offset up to Allegro's 10,000, then a new window from the last
  // value of the sort key) and hands each page to `apply`.
  Result<void> ListWindows(marketplace::OrderQuery q, bool by_updated,
                           const std::function<Result<void>(std::vector<RemoteOrder>&)>& apply) {
    std::unordered_set<std::string> seen;
    q.limit = 100;
    while (true) {
      NADAJNIK_ASSIGN_OR_RETURN(auto page, api.ListOrders(q));
      const bool last_page = static_cast<int>(page.orders.size()) < q.limit;
      std::optional<Timestamp> last_key;
      std::vector<RemoteOrder> fresh;
      for (auto& o : page.orders) {
        if (o.order) {
          const auto key = by_updated ? std::optional<Timestamp>(o.order->remote_updated_at)
                                      : o.order->bought_at;
          if (key && (!last_key || *key > *last_key)) last_key = key;
        }
        if (!o.id.empty() && !seen.insert(o.id.value).second) continue;
        fresh.push_back(std::move(o));
      }
      NADAJNIK_TRY(apply(fresh));
      if (last_page) return Ok();
      if (q.offset + 2 * q.limit > 10000) {
        // A new window from the last key seen; the overlap is dropped through `seen`.
        if (!last_key || fresh.empty()) {
          // Not retryable: a retry would list the same 10,000 again.
          return Fail(ErrorCode::kFailedPrecondition,
                      "more than 10,000 orders share one moment of time at Allegro, past what its "
                      "list can page (offset + limit <= 10,000): import a narrower range of days");
        }
        if (by_updated) {
          q.updated_from = *last_key;
        } else {
          q.bought_from = *last_key;
        }
        q.offset = 0;
      } else {
        q.offset += q.limit;
      }
    }
  }
};

OrderImporter::OrderImporter(store::Store& store, const Clock& clock, ImportOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

Result<ImportReport> OrderImporter::PollJournal(AccountId account, MarketplaceConnector& api,
                                                bool* more) {
  if (more) *more = false;
  Impl impl{*this, account, api};
  return impl.Poll(more);
}

Result<ImportReport> OrderImporter::Import(AccountId account, MarketplaceConnector& api,
                                           const ManualImport& what) {
  Impl impl{*this, account, api};
  const std::int64_t requests_before = api.requests_sent();
  ImportReport report;
  NADAJNIK_ASSIGN_OR_RETURN(auto open, impl.OpenFailures());
  marketplace::OrderQuery q;
  q.status = "READY_FOR_PROCESSING";
  if (!what.archived) q.fulfillment_status = "NEW";
  q.bought_from = clock_.Now() - std::chrono::days(std::clamp(what.days, 1, 365));
  q.sort = "lineItems.boughtAt";
  ApplyContext ctx{"import", std::nullopt, false, &open};
  NADAJNIK_TRY(impl.ListWindows(q, false, [&](std::vector<RemoteOrder>& page) {
    return impl.ApplyBatch(page, ctx, nullptr, {}, report);
  }));
  report.requests = api.requests_sent() - requests_before;
  return report;
}

Result<ImportReport> OrderImporter::Sweep(AccountId account, MarketplaceConnector& api) {
  Impl impl{*this, account, api};
  const std::int64_t requests_before = api.requests_sent();
  NADAJNIK_ASSIGN_OR_RETURN(auto acc, LoadAccount(store_, account));
  ImportReport report;
  const Timestamp now = clock_.Now();
  if (!acc.sweep_cursor) return report;  // the journal has not started yet
  const Timestamp from = *acc.sweep_cursor;
  Timestamp to = now - options_.sweep_grace;
  if (acc.journal_position_at) to = std::min(to, *acc.journal_position_at - options_.sweep_grace);
  if (to > from) {
    NADAJNIK_ASSIGN_OR_RETURN(auto open, impl.OpenFailures());
    marketplace::OrderQuery q;
    q.updated_from = from;
    q.updated_to = to;
    q.sort = "updatedAt";
    ApplyContext ctx{"uzgadnianie", std::nullopt, false, &open};
    NADAJNIK_TRY(impl.ListWindows(q, true, [&](std::vector<RemoteOrder>& page) -> Result<void> {
      // Only what the store lacks (or holds older) is applied, and each such form is an incident.
      std::vector<CheckoutFormId> ids;
      for (const auto& o : page) {
        if (o.order) ids.push_back(o.id);
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto stored, store_.Read([&](store::UnitOfWork& uow) {
        return uow.orders().StoredRevisions(account, ids);
      }));
      std::unordered_map<std::string, store::OrderRepository::StoredRevision> by_id;
      for (auto& s : stored) by_id.emplace(s.checkout_form_id.value, s);
      std::vector<RemoteOrder> missed;
      for (auto& o : page) {
        if (!o.order) {
          missed.push_back(std::move(o));  // recorded as a failure
          continue;
        }
        auto s = by_id.find(o.id.value);
        if (s != by_id.end() && s->second.remote_updated_at >= o.order->remote_updated_at) {
          ++report.unchanged;
          continue;
        }
        if (s == by_id.end() && o.order->checkout_status != CheckoutStatus::kReadyForProcessing) {
          Skip(report, kSkipUnpaid);
          continue;
        }
        missed.push_back(std::move(o));
      }
      ApplyContext c = ctx;
      c.incident_on_change = true;
      return impl.ApplyBatch(missed, c, nullptr, {}, report);
    }));
    NADAJNIK_TRY(store_.InTransaction([&](store::UnitOfWork& uow) {
      return uow.accounts().SetSweepCursor(account, to, clock_.Now());
    }));
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto retried, RetryFailures(account, api));
  report.Merge(retried);
  report.requests = api.requests_sent() - requests_before;
  if (report.incidents > 0) {
    log::Warn("import.journal_missed", {{"account", acc.alias}, {"orders", report.incidents}});
  }
  return report;
}

Result<ImportReport> OrderImporter::RetryFailures(AccountId account, MarketplaceConnector& api) {
  Impl impl{*this, account, api};
  ImportReport report;
  NADAJNIK_ASSIGN_OR_RETURN(auto open, store_.Read([&](store::UnitOfWork& uow) {
    return uow.import_failures().ListOpen(account, 200);
  }));
  std::unordered_set<std::string> open_ids;
  for (const auto& f : open) open_ids.insert(f.checkout_form_id.value);
  ApplyContext ctx{"ponowienie", std::nullopt, false, &open_ids};
  for (const auto& failure : open) {
    if (failure.checkout_form_id.empty()) continue;
    auto remote = api.GetOrder(failure.checkout_form_id);
    const Timestamp now = clock_.Now();
    if (!remote) {
      if (remote.error().code != ErrorCode::kNotFound) return Fail(std::move(remote).error());
      // Still 404: resolved if its line items arrived in another (merged) order.
      bool merged = false;
      {
        // raw_json of a 404 failure is {"lineItems":[{"id":"..."}]}; scan the ids textually.
        const std::string& raw = failure.raw_json;
        std::size_t pos = 0;
        while (!merged && (pos = raw.find("\"id\":\"", pos)) != std::string::npos) {
          pos += 6;
          const auto end = raw.find('"', pos);
          if (end == std::string::npos) break;
          const LineItemId item{raw.substr(pos, end - pos)};
          NADAJNIK_ASSIGN_OR_RETURN(auto holders, store_.Read([&](store::UnitOfWork& uow) {
            return uow.orders().FindByLineItem(account, item);
          }));
          merged = !holders.empty();
          pos = end;
        }
      }
      NADAJNIK_TRY(store_.InTransaction([&](store::UnitOfWork& uow) {
        return merged ? uow.import_failures().Resolve(account, failure.checkout_form_id, now)
                      : uow.import_failures().Record(account, failure.checkout_form_id,
                                                     failure.raw_json, failure.error, now);
      }));
      if (merged) {
        Skip(report, kSkipGone);
      } else {
        Failed(report, failure.checkout_form_id.value, failure.error);
      }
      continue;
    }
    NADAJNIK_TRY(impl.ApplyBatch({std::move(*remote)}, ctx, nullptr, {}, report));
  }
  return report;
}

}  // namespace nadajnik::services
