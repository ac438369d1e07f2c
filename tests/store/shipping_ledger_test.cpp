// The shipment ledger's promises on both backends, through ShippingService::Request (the part
// that needs no carrier): a key returns its shipment, concurrent requests for one order make one
// shipment, another needs confirmation, refusals name their reason, and tracking picks the
// shipments that are due.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "services/shipping.hpp"
#include "support/store_fixture.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {
namespace {

using domain::Carrier;
using domain::ShipmentState;
using services::ShipmentDraft;

// Request never reaches Allegro or a carrier; these fail loudly if it ever does.
class NoMarketplace final : public marketplace::ConnectorFactory {
 public:
  Result<std::unique_ptr<marketplace::MarketplaceConnector>> ForAccount(AccountId) override {
    ADD_FAILURE() << "a request must not call Allegro";
    return Fail(ErrorCode::kInternal, "no marketplace in this test");
  }
};

class ShippingLedgerTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    account_ = CreateAccount("AB");
    domain::CarrierSettings c;
    c.account_id = account_;
    c.carrier = Carrier::kInPost;
    c.settings = {{"default_service", "inpost_locker_standard"},
                  {"default_template", "small"},
                  {"comment_template", "Zamówienie {order.checkoutFormId} / {buyer.login}"}};
    c.sender.name = "Jan Nadawca";
    c.sender.street = "Półwiejska 2";
    c.sender.postal_code = "61-888";
    c.sender.city = "Poznań";
    ASSERT_TRUE(store().InTransaction(
        [&](store::UnitOfWork& uow) { return uow.carrier_settings().Put(c, clock_.Now()); }));
    order_ = Upsert(SampleOrder(account_, "cf-1", "r1", clock_.Now()));
    services::ShippingOptions options;
    options.labels_dir = labels_.path();
    shipping_ = std::make_unique<services::ShippingService>(
        store(), clock_,
        [](const domain::CarrierSettings&) -> Result<std::unique_ptr<carriers::CarrierConnector>> {
          ADD_FAILURE() << "a request must not call the carrier";
          return Fail(ErrorCode::kInternal, "no carrier in this test");
        },
        marketplace_, options);
  }

  OrderId Upsert(const domain::Order& o) {
    auto r = store().InTransaction(
        [&](store::UnitOfWork& uow) { return uow.orders().Upsert(o, clock_.Now()); });
    EXPECT_TRUE(r) << r.error().Describe();
    return r->id;
  }

  static ShipmentDraft InPost() {
    ShipmentDraft d;
    d.carrier = Carrier::kInPost;
    return d;
  }

  std::int64_t JobsOfKind(std::string_view kind) {
    auto jobs = store().Read([&](store::UnitOfWork& uow) {
      store::JobFilter f;
      f.kind = std::string(kind);
      return uow.jobs().List(f);
    });
    return jobs ? static_cast<std::int64_t>(jobs->size()) : -1;
  }

  AccountId account_;
  OrderId order_;
  TempDir labels_;
  NoMarketplace marketplace_;
  std::unique_ptr<services::ShippingService> shipping_;
};

TEST_P(ShippingLedgerTest, ARequestIsPrefilledFromTheOrderAndTheContractAndQueuesOneJob) {
  auto r = shipping_->Request(order_, InPost(), "", "anna");
  ASSERT_TRUE(r) << r.error().Describe();
  EXPECT_TRUE(r->created);
  const auto& s = r->shipment;
  EXPECT_EQ(s.state, ShipmentState::kPending);
  EXPECT_EQ(s.service, "inpost_locker_standard");
  EXPECT_EQ(s.shipment_no, 1);
  EXPECT_EQ(s.created_by, "anna");
  ASSERT_EQ(s.parcels.size(), 1u);
  EXPECT_EQ(s.parcels[0].size_template, "small");
  auto request = services::DecodeShipmentRequest(s.request_json);
  ASSERT_TRUE(request) << request.error().Describe();
  EXPECT_EQ(request->target_point, "POZ08A");  // the buyer's locker
  EXPECT_EQ(request->receiver.email, "k7x2mq9v4d+1a2b3c4d5@allegromail.pl");
  EXPECT_EQ(request->sender.street, "Półwiejska");  // the number goes apart for carriers
  EXPECT_EQ(request->sender.building, "2");
  EXPECT_EQ(request->comment, "Zamówienie cf-1 / Żaneta_Kowalczyk");
  EXPECT_EQ(request->checkout_form_id, "cf-1");
  EXPECT_TRUE(request->smart);
  EXPECT_FALSE(request->cash_on_delivery);  // paid online
  EXPECT_TRUE(request->reference.starts_with("NDJ-" + std::to_string(order_.value) + "-1-"));
  EXPECT_EQ(JobsOfKind(services::kCreateShipmentJob), 1);
}

TEST_P(ShippingLedgerTest, TheSameKeyReturnsTheSameShipmentAndAnotherOrdersKeyIsRefused) {
  auto first = shipping_->Request(order_, InPost(), "klik-1", "anna");
  auto again = shipping_->Request(order_, InPost(), "klik-1", "anna");
  ASSERT_TRUE(first && again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(first->shipment.id, again->shipment.id);
  EXPECT_EQ(JobsOfKind(services::kCreateShipmentJob), 1);
  const OrderId other = Upsert(SampleOrder(account_, "cf-2", "r1", clock_.Now()));
  auto misused = shipping_->Request(other, InPost(), "klik-1", "anna");
  ASSERT_FALSE(misused);
  EXPECT_EQ(misused.error().code, ErrorCode::kConflict);
}

TEST_P(ShippingLedgerTest, ConcurrentRequestsForOneOrderMakeOneShipment) {
  // Eight packers click at once, each with their own key (two panels, a retry without a key).
  std::vector<std::thread> threads;
  std::atomic<int> created = 0, refused = 0;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = shipping_->Request(order_, InPost(), "k-" + std::to_string(i), "anna");
      if (r) {
        ++created;
      } else if (r.error().code == ErrorCode::kAlreadyExists) {
        ++refused;
      } else {
        ADD_FAILURE() << r.error().Describe();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  auto list =
      store().Read([&](store::UnitOfWork& uow) { return uow.shipments().ListForOrder(order_); });
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 1u);
}

TEST_P(ShippingLedgerTest, AnotherShipmentNeedsConfirmationAndGetsTheNextNumber) {
  auto first = shipping_->Request(order_, InPost(), "", "anna");
  ASSERT_TRUE(first);
  auto refused = shipping_->Request(order_, InPost(), "", "anna");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(refused.error().details, "shipment:" + std::to_string(first->shipment.id.value));
  EXPECT_NE(refused.error().message.find("potwierdź"), std::string::npos);
  auto draft = InPost();
  draft.confirm_another = true;
  auto second = shipping_->Request(order_, draft, "", "anna");
  ASSERT_TRUE(second) << second.error().Describe();
  EXPECT_EQ(second->shipment.shipment_no, 2);
  // A failed shipment does not count: the next one needs no confirmation.
  for (auto* s : {&first->shipment, &second->shipment}) {
    s->state = ShipmentState::kFailed;
    ASSERT_TRUE(store().InTransaction(
        [&](store::UnitOfWork& uow) { return uow.shipments().Update(*s, clock_.Now()); }));
  }
  auto third = shipping_->Request(order_, InPost(), "", "anna");
  ASSERT_TRUE(third) << third.error().Describe();
  EXPECT_EQ(third->shipment.shipment_no, 3);
}

TEST_P(ShippingLedgerTest, RefusalsNameTheirReason) {
  auto no_contract = InPost();
  no_contract.carrier = Carrier::kDpd;
  auto r = shipping_->Request(order_, no_contract, "", "anna");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(r.error().message.find("carriers add --account AB --carrier dpd"), std::string::npos)
      << r.error().message;

  auto bad_weight = InPost();
  bad_weight.parcels.push_back({"small", -5, 0, 0, 0, ""});
  r = shipping_->Request(order_, bad_weight, "", "anna");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("parcels[0]"), std::string::npos);

  auto cancelled = SampleOrder(account_, "cf-3", "r1", clock_.Now());
  cancelled.checkout_status = domain::CheckoutStatus::kCancelled;
  r = shipping_->Request(Upsert(cancelled), InPost(), "", "anna");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("anulował"), std::string::npos);

  r = shipping_->Request(OrderId(424242), InPost(), "", "anna");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(JobsOfKind(services::kCreateShipmentJob), 0);
}

TEST_P(ShippingLedgerTest, BulkResultsComePerOrderAndARepeatedActionReturnsItsShipments) {
  std::vector<OrderId> orders = {order_};
  for (int i = 2; i <= 4; ++i) {
    orders.push_back(Upsert(SampleOrder(account_, "cf-" + std::to_string(i), "r", clock_.Now())));
  }
  orders.push_back(OrderId(999999));  // unknown: refused, the others go on
  orders.push_back(orders[1]);        // listed twice: refused once
  auto first = shipping_->RequestBulk(orders, InPost(), "bulk-1", "anna");
  ASSERT_EQ(first.size(), 6u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(first[i].outcome && first[i].outcome->created) << i;
  EXPECT_EQ(first[4].outcome.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(first[5].outcome.error().code, ErrorCode::kInvalidArgument);
  auto again = shipping_->RequestBulk(orders, InPost(), "bulk-1", "anna");
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(again[i].outcome);
    EXPECT_FALSE(again[i].outcome->created);
    EXPECT_EQ(again[i].outcome->shipment.id, first[i].outcome->shipment.id);
  }
  EXPECT_EQ(JobsOfKind(services::kCreateShipmentJob), 4);
}

TEST_P(ShippingLedgerTest, TrackingPicksLabelledShipmentsThatAreDueAndNotFinal) {
  std::vector<domain::Shipment> made;
  for (int i = 1; i <= 4; ++i) {
    const OrderId o = Upsert(SampleOrder(account_, "t-" + std::to_string(i), "r", clock_.Now()));
    auto r = shipping_->Request(o, InPost(), "", "anna");
    ASSERT_TRUE(r);
    made.push_back(r->shipment);
  }
  const Timestamp now = clock_.Now();
  made[0].state = ShipmentState::kLabelReady;  // never checked: due
  made[0].tracking_number = "A1";
  made[1].state = ShipmentState::kLabelReady;  // checked long ago: due
  made[1].tracking_number = "A2";
  made[1].tracking_checked_at = now - std::chrono::hours(2);
  made[2].state = ShipmentState::kLabelReady;  // delivered: final
  made[2].tracking_number = "A3";
  made[2].tracking_state = domain::TrackingState::kDelivered;
  made[3].state = ShipmentState::kLabelReady;  // checked a minute ago: not due
  made[3].tracking_number = "A4";
  made[3].tracking_checked_at = now - std::chrono::minutes(1);
  for (const auto& s : made) {
    ASSERT_TRUE(store().InTransaction(
        [&](store::UnitOfWork& uow) { return uow.shipments().Update(s, now); }));
  }
  auto due = store().Read([&](store::UnitOfWork& uow) {
    return uow.shipments().ListDueForTracking(now - std::chrono::minutes(30), 10);
  });
  ASSERT_TRUE(due) << due.error().Describe();
  std::set<std::string> numbers;
  for (const auto& s : *due) numbers.insert(s.tracking_number);
  EXPECT_EQ(numbers, (std::set<std::string>{"A1", "A2"}));
}

TEST_P(ShippingLedgerTest, SmartWithAllegroNeedsTheBuyersAllegroAddressBeforeAnythingIsQueued) {
  domain::CarrierSettings wza;
  wza.account_id = account_;
  wza.carrier = Carrier::kAllegroShipping;
  wza.settings = {
      {"default_length_mm", "300"}, {"default_width_mm", "200"}, {"default_height_mm", "100"}};
  ASSERT_TRUE(store().InTransaction(
      [&](store::UnitOfWork& uow) { return uow.carrier_settings().Put(wza, clock_.Now()); }));
  auto bad = SampleOrder(account_, "smart-1", "r1", clock_.Now());
  bad.buyer.email = "kupujacy@gmail";  // not the masked allegromail address
  ShipmentDraft draft;
  draft.carrier = Carrier::kAllegroShipping;
  auto r = shipping_->Request(Upsert(bad), draft, "", "anna");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(r.error().message.find("Smart"), std::string::npos) << r.error().message;
  EXPECT_EQ(JobsOfKind(services::kCreateShipmentJob), 0);
  // The order's own allegromail address: queued, with the delivery method as the service and
  // the contract's parcel size.
  auto ok = shipping_->Request(order_, draft, "", "anna");
  ASSERT_TRUE(ok) << ok.error().Describe();
  EXPECT_EQ(ok->shipment.service, "Allegro Paczkomaty InPost");
  ASSERT_EQ(ok->shipment.parcels.size(), 1u);
  EXPECT_EQ(ok->shipment.parcels[0].length_mm, 300);
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(ShippingLedgerTest);

}  // namespace
}  // namespace nadajnik::testing
