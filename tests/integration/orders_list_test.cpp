// The orders list as the API and the panel serve it, against imported sandbox orders: every
// filter gives exactly the orders a client-side filter of the whole list gives, sorting and
// cursor paging cover each order once, the counts per status add up, refused parameters are
// named, and a bulk status change answers per order and reaches Allegro.
#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_session.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/panel_forms.hpp"
#include "support/sandbox_process.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kAdminPassword[] = "Admin-Haslo-2026!";

std::string Str(const json::value& v) { return std::string(v.as_string()); }

class OrdersListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_.Start();
    nadajnik_.AddUser("szef", kAdminPassword, "admin");
    AddSandboxAccount(nadajnik_, sandbox_, "PL");
    ASSERT_TRUE(nadajnik_.Start(kFastShipping)) << nadajnik_.Log();
    sandbox_.Admin("POST", "/__sandbox/orders", R"({"count":45,"spreadMinutes":7200})");
    ASSERT_TRUE(Eventually(
        [&] {
          all_ = Fetch("/api/v1/orders?limit=500");
          return all_.size() >= 45;
        },
        60s))
        << "imported " << all_.size();
  }

  std::vector<json::object> Fetch(const std::string& path) {
    auto body = api_.Api("GET", path);
    std::vector<json::object> out;
    if (!body.is_object()) return out;
    for (const auto& o : body.at("orders").as_array()) out.push_back(o.as_object());
    return out;
  }
  // Every page of `query` by following nextCursor, 7 at a time.
  std::vector<std::int64_t> Paged(const std::string& query) {
    std::vector<std::int64_t> ids;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      auto body = api_.Api(
          "GET", "/api/v1/orders?limit=7" + query + (cursor.empty() ? "" : "&cursor=" + cursor));
      if (!body.is_object()) break;
      for (const auto& o : body.at("orders").as_array()) ids.push_back(o.at("id").as_int64());
      const auto& next = body.at("nextCursor");
      if (next.is_null()) break;
      cursor = Str(next);
    }
    return ids;
  }
  std::set<std::int64_t> Ids(const std::string& query) {
    std::set<std::int64_t> out;
    for (const auto& o : Fetch("/api/v1/orders?limit=500" + query))
      out.insert(o.at("id").as_int64());
    return out;
  }
  template <typename Pred>
  std::set<std::int64_t> Where(Pred pred) {
    std::set<std::int64_t> out;
    for (const auto& o : all_) {
      if (pred(o)) out.insert(o.at("id").as_int64());
    }
    return out;
  }

  SandboxProcess sandbox_;
  NadajnikInstance nadajnik_;
  ApiSession api_{nadajnik_};
  std::vector<json::object> all_;
};

TEST_F(OrdersListTest, EveryFilterSortAndPageAgreesWithTheWholeList) {
  EXPECT_EQ(Ids("&cod=1"),
            Where([](const json::object& o) { return o.at("cashOnDelivery").as_bool(); }));
  EXPECT_EQ(Ids("&cod=0"),
            Where([](const json::object& o) { return !o.at("cashOnDelivery").as_bool(); }));
  EXPECT_EQ(Ids("&smart=1"),
            Where([](const json::object& o) { return o.at("delivery").at("smart").as_bool(); }));
  EXPECT_EQ(Ids("&carrier=none").size(), all_.size()) << "nothing shipped yet";
  EXPECT_TRUE(Ids("&carrier=inpost").empty());
  EXPECT_EQ(Ids("&account=pl").size(), all_.size()) << "the alias, any case";
  EXPECT_EQ(Ids("&marketplace=allegro-cz").size(), 0u);

  // A window of bought times: from/to as ISO times, both ends inclusive.
  std::vector<std::string> times;
  for (const auto& o : all_) times.push_back(Str(o.at("boughtAt")));
  std::sort(times.begin(), times.end());
  const std::string from = times[times.size() / 4];
  const std::string to = times[times.size() * 3 / 4];
  EXPECT_EQ(Ids("&from=" + from + "&to=" + to), Where([&](const json::object& o) {
              const std::string t = Str(o.at("boughtAt"));
              return t >= from && t <= to;
            }));

  // The buyer's login, in capitals: the case-folded substring search.
  const std::string login = Str(all_[3].at("buyer").at("login"));
  std::string upper = login;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_EQ(Ids("&q=" + upper), Where([&](const json::object& o) {
              return Str(o.at("buyer").at("login")).find(login) != std::string::npos;
            }));
  // The full checkout form id.
  const std::string form = Str(all_[5].at("checkoutFormId"));
  EXPECT_EQ(Ids("&q=" + form), (std::set<std::int64_t>{all_[5].at("id").as_int64()}));

  // Each sort pages through every order once, in its order.
  for (const std::string sort : {"newest", "oldest", "total_desc", "total_asc"}) {
    const auto ids = Paged("&sort=" + sort);
    EXPECT_EQ(ids.size(), all_.size()) << sort;
    EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), all_.size()) << sort;
    std::map<std::int64_t, json::object> by_id;
    for (const auto& o : all_) by_id[o.at("id").as_int64()] = o;
    for (std::size_t i = 1; i < ids.size(); ++i) {
      const auto& a = by_id[ids[i - 1]];
      const auto& b = by_id[ids[i]];
      if (sort == "newest") EXPECT_GE(Str(a.at("boughtAt")), Str(b.at("boughtAt")));
      if (sort == "oldest") EXPECT_LE(Str(a.at("boughtAt")), Str(b.at("boughtAt")));
      const double ta = std::stod(Str(a.at("total").at("amount")));
      const double tb = std::stod(Str(b.at("total").at("amount")));
      if (sort == "total_desc") EXPECT_GE(ta, tb);
      if (sort == "total_asc") EXPECT_LE(ta, tb);
    }
  }

  // Counts per status add up to the list, per status as the status filter lists.
  auto counts = api_.Api("GET", "/api/v1/orders/counts");
  ASSERT_TRUE(counts.is_object());
  EXPECT_EQ(counts.at("total").as_int64(), static_cast<std::int64_t>(all_.size()));
  for (const auto& row : counts.at("byStatus").as_array()) {
    EXPECT_EQ(Str(row.at("account")), "PL");
    const auto status = row.at("localStatusId").as_int64();
    EXPECT_EQ(static_cast<std::size_t>(row.at("orders").as_int64()),
              Ids("&status=" + std::to_string(status)).size());
  }

  // Refused parameters are named.
  for (const auto& [query, named] : std::vector<std::pair<std::string, std::string>>{
           {"carrier=ups", "carrier must be"},
           {"from=wczoraj", "from must be a date"},
           {"sort=random", "sort must be"},
           {"cursor=abc", "cursor is not one"},
           {"smart=tak", "smart must be 1 or 0"},
           {"account=ZZ", "account must be the alias"},
           {"from=2026-11-20&to=2026-11-10", "to must not be before from"}}) {
    auto r = api_.Call("GET", "/api/v1/orders?" + query);
    EXPECT_EQ(r.status, 422) << query;
    EXPECT_NE(r.body.find(named), std::string::npos) << query << ": " << r.body;
  }
}

TEST_F(OrdersListTest, ABulkStatusChangeAnswersPerOrderAndReachesAllegro) {
  std::vector<std::int64_t> ids;
  std::vector<std::string> forms;
  for (std::size_t i = 0; i < 4; ++i) {
    ids.push_back(all_[i].at("id").as_int64());
    forms.push_back(Str(all_[i].at("checkoutFormId")));
  }
  json::array list;
  for (auto id : ids) list.push_back(id);
  list.push_back(99999999);
  auto body =
      api_.Api("POST", "/api/v1/orders/bulk-status",
               json::serialize(json::object{{"orderIds", list}, {"status", "W realizacji"}}));
  ASSERT_TRUE(body.is_object());
  const auto& results = body.at("results").as_array();
  ASSERT_EQ(results.size(), 5u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(results[i].at("orderId").as_int64(), ids[i]);
    EXPECT_EQ(Str(results[i].at("result")), "changed") << json::serialize(results[i]);
  }
  EXPECT_EQ(Str(results[4].at("result")), "refused");
  EXPECT_NE(Str(results[4].at("error")).find("99999999"), std::string::npos);

  // Again: nothing changes.
  body = api_.Api(
      "POST", "/api/v1/orders/bulk-status",
      json::serialize(json::object{{"orderIds", json::array{ids[0]}}, {"status", "W realizacji"}}));
  EXPECT_EQ(Str(body.at("results").at(0).at("result")), "unchanged");
  // An unknown status is refused as a whole.
  auto bad = api_.Call("POST", "/api/v1/orders/bulk-status",
                       R"({"orderIds":[1],"status":"Nie ma takiego"})");
  EXPECT_EQ(bad.status, 422) << bad.body;

  EXPECT_TRUE(Eventually(
      [&] {
        auto received = sandbox_.Admin("GET", "/__sandbox/received?kind=fulfillment");
        std::set<std::string> done;
        for (const auto& r : received.at("received").as_array()) {
          if (r.at("body").at("status") == "PROCESSING") done.insert(Str(r.at("checkoutFormId")));
        }
        return std::all_of(forms.begin(), forms.end(),
                           [&](const std::string& f) { return done.contains(f); });
      },
      30s))
      << nadajnik_.Log();
}

TEST_F(OrdersListTest, ThePanelListsCountsFiltersAndChangesStatusesInBulk) {
  HttpClient browser;
  auto in = PanelLogIn(browser, nadajnik_, "szef", kAdminPassword);
  ASSERT_EQ(in.status, 303) << in.body;

  auto page = browser.Get(nadajnik_.Url("/orders"));
  ASSERT_EQ(page.status, 200);
  // The tabs: "Wszystkie" with every order, "Nowe" with as many (all imported orders are new).
  const std::string all = std::to_string(all_.size());
  EXPECT_NE(page.body.find("Wszystkie <span class=\"count\">" + all + "</span>"), std::string::npos)
      << page.body.substr(0, 3000);
  EXPECT_NE(page.body.find("Nowe <span class=\"count\">" + all + "</span>"), std::string::npos);
  EXPECT_NE(page.body.find("Wymaga uwagi <span class=\"count\">0</span>"), std::string::npos);

  // A refused filter: 400, the reason next to the field, the rest of the filter applied.
  auto refused = browser.Get(nadajnik_.Url("/orders?from=2026-13-45&cod=1"));
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("Podaj datę w formacie RRRR-MM-DD."), std::string::npos);
  EXPECT_NE(refused.body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_NE(refused.body.find("value=\"2026-13-45\""), std::string::npos) << "shown as typed";

  // Bulk "Zmień status" on three orders: a result per order, then the tabs move.
  const std::string csrf = CsrfFrom(page.body);
  std::vector<std::pair<std::string, std::string>> fields = {
      {"csrf_token", csrf}, {"status", "W realizacji"}, {"back", "/orders"}};
  for (std::size_t i = 0; i < 3; ++i)
    fields.emplace_back("order", std::to_string(all_[i].at("id").as_int64()));
  auto result = browser.PostForm(nadajnik_.Url("/orders/bulk-status"), fields);
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_NE(result.body.find("Zmieniono: <strong class=\"changed\">3</strong>"), std::string::npos)
      << result.body;
  EXPECT_NE(result.body.find("kupujący nie będzie mógł już sam anulować"), std::string::npos);
  page = browser.Get(nadajnik_.Url("/orders"));
  EXPECT_NE(page.body.find("W realizacji <span class=\"count\">3</span>"), std::string::npos);
  EXPECT_NE(
      page.body.find("Nowe <span class=\"count\">" + std::to_string(all_.size() - 3) + "</span>"),
      std::string::npos);
  // Without a token nothing changes.
  fields[0].second = "zly-token";
  EXPECT_EQ(browser.PostForm(nadajnik_.Url("/orders/bulk-status"), fields).status, 403);
}

}  // namespace
}  // namespace nadajnik::testing
