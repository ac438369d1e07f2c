// The orders list's store side, on SQLite and on PostgreSQL: counts per status kept by triggers
// (and folded by the compaction job), the carrier filter kept by triggers on shipments, keyset
// paging in every sort order, the bounded count, and the text search's exact paths (tracking
// number, checkout form id) next to the substring one.
#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

using store::OrderFilter;
using store::OrderSort;
using store::UnitOfWork;

class OrderListTest : public StoreTest {
 protected:
  OrderId Upsert(const domain::Order& o) {
    auto r = store().InTransaction(
        [&](UnitOfWork& uow) { return uow.orders().Upsert(o, clock_.Now()); });
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? r->id : OrderId{};
  }
  OrderId Add(AccountId account, const std::string& cf, std::int64_t total_minor,
              std::chrono::minutes age) {
    domain::Order o = SampleOrder(account, cf, "r1", clock_.Now() - age);
    o.total.minor = total_minor;
    return Upsert(o);
  }
  std::vector<domain::LocalStatus> Statuses() {
    auto r = store().Read([](UnitOfWork& uow) { return uow.statuses().List(); });
    EXPECT_TRUE(r);
    return r ? *r : std::vector<domain::LocalStatus>{};
  }
  void SetStatus(OrderId id, StatusId s) {
    ASSERT_TRUE(store().InTransaction(
        [&](UnitOfWork& uow) { return uow.orders().SetLocalStatus(id, s, clock_.Now()); }));
  }
  // (account, status) -> orders, from the counters.
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> Counters() {
    auto r = store().Read([](UnitOfWork& uow) { return uow.orders().CountByStatus(); });
    EXPECT_TRUE(r) << r.error().Describe();
    std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> out;
    if (!r) return out;
    for (const auto& c : *r) {
      out[{c.account_id.value, c.local_status_id ? c.local_status_id->value : 0}] += c.orders;
    }
    return out;
  }
  // The same figure by scanning (what the counters stand for).
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> Scanned(
      const std::vector<AccountId>& accounts) {
    std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> out;
    for (AccountId a : accounts) {
      for (const auto& s : Statuses()) {
        OrderFilter f;
        f.account_id = a;
        f.local_status_id = s.id;
        auto n = store().Read([&](UnitOfWork& uow) { return uow.orders().Count(f); });
        EXPECT_TRUE(n);
        if (n && *n > 0) out[{a.value, s.id.value}] = *n;
      }
    }
    return out;
  }
  std::vector<domain::Order> List(const OrderFilter& f) {
    auto r = store().Read([&](UnitOfWork& uow) { return uow.orders().List(f); });
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : std::vector<domain::Order>{};
  }
  std::set<std::int64_t> Ids(const OrderFilter& f) {
    std::set<std::int64_t> out;
    for (const auto& o : List(f)) out.insert(o.id.value);
    return out;
  }
  ShipmentId Ship(OrderId order, AccountId account, domain::Carrier carrier, const std::string& key,
                  const std::string& tracking = "") {
    domain::Shipment s;
    s.order_id = order;
    s.account_id = account;
    s.carrier = carrier;
    s.idempotency_key = key;
    s.tracking_number = tracking;
    auto r = store().InTransaction([&](UnitOfWork& uow) -> Result<ShipmentId> {
      NADAJNIK_ASSIGN_OR_RETURN(auto inserted, uow.shipments().InsertPending(s, clock_.Now()));
      if (!tracking.empty()) {
        NADAJNIK_ASSIGN_OR_RETURN(auto stored, uow.shipments().Get(inserted.id));
        stored->state = domain::ShipmentState::kLabelReady;
        stored->tracking_number = tracking;
        NADAJNIK_TRY(uow.shipments().Update(*stored, clock_.Now()));
      }
      return inserted.id;
    });
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : ShipmentId{};
  }
  void SetShipmentState(ShipmentId id, domain::ShipmentState state) {
    ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
      NADAJNIK_ASSIGN_OR_RETURN(auto s, uow.shipments().Get(id));
      s->state = state;
      return uow.shipments().Update(*s, clock_.Now());
    }));
  }
};

TEST_P(OrderListTest, CountsPerStatusFollowNewOrdersStatusChangesAndMergesThroughCompaction) {
  const AccountId a = CreateAccount("AA");
  const AccountId b = CreateAccount("BB");
  const auto statuses = Statuses();
  ASSERT_GE(statuses.size(), 3u);
  std::vector<OrderId> ids;
  for (int i = 0; i < 6; ++i)
    ids.push_back(Add(a, "a-" + std::to_string(i), 1000 + i, std::chrono::minutes(i)));
  for (int i = 0; i < 3; ++i)
    ids.push_back(Add(b, "b-" + std::to_string(i), 2000 + i, std::chrono::minutes(i)));
  EXPECT_EQ(Counters(), Scanned({a, b}));

  SetStatus(ids[0], statuses[1].id);
  SetStatus(ids[1], statuses[2].id);
  SetStatus(ids[1], statuses[1].id);
  SetStatus(ids[6], statuses[2].id);
  SetStatus(ids[6], statuses[2].id);  // the same status again changes nothing
  ASSERT_TRUE(store().InTransaction(
      [&](UnitOfWork& uow) { return uow.orders().MarkMerged(ids[2], ids[3], clock_.Now()); }));
  // Re-importing a newer revision keeps the local status and counts nothing twice.
  domain::Order newer = SampleOrder(a, "a-0", "r2", clock_.Now());
  newer.total.minor = 1000;
  Upsert(newer);
  const auto before = Counters();
  EXPECT_EQ(before, Scanned({a, b}));
  EXPECT_EQ((before.at({a.value, statuses[1].id.value})), 2);
  std::int64_t sum = 0;
  for (const auto& [k, n] : before) sum += n;
  EXPECT_EQ(sum, 8) << "9 orders, one merged away";

  auto folded = store().InTransaction([](UnitOfWork& uow) { return uow.orders().CompactCounts(); });
  ASSERT_TRUE(folded) << folded.error().Describe();
  EXPECT_GT(*folded, static_cast<std::int64_t>(before.size())) << "+1/-1 rows were folded";
  EXPECT_EQ(Counters(), before);
  folded = store().InTransaction([](UnitOfWork& uow) { return uow.orders().CompactCounts(); });
  ASSERT_TRUE(folded);
  EXPECT_EQ(*folded, static_cast<std::int64_t>(before.size())) << "one row per key is left";
  EXPECT_EQ(Counters(), before);

  SetStatus(ids[7], statuses[1].id);
  EXPECT_EQ(Counters(), Scanned({a, b})) << "changes after a compaction still count";

  auto attention = store().Read([](UnitOfWork& uow) { return uow.orders().CountAttention(); });
  ASSERT_TRUE(attention);
  EXPECT_TRUE(attention->empty());
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) {
    return uow.orders().SetAttention(ids[7], true, "test", clock_.Now());
  }));
  attention = store().Read([](UnitOfWork& uow) { return uow.orders().CountAttention(); });
  ASSERT_TRUE(attention);
  ASSERT_EQ(attention->size(), 1u);
  EXPECT_EQ((*attention)[0].first, b);
  EXPECT_EQ((*attention)[0].second, 1);
}

TEST_P(OrderListTest, TheCarrierFilterFollowsTheLatestActiveShipment) {
  const AccountId a = CreateAccount("AA");
  const OrderId one = Add(a, "one", 100, std::chrono::minutes(1));
  const OrderId two = Add(a, "two", 200, std::chrono::minutes(2));
  const OrderId three = Add(a, "three", 300, std::chrono::minutes(3));
  OrderFilter none;
  none.carrier = "";
  EXPECT_EQ(Ids(none), (std::set<std::int64_t>{one.value, two.value, three.value}));

  const ShipmentId inpost = Ship(one, a, domain::Carrier::kInPost, "k-1");
  Ship(two, a, domain::Carrier::kDpd, "k-2", "DPD0000000001");
  OrderFilter by_inpost;
  by_inpost.carrier = "inpost";
  OrderFilter by_dpd;
  by_dpd.carrier = "dpd";
  EXPECT_EQ(Ids(by_inpost), (std::set<std::int64_t>{one.value}));
  EXPECT_EQ(Ids(by_dpd), (std::set<std::int64_t>{two.value}));
  EXPECT_EQ(Ids(none), (std::set<std::int64_t>{three.value}));
  auto listed = List(by_inpost);
  ASSERT_EQ(listed.size(), 1u);
  ASSERT_TRUE(listed[0].shipment_carrier);
  EXPECT_EQ(*listed[0].shipment_carrier, domain::Carrier::kInPost);

  // Cancelled: back to "no shipment"; a second shipment with another carrier takes over.
  SetShipmentState(inpost, domain::ShipmentState::kCancelled);
  EXPECT_EQ(Ids(none), (std::set<std::int64_t>{one.value, three.value}));
  EXPECT_TRUE(Ids(by_inpost).empty());
  domain::Shipment second;
  second.order_id = one;
  second.account_id = a;
  second.carrier = domain::Carrier::kPocztaPolska;
  second.idempotency_key = "k-3";
  second.shipment_no = 2;
  ASSERT_TRUE(store().InTransaction(
      [&](UnitOfWork& uow) { return uow.shipments().InsertPending(second, clock_.Now()); }));
  OrderFilter by_pp;
  by_pp.carrier = "poczta_polska";
  EXPECT_EQ(Ids(by_pp), (std::set<std::int64_t>{one.value}));
  // A failed shipment is no parcel either.
  auto failed_id =
      store().Read([&](UnitOfWork& uow) { return uow.shipments().FindByIdempotencyKey("k-3"); });
  ASSERT_TRUE(failed_id && *failed_id);
  SetShipmentState((*failed_id)->id, domain::ShipmentState::kFailed);
  EXPECT_EQ(Ids(none), (std::set<std::int64_t>{one.value, three.value}));
}

TEST_P(OrderListTest, EverySortOrderPagesThroughAllOrdersOnceWithItsCursor) {
  const AccountId a = CreateAccount("AA");
  // Equal totals and equal times, so the id breaks ties.
  const std::int64_t totals[] = {500, 100, 500, 900, 100, 300, 500};
  for (int i = 0; i < 7; ++i) {
    Add(a, "s-" + std::to_string(i), totals[i], std::chrono::minutes(i / 2));
  }
  for (OrderSort sort :
       {OrderSort::kNewest, OrderSort::kOldest, OrderSort::kTotalDesc, OrderSort::kTotalAsc}) {
    OrderFilter all;
    all.sort = sort;
    all.limit = 100;
    const auto expected = List(all);
    ASSERT_EQ(expected.size(), 7u);
    for (std::size_t i = 1; i < expected.size(); ++i) {
      const auto k0 = store::OrderRepository::SortKey(expected[i - 1], sort);
      const auto k1 = store::OrderRepository::SortKey(expected[i], sort);
      const bool desc = sort == OrderSort::kNewest || sort == OrderSort::kTotalDesc;
      EXPECT_TRUE(desc ? (k0 > k1 || (k0 == k1 && expected[i - 1].id.value > expected[i].id.value))
                       : (k0 < k1 || (k0 == k1 && expected[i - 1].id.value < expected[i].id.value)))
          << "sort " << static_cast<int>(sort) << " row " << i;
    }
    OrderFilter page;
    page.sort = sort;
    page.limit = 3;
    std::vector<std::int64_t> seen;
    for (int n = 0; n < 5; ++n) {
      auto rows = List(page);
      for (const auto& o : rows) seen.push_back(o.id.value);
      if (rows.size() < 3) break;
      page.after =
          store::OrderCursor{store::OrderRepository::SortKey(rows.back(), sort), rows.back().id};
    }
    std::vector<std::int64_t> want;
    for (const auto& o : expected) want.push_back(o.id.value);
    EXPECT_EQ(seen, want) << "sort " << static_cast<int>(sort);
  }
  OrderFilter most;
  most.sort = OrderSort::kTotalDesc;
  most.limit = 1;
  EXPECT_EQ(List(most).front().total.minor, 900);
}

TEST_P(OrderListTest, TextFindsATrackingNumberAnOrderIdOrASubstringAndCountsAreBounded) {
  const AccountId a = CreateAccount("AA");
  const std::string uuid = "29738e61-7f6a-11e8-ac45-09db60ede9d6";
  const OrderId by_uuid = Add(a, uuid, 100, std::chrono::minutes(1));
  const OrderId shipped = Add(a, "shipped", 200, std::chrono::minutes(2));
  const OrderId other = Add(a, "other", 300, std::chrono::minutes(3));
  Ship(shipped, a, domain::Carrier::kInPost, "k-t", "620000123456789012345678");

  OrderFilter f;
  f.text = "620000123456789012345678";
  EXPECT_EQ(Ids(f), (std::set<std::int64_t>{shipped.value}));
  f.text = uuid;
  EXPECT_EQ(Ids(f), (std::set<std::int64_t>{by_uuid.value}));
  f.text = "29738e61";  // a part of the id: the substring search
  EXPECT_EQ(Ids(f), (std::set<std::int64_t>{by_uuid.value}));
  f.text = "ŻANETA";  // SampleOrder's buyer, any case
  EXPECT_EQ(Ids(f).size(), 3u);
  f.text = "5678";  // a part of a tracking number is no match (only whole numbers are)
  EXPECT_TRUE(Ids(f).empty());

  // A newer revision with another buyer: the search index follows (SQLite's trigram index is
  // kept by triggers), the old name no longer finds the order.
  domain::Order renamed = SampleOrder(a, "other", "r2", clock_.Now());
  renamed.total.minor = 300;
  renamed.buyer.login = "Łucja_Śmiała";
  renamed.buyer.first_name = "Łucja";
  renamed.buyer.email = "lucja@example.pl";
  Upsert(renamed);
  f.text = "łucja_śm";  // an underscore typed is a character, not a wildcard
  EXPECT_EQ(Ids(f), (std::set<std::int64_t>{other.value}));
  f.text = "ŁUCJA";
  EXPECT_EQ(Ids(f), (std::set<std::int64_t>{other.value}));
  f.text = "ucj";
  EXPECT_EQ(Ids(f), (std::set<std::int64_t>{other.value}));
  f.text = "żaneta";
  EXPECT_EQ(Ids(f), (std::set<std::int64_t>{by_uuid.value, shipped.value}));
  f.text = "ła";  // shorter than a trigram: the scan finds it too
  EXPECT_EQ(Ids(f), (std::set<std::int64_t>{other.value}));

  OrderFilter all;
  auto capped = store().Read([&](UnitOfWork& uow) { return uow.orders().CountUpTo(all, 2); });
  ASSERT_TRUE(capped);
  EXPECT_EQ(*capped, 3) << "cap + 1 says: more than the cap";
  capped = store().Read([&](UnitOfWork& uow) { return uow.orders().CountUpTo(all, 10); });
  ASSERT_TRUE(capped);
  EXPECT_EQ(*capped, 3);
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(OrderListTest);

}  // namespace
}  // namespace nadajnik::testing
