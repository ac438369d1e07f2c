// The import and status-sync services on both backends, against a scripted marketplace: the
// rules that need exact control over what Allegro answers (merges, 404s, stale revisions,
// cancellations after a label, 409 on a push).
#include <gtest/gtest.h>

#include <deque>

#include <fmt/format.h>
#include <map>

#include "services/order_import.hpp"
#include "services/status_sync.hpp"
#include "services/tracking_push.hpp"
#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

using domain::CheckoutStatus;
using domain::FulfillmentStatus;
using marketplace::JournalEvent;
using marketplace::RemoteOrder;

// A marketplace whose journal and forms the test writes.
class ScriptedMarketplace final : public marketplace::MarketplaceConnector {
 public:
  std::vector<JournalEvent> journal;
  std::map<std::string, RemoteOrder> forms;  // what GET answers; absent = 404
  std::vector<std::pair<std::string, FulfillmentStatus>> pushed;
  int conflicts_left = 0;  // SetFulfillmentStatus answers 409 this many times
  std::string current_revision_required;
  std::int64_t requests = 0;

  void Put(const domain::Order& o) {
    RemoteOrder r;
    r.id = o.checkout_form_id;
    r.raw_json = "{}";
    r.order = o;
    forms[o.checkout_form_id.value] = r;
  }
  void Event(const domain::Order& o, std::string type) {
    JournalEvent e;
    e.id = std::to_string(1000 + journal.size());
    e.type = std::move(type);
    e.occurred_at = o.remote_updated_at;
    e.checkout_form_id = o.checkout_form_id;
    e.revision = o.revision;
    for (const auto& i : o.items) e.line_items.push_back(i.id);
    journal.push_back(e);
  }

  Result<std::string> LatestEventId() override {
    ++requests;
    return journal.empty() ? std::string() : journal.back().id;
  }
  Result<std::vector<JournalEvent>> ReadEvents(const std::string& from, int limit) override {
    ++requests;
    std::vector<JournalEvent> out;
    for (const auto& e : journal) {
      if ((from.empty() || std::stoll(e.id) > std::stoll(from)) &&
          static_cast<int>(out.size()) < limit) {
        out.push_back(e);
      }
    }
    return out;
  }
  Result<RemoteOrder> GetOrder(const CheckoutFormId& id) override {
    ++requests;
    auto it = forms.find(id.value);
    if (it == forms.end()) return Fail(ErrorCode::kNotFound, "404");
    return it->second;
  }
  Result<marketplace::OrderPage> ListOrders(const marketplace::OrderQuery& q) override {
    ++requests;
    marketplace::OrderPage page;
    int skipped = 0;
    for (const auto& [id, r] : forms) {
      if (!r.order) continue;
      if (q.status && *q.status != domain::CheckoutStatusName(r.order->checkout_status)) continue;
      if (skipped++ < q.offset) continue;
      if (static_cast<int>(page.orders.size()) == q.limit) break;
      page.orders.push_back(r);
    }
    page.total_count = static_cast<std::int64_t>(forms.size());
    return page;
  }
  Result<void> SetFulfillmentStatus(const CheckoutFormId& id, FulfillmentStatus status,
                                    const std::string& revision) override {
    ++requests;
    if (conflicts_left > 0 ||
        (!current_revision_required.empty() && revision != current_revision_required)) {
      if (conflicts_left > 0) --conflicts_left;
      return Fail(ErrorCode::kConflict, "Provided revision is outdated");
    }
    pushed.emplace_back(id.value, status);
    return Ok();
  }
  Result<marketplace::SellerProfile> Me() override { return marketplace::SellerProfile{}; }
  std::map<std::string, std::vector<marketplace::Waybill>> waybills;
  Result<std::vector<marketplace::Waybill>> ListWaybills(const CheckoutFormId& id) override {
    ++requests;
    return waybills[id.value];
  }
  Result<marketplace::Waybill> AddWaybill(const CheckoutFormId& id,
                                          const marketplace::Waybill& w) override {
    ++requests;
    waybills[id.value].push_back(w);
    return w;
  }
  std::int64_t requests_sent() const override { return requests; }
};

class OrderImportTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    account_ = CreateAccount("PL");
    importer_ = std::make_unique<services::OrderImporter>(store(), clock_);
    // The account's journal starts now (a bootstrap with nothing to backfill).
    ASSERT_TRUE(importer_->PollJournal(account_, api_));
  }

  domain::Order Form(const std::string& id, const std::string& revision, int minute) {
    return SampleOrder(account_, id, revision, FromUnixMillis(1767225600000 + minute * 60000));
  }

  services::ImportReport Poll() {
    auto r = importer_->PollJournal(account_, api_);
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : services::ImportReport{};
  }

  std::optional<domain::Order> Stored(const std::string& id) {
    auto r = store().Read([&](store::UnitOfWork& uow) {
      return uow.orders().FindByCheckoutForm(account_, CheckoutFormId(id));
    });
    EXPECT_TRUE(r);
    return r ? *r : std::nullopt;
  }

  std::vector<domain::OrderEvent> Timeline(OrderId id) {
    auto r =
        store().Read([&](store::UnitOfWork& uow) { return uow.order_events().ListForOrder(id); });
    return r ? *r : std::vector<domain::OrderEvent>{};
  }

  AccountId account_;
  ScriptedMarketplace api_;
  std::unique_ptr<services::OrderImporter> importer_;
};

TEST_P(OrderImportTest, DuplicateEventsAndOldRevisionsChangeNothing) {
  auto v1 = Form("a1", "rev1", 1);
  api_.Put(v1);
  api_.Event(v1, "READY_FOR_PROCESSING");
  api_.Event(v1, "READY_FOR_PROCESSING");  // a duplicate under another id
  auto first = Poll();
  EXPECT_EQ(first.inserted, 1);
  const auto requests = api_.requests;
  api_.Event(v1, "READY_FOR_PROCESSING");  // repeated again later: no fetch needed
  auto again = Poll();
  EXPECT_EQ(again.inserted + again.updated, 0);
  EXPECT_EQ(api_.requests, requests + 1) << "only the journal read";
  // A newer revision updates; the older one answered afterwards is ignored.
  auto v2 = Form("a1", "rev2", 5);
  v2.buyer_note = "Proszę o szybką wysyłkę";
  api_.Put(v2);
  api_.Event(v2, "BUYER_MODIFIED");
  EXPECT_EQ(Poll().updated, 1);
  api_.Put(v1);
  api_.Event(v2, "FILLED_IN");  // points at a form that now answers with rev1 (older)
  auto stale = Poll();
  EXPECT_EQ(stale.updated, 0);
  EXPECT_EQ(Stored("a1")->revision, "rev2");
  EXPECT_EQ(Stored("a1")->buyer_note, "Proszę o szybką wysyłkę");
}

TEST_P(OrderImportTest, UnpaidFormsAreSkippedAndImportedOncePaid) {
  auto unpaid = Form("u1", "r1", 1);
  unpaid.checkout_status = CheckoutStatus::kFilledIn;
  api_.Put(unpaid);
  api_.Event(unpaid, "BOUGHT");
  api_.Event(unpaid, "FILLED_IN");
  auto report = Poll();
  EXPECT_EQ(report.inserted, 0);
  EXPECT_FALSE(Stored("u1"));
  auto paid = Form("u1", "r2", 2);
  api_.Put(paid);
  api_.Event(paid, "READY_FOR_PROCESSING");
  EXPECT_EQ(Poll().inserted, 1);
  ASSERT_TRUE(Stored("u1"));
}

TEST_P(OrderImportTest, AJointPaymentMergesStoredPurchasesIntoTheNewForm) {
  auto a = Form("m-a", "r1", 1);
  auto b = Form("m-b", "r1", 1);
  api_.Put(a);
  api_.Put(b);
  api_.Event(a, "READY_FOR_PROCESSING");
  api_.Event(b, "READY_FOR_PROCESSING");
  EXPECT_EQ(Poll().inserted, 2);
  // Allegro replaces both by one form holding their line items; the old ids answer 404.
  auto merged = Form("m-new", "r1", 3);
  merged.items = a.items;
  merged.items.insert(merged.items.end(), b.items.begin(), b.items.end());
  api_.forms.erase("m-a");
  api_.forms.erase("m-b");
  api_.Put(merged);
  api_.Event(a, "BUYER_CANCELLED");  // an event for an old id: 404, its items are held: merged
  api_.Event(merged, "READY_FOR_PROCESSING");
  auto report = Poll();
  EXPECT_EQ(report.inserted, 1);
  EXPECT_EQ(report.failed, 0);
  auto kept = Stored("m-new");
  ASSERT_TRUE(kept);
  EXPECT_TRUE(Stored("m-a")->merged_into == kept->id);
  EXPECT_TRUE(Stored("m-b")->merged_into == kept->id);
  auto listed = store().Read([&](store::UnitOfWork& uow) { return uow.orders().Count({}); });
  EXPECT_EQ(*listed, 1) << "merged purchases are one order in the list";
}

TEST_P(OrderImportTest, AFormThatIsNotThereYetIsKeptAsAFailureAndRetried) {
  auto hidden = Form("h1", "r1", 1);
  api_.Event(hidden, "READY_FOR_PROCESSING");  // the form answers 404 for now
  auto report = Poll();
  EXPECT_EQ(report.failed, 1);
  auto open = store().Read(
      [&](store::UnitOfWork& uow) { return uow.import_failures().CountOpen(account_); });
  EXPECT_EQ(*open, 1);
  api_.Put(hidden);
  auto retried = importer_->RetryFailures(account_, api_);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->inserted, 1);
  open = store().Read(
      [&](store::UnitOfWork& uow) { return uow.import_failures().CountOpen(account_); });
  EXPECT_EQ(*open, 0);
}

TEST_P(OrderImportTest, ABadFormIsKeptRawAndDoesNotBlockTheOthers) {
  auto good = Form("g1", "r1", 1);
  auto bad = Form("b1", "r1", 1);
  api_.Put(good);
  RemoteOrder broken;
  broken.id = CheckoutFormId("b1");
  broken.raw_json = R"({"id":"b1","summary":{"totalToPay":{"amount":"12,34 zł"}}})";
  broken.order = Fail(ErrorCode::kInvalidArgument, "summary.totalToPay.amount: '12,34 zł'");
  api_.forms["b1"] = broken;
  api_.Event(bad, "READY_FOR_PROCESSING");
  api_.Event(good, "READY_FOR_PROCESSING");
  auto report = Poll();
  EXPECT_EQ(report.inserted, 1);
  EXPECT_EQ(report.failed, 1);
  auto failures = store().Read(
      [&](store::UnitOfWork& uow) { return uow.import_failures().ListOpen(account_, 10); });
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ(failures->at(0).raw_json, broken.raw_json);
  EXPECT_NE(failures->at(0).error.find("totalToPay"), std::string::npos);
}

TEST_P(OrderImportTest, ACancellationAfterALabelFlagsTheOrderForThePacker) {
  auto o = Form("c1", "r1", 1);
  api_.Put(o);
  api_.Event(o, "READY_FOR_PROCESSING");
  Poll();
  auto stored = Stored("c1");
  ASSERT_TRUE(stored);
  ASSERT_TRUE(store().InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    domain::Shipment s;
    s.order_id = stored->id;
    s.account_id = account_;
    s.idempotency_key = "test-1";
    NADAJNIK_TRY(uow.shipments().InsertPending(s, clock_.Now()));
    return Ok();
  }));
  auto cancelled = Form("c1", "r2", 3);
  cancelled.checkout_status = CheckoutStatus::kCancelled;
  api_.Put(cancelled);
  api_.Event(cancelled, "BUYER_CANCELLED");
  EXPECT_EQ(Poll().updated, 1);
  auto after = Stored("c1");
  EXPECT_TRUE(after->cancelled());
  EXPECT_TRUE(after->needs_attention);
  EXPECT_NE(after->attention_reason.find("anulował"), std::string::npos) << after->attention_reason;
  bool told = false;
  for (const auto& e : Timeline(after->id)) told |= e.kind == "buyer_cancelled";
  EXPECT_TRUE(told);
}

TEST_P(OrderImportTest, AStatusPushRefetchesOnAStaleRevisionAndSendsTheNewestStatus) {
  auto o = Form("s1", "r1", 1);
  api_.Put(o);
  api_.Event(o, "READY_FOR_PROCESSING");
  Poll();
  auto stored = Stored("s1");
  services::StatusSync sync(store(), clock_);
  auto change = sync.Change(stored->id, "w realizacji", "user:anna");
  ASSERT_TRUE(change) << change.error().Describe();
  EXPECT_TRUE(change->queued);
  EXPECT_EQ(change->pushes, FulfillmentStatus::kProcessing);
  EXPECT_EQ(change->warnings.size(), 1u);
  // The buyer changed the address meanwhile: Allegro has r2 and refuses r1.
  auto newer = Form("s1", "r2", 2);
  api_.Put(newer);
  api_.current_revision_required = "r2";
  // A second change before the push runs: the push sends the newest one.
  ASSERT_TRUE(sync.Change(stored->id, "Gotowe do wysyłki", "user:anna"));
  auto pushed = sync.Push(stored->id, clock_.Now(), api_, [&](const store::Store::Work& work) {
    return store().InTransaction(work);
  });
  ASSERT_TRUE(pushed) << pushed.error().Describe();
  ASSERT_EQ(api_.pushed.size(), 1u);
  EXPECT_EQ(api_.pushed[0].second, FulfillmentStatus::kReadyForShipment);
  EXPECT_EQ(Stored("s1")->revision, "r2") << "the refetched form was stored";
  auto unknown = sync.Change(stored->id, "Zaginione", "user:anna");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("Nowe"), std::string::npos) << "names the known ones";
}

TEST_P(OrderImportTest, ATrackingNumberReachesAllegroOnceWhateverTheRetries) {
  auto o = Form("t1", "r1", 1);
  api_.Put(o);
  api_.Event(o, "READY_FOR_PROCESSING");
  Poll();
  auto stored = Stored("t1");
  ShipmentId id;
  ASSERT_TRUE(store().InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    domain::Shipment s;
    s.order_id = stored->id;
    s.account_id = account_;
    s.carrier = domain::Carrier::kInPost;
    s.idempotency_key = "ship-t1";
    NADAJNIK_ASSIGN_OR_RETURN(auto inserted, uow.shipments().InsertPending(s, clock_.Now()));
    s.id = inserted.id;
    s.state = domain::ShipmentState::kLabelReady;
    s.tracking_number = "620000000000000000000001";
    NADAJNIK_TRY(uow.shipments().Update(s, clock_.Now()));
    id = inserted.id;
    return services::EnqueueTrackingPush(uow, s, clock_.Now());
  }));
  auto queued = store().Read([&](store::UnitOfWork& uow) {
    return uow.jobs().HasActive(fmt::format("allegro.tracking:{}", id.value));
  });
  EXPECT_TRUE(*queued) << "queued with the shipment";
  auto commit = [&](const store::Store::Work& work) { return store().InTransaction(work); };
  ASSERT_TRUE(services::PushTracking(store(), clock_, id, api_, commit));
  // A retry (the first answer was lost) finds the waybill there and adds nothing.
  ASSERT_TRUE(services::PushTracking(store(), clock_, id, api_, commit));
  ASSERT_EQ(api_.waybills["t1"].size(), 1u);
  EXPECT_EQ(api_.waybills["t1"][0].carrier_id, "INPOST");
  EXPECT_EQ(api_.waybills["t1"][0].waybill, "620000000000000000000001");
  int pushed = 0;
  for (const auto& e : Timeline(stored->id)) pushed += e.kind == "tracking_pushed";
  EXPECT_EQ(pushed, 2) << "each run says what it found";
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(OrderImportTest);

}  // namespace
}  // namespace nadajnik::testing
