// Orders, their line items, local statuses and the order timeline.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/text.hpp"
#include "store/sql/order_codec.hpp"
#include "store/sql/sql_repositories.hpp"

namespace nadajnik::store::sql {
namespace {

using domain::Order;

constexpr std::string_view kOrderColumns =
    "id, account_id, checkout_form_id, revision, marketplace, currency, checkout_status, "
    "fulfillment_status, fulfillment_provider, local_status_id, buyer_note, seller_note, "
    "total_minor, bought_at, remote_updated_at, imported_at, updated_at, needs_attention, "
    "attention_reason, details_json, merged_into_order_id, shipment_carrier";
constexpr std::size_t kDetailsColumn = 19;
// Up to this many matches a text search starts from the trigram index (see Where).
constexpr int kIndexedSearchLimit = 5000;

// The columns of one row; the details (JSON) are decoded by the caller, once the line items
// they annotate are loaded.
Result<Order> ReadOrderRow(const DbRows& rows, std::size_t r) {
  Order o;
  o.id = OrderId(rows.Int(r, 0));
  o.account_id = AccountId(rows.Int(r, 1));
  o.checkout_form_id = CheckoutFormId(rows.Text(r, 2));
  o.revision = rows.Text(r, 3);
  o.marketplace =
      domain::ParseMarketplace(rows.Text(r, 4)).value_or(domain::Marketplace::kAllegroPl);
  NADAJNIK_ASSIGN_OR_RETURN(Currency currency, Currency::Parse(rows.Text(r, 5)));
  o.checkout_status =
      domain::ParseCheckoutStatus(rows.Text(r, 6)).value_or(domain::CheckoutStatus::kBought);
  o.fulfillment_status =
      domain::ParseFulfillmentStatus(rows.Text(r, 7)).value_or(domain::FulfillmentStatus::kNew);
  o.fulfillment_provider = rows.Text(r, 8) == "ALLEGRO" ? domain::FulfillmentProvider::kAllegro
                                                        : domain::FulfillmentProvider::kSeller;
  o.local_status_id = StatusId(rows.Int(r, 9));
  o.buyer_note = rows.Text(r, 10);
  o.seller_note = rows.Text(r, 11);
  o.total = Money{rows.Int(r, 12), currency};
  if (auto v = rows.OptInt(r, 13)) o.bought_at = FromUnixMillis(*v);
  o.remote_updated_at = FromUnixMillis(rows.Int(r, 14));
  o.imported_at = FromUnixMillis(rows.Int(r, 15));
  o.updated_at = FromUnixMillis(rows.Int(r, 16));
  o.needs_attention = rows.Bool(r, 17);
  o.attention_reason = rows.Text(r, 18);
  if (auto v = rows.OptInt(r, 20)) o.merged_into = OrderId(*v);
  o.shipment_carrier = domain::ParseCarrier(rows.Text(r, 21));
  return o;
}

// The remote (Allegro-owned) columns and their values, shared with bulk writers (order_codec).
const std::vector<std::string_view>& kRemoteColumnNames = OrderRemoteColumns();
DbParams RemoteParams(const Order& o) { return OrderRemoteParams(o); }
const std::size_t kRemoteCount = kRemoteColumnNames.size();

std::string BuildInsertSql() {
  std::string cols = "account_id, checkout_form_id";
  std::string vals = "$1, $2";
  std::size_t n = 2;
  for (auto c : kRemoteColumnNames) {
    cols += fmt::format(", {}", c);
    vals += fmt::format(", ${}", ++n);
  }
  // $n+1: details, $n+2: local status, $n+3: now (imported_at, updated_at)
  return fmt::format(
      "INSERT INTO orders ({}, details_json, local_status_id, imported_at, updated_at) "
      "VALUES ({}, ${}, COALESCE(${}, (SELECT id FROM order_statuses ORDER BY position LIMIT 1)), "
      "${}, ${}) RETURNING id",
      cols, vals, n + 1, n + 2, n + 3, n + 3);
}

// $1 is the order id, then the remote columns, the details and the time of the change.
std::string BuildUpdateSql() {
  std::string sets;
  std::size_t n = 1;
  for (auto c : kRemoteColumnNames) {
    sets += fmt::format("{} = ${}, ", c, ++n);
  }
  return fmt::format("UPDATE orders SET {}details_json = ${}, updated_at = ${} WHERE id = $1", sets,
                     n + 1, n + 2);
}

class SqlOrderRepository final : public OrderRepository {
 public:
  explicit SqlOrderRepository(DbConnection& db)
      : db_(db), insert_sql_(BuildInsertSql()), update_sql_(BuildUpdateSql()) {}

  Result<UpsertResult> Upsert(const Order& order, Timestamp now) override {
    NADAJNIK_TRY(domain::ValidateOrder(order));
    auto existing = db_.Query(
        "SELECT id, revision, remote_updated_at FROM orders WHERE account_id = $1 AND "
        "checkout_form_id = $2",
        {order.account_id.value, order.checkout_form_id.value});
    if (!existing) return Fail(existing.error());

    DbParams params;
    params.reserve(kRemoteCount + 5);
    std::optional<OrderId> stored_id;
    if (existing->empty()) {
      params.emplace_back(order.account_id.value);
      params.emplace_back(order.checkout_form_id.value);
    } else {
      Order stored;
      stored.revision = existing->Text(0, 1);
      stored.remote_updated_at = FromUnixMillis(existing->Int(0, 2));
      stored_id = OrderId(existing->Int(0, 0));
      switch (domain::CompareRevision(stored, order)) {
        case domain::RevisionOrder::kSame:
          return UpsertResult{*stored_id, UpsertOutcome::kUnchanged};
        case domain::RevisionOrder::kStale:
          return UpsertResult{*stored_id, UpsertOutcome::kStale};
        case domain::RevisionOrder::kNewer:
          break;
      }
      params.emplace_back(stored_id->value);
    }
    DbParams remote = RemoteParams(order);
    params.insert(params.end(), std::make_move_iterator(remote.begin()),
                  std::make_move_iterator(remote.end()));
    params.emplace_back(EncodeOrderDetails(order));

    UpsertResult result;
    if (!stored_id) {
      params.emplace_back(order.local_status_id.valid() ? DbValue(order.local_status_id.value)
                                                        : DbValue());
      params.emplace_back(ToUnixMillis(now));
      auto rows = db_.Query(insert_sql_, params);
      if (!rows) return Fail(rows.error());
      result = {OrderId(rows->Int(0, 0)), UpsertOutcome::kInserted};
    } else {
      params.emplace_back(ToUnixMillis(now));
      auto n = db_.Execute(update_sql_, params);
      if (!n) return Fail(n.error());
      result = {*stored_id, UpsertOutcome::kUpdated};
      auto del = db_.Execute("DELETE FROM order_items WHERE order_id = $1", {result.id.value});
      if (!del) return Fail(del.error());
    }
    NADAJNIK_TRY(InsertItems(result.id, order));
    return result;
  }

  Result<std::optional<Order>> Get(OrderId id) override {
    return LoadOne(fmt::format("SELECT {} FROM orders WHERE id = $1", kOrderColumns), {id.value});
  }

  Result<std::optional<Order>> FindByCheckoutForm(AccountId account,
                                                  const CheckoutFormId& id) override {
    return LoadOne(fmt::format("SELECT {} FROM orders WHERE account_id = $1 AND "
                               "checkout_form_id = $2",
                               kOrderColumns),
                   {account.value, id.value});
  }

  Result<std::vector<OrderId>> FindByLineItem(AccountId account, const LineItemId& id) override {
    // "+o.account_id" keeps SQLite (no statistics) from driving the join from the account's
    // orders, which made every import scan all of them: start from the line item's index.
    auto rows = db_.Query(
        "SELECT DISTINCT o.id FROM order_items i JOIN orders o ON o.id = i.order_id "
        "WHERE i.line_item_id = $1 AND +o.account_id = $2 ORDER BY o.id",
        {id.value, account.value});
    if (!rows) return Fail(rows.error());
    std::vector<OrderId> out;
    for (std::size_t r = 0; r < rows->size(); ++r) out.emplace_back(rows->Int(r, 0));
    return out;
  }

  Result<std::vector<Order>> List(const OrderFilter& filter) override {
    DbParams params;
    NADAJNIK_ASSIGN_OR_RETURN(std::string where, Where(filter, params));
    const auto [key, descending] = SortColumn(filter.sort);
    if (filter.after) {
      params.emplace_back(filter.after->key);
      const auto t = params.size();
      params.emplace_back(filter.after->id.value);
      where += fmt::format(" AND ({0} {2} ${1} OR ({0} = ${1} AND id {2} ${3}))", key, t,
                           descending ? "<" : ">", t + 1);
    }
    params.emplace_back(std::clamp(filter.limit, 1, 500));
    const char* dir = descending ? "DESC" : "ASC";
    auto rows =
        db_.Query(fmt::format("SELECT {} FROM orders WHERE {} ORDER BY {} {}, id {} LIMIT ${}",
                              kOrderColumns, where, key, dir, dir, params.size()),
                  params);
    if (!rows) return Fail(rows.error());
    std::vector<Order> out;
    out.reserve(rows->size());
    for (std::size_t r = 0; r < rows->size(); ++r) {
      NADAJNIK_ASSIGN_OR_RETURN(Order o, ReadOrderRow(*rows, r));
      NADAJNIK_TRY(DecodeOrderDetails(rows->Text(r, kDetailsColumn), o));
      out.push_back(std::move(o));
    }
    return out;
  }

  Result<std::int64_t> Count(const OrderFilter& filter) override {
    DbParams params;
    NADAJNIK_ASSIGN_OR_RETURN(std::string where, Where(filter, params));
    auto rows = db_.Query(fmt::format("SELECT COUNT(*) FROM orders WHERE {}", where), params);
    if (!rows) return Fail(rows.error());
    return rows->Int(0, 0);
  }

  Result<std::int64_t> CountUpTo(const OrderFilter& filter, std::int64_t cap) override {
    DbParams params;
    NADAJNIK_ASSIGN_OR_RETURN(std::string where, Where(filter, params));
    params.emplace_back(std::max<std::int64_t>(cap, 0) + 1);
    auto rows = db_.Query(
        fmt::format("SELECT COUNT(*) FROM (SELECT 1 FROM orders WHERE {} LIMIT ${}) capped", where,
                    params.size()),
        params);
    if (!rows) return Fail(rows.error());
    return rows->Int(0, 0);
  }

  Result<std::vector<OrderStatusCount>> CountByStatus() override {
    auto rows = db_.Query(
        "SELECT account_id, local_status_id, SUM(n) FROM order_counts "
        "GROUP BY account_id, local_status_id HAVING SUM(n) <> 0 "
        "ORDER BY account_id, local_status_id");
    if (!rows) return Fail(rows.error());
    std::vector<OrderStatusCount> out;
    for (std::size_t r = 0; r < rows->size(); ++r) {
      OrderStatusCount c;
      c.account_id = AccountId(rows->Int(r, 0));
      if (auto s = rows->OptInt(r, 1)) c.local_status_id = StatusId(*s);
      c.orders = rows->Int(r, 2);
      out.push_back(c);
    }
    return out;
  }

  Result<std::vector<std::pair<AccountId, std::int64_t>>> CountAttention() override {
    auto rows = db_.Query(
        "SELECT account_id, COUNT(*) FROM orders WHERE needs_attention = 1 AND "
        "merged_into_order_id IS NULL GROUP BY account_id ORDER BY account_id");
    if (!rows) return Fail(rows.error());
    std::vector<std::pair<AccountId, std::int64_t>> out;
    for (std::size_t r = 0; r < rows->size(); ++r) {
      out.emplace_back(AccountId(rows->Int(r, 0)), rows->Int(r, 1));
    }
    return out;
  }

  Result<std::int64_t> CompactCounts() override {
    // DELETE ... RETURNING: exactly the rows summed are the rows removed, whatever another
    // transaction inserts meanwhile (PostgreSQL: an uncommitted row is neither seen nor
    // deleted; a second compaction waits and then finds the rows gone).
    auto rows = db_.Query("DELETE FROM order_counts RETURNING account_id, local_status_id, n");
    if (!rows) return Fail(rows.error());
    std::map<std::pair<std::int64_t, std::optional<std::int64_t>>, std::int64_t> sums;
    for (std::size_t r = 0; r < rows->size(); ++r) {
      sums[{rows->Int(r, 0), rows->OptInt(r, 1)}] += rows->Int(r, 2);
    }
    for (const auto& [k, n] : sums) {
      if (n == 0) continue;
      auto done = db_.Execute(
          "INSERT INTO order_counts (account_id, local_status_id, n) VALUES ($1, $2, $3)",
          {k.first, k.second ? DbValue(*k.second) : DbValue(), n});
      if (!done) return Fail(done.error());
    }
    return static_cast<std::int64_t>(rows->size());
  }

  Result<void> SetLocalStatus(OrderId id, StatusId status, Timestamp now) override {
    auto n = db_.Execute("UPDATE orders SET local_status_id = $2, updated_at = $3 WHERE id = $1",
                         {id.value, status.value, ToUnixMillis(now)});
    if (!n) return Fail(n.error());
    if (*n == 0) return Fail(ErrorCode::kNotFound, fmt::format("no order {}", id.value));
    return Ok();
  }

  Result<void> SetAttention(OrderId id, bool needs_attention, const std::string& reason,
                            Timestamp now) override {
    auto n = db_.Execute(
        "UPDATE orders SET needs_attention = $2, attention_reason = $3, updated_at = $4 "
        "WHERE id = $1",
        {id.value, needs_attention, reason, ToUnixMillis(now)});
    if (!n) return Fail(n.error());
    if (*n == 0) return Fail(ErrorCode::kNotFound, fmt::format("no order {}", id.value));
    return Ok();
  }

  Result<void> MarkMerged(OrderId id, OrderId into, Timestamp now) override {
    if (id == into) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("order {} cannot be merged into itself", id.value));
    }
    auto rows =
        db_.Query("SELECT id, account_id FROM orders WHERE id IN ($1, $2)", {id.value, into.value});
    if (!rows) return Fail(rows.error());
    std::optional<std::int64_t> from_account, into_account;
    for (std::size_t r = 0; r < rows->size(); ++r) {
      (rows->Int(r, 0) == id.value ? from_account : into_account) = rows->Int(r, 1);
    }
    if (!from_account) return Fail(ErrorCode::kNotFound, fmt::format("no order {}", id.value));
    if (!into_account) return Fail(ErrorCode::kNotFound, fmt::format("no order {}", into.value));
    if (*from_account != *into_account) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("order {} cannot be merged into order {} of another account",
                              id.value, into.value));
    }
    auto n =
        db_.Execute("UPDATE orders SET merged_into_order_id = $2, updated_at = $3 WHERE id = $1",
                    {id.value, into.value, ToUnixMillis(now)});
    if (!n) return Fail(n.error());
    return Ok();
  }

  Result<std::vector<StoredRevision>> StoredRevisions(
      AccountId account, const std::vector<CheckoutFormId>& ids) override {
    std::vector<StoredRevision> out;
    // Chunks padded to a few fixed sizes (repeating the last id) so the prepared-statement
    // cache holds a handful of statements, not one per list length.
    constexpr std::size_t kChunk = 128;
    for (std::size_t begin = 0; begin < ids.size(); begin += kChunk) {
      const std::size_t count = std::min(kChunk, ids.size() - begin);
      std::size_t padded = 8;
      while (padded < count) padded *= 2;
      DbParams params{account.value};
      std::string in;
      for (std::size_t i = 0; i < padded; ++i) {
        params.emplace_back(ids[begin + std::min(i, count - 1)].value);
        in += fmt::format("{}${}", i == 0 ? "" : ", ", params.size());
      }
      auto rows = db_.Query(fmt::format("SELECT checkout_form_id, revision, remote_updated_at "
                                        "FROM orders WHERE account_id = $1 AND "
                                        "checkout_form_id IN ({})",
                                        in),
                            params);
      if (!rows) return Fail(rows.error());
      for (std::size_t r = 0; r < rows->size(); ++r) {
        out.push_back(
            {CheckoutFormId(rows->Text(r, 0)), rows->Text(r, 1), FromUnixMillis(rows->Int(r, 2))});
      }
    }
    return out;
  }

 private:
  static std::pair<const char*, bool> SortColumn(OrderSort sort) {
    switch (sort) {
      case OrderSort::kOldest:
        return {"bought_at", false};
      case OrderSort::kTotalDesc:
        return {"total_minor", true};
      case OrderSort::kTotalAsc:
        return {"total_minor", false};
      case OrderSort::kNewest:
        break;
    }
    return {"bought_at", true};
  }

  // What a text filter becomes; worked out once per text and unit of work (a page asks List
  // and CountUpTo with the same filter).
  struct TextPlan {
    enum Kind { kExact, kIndexed, kScanned, kScannedEscaped };
    Kind kind = kScannedEscaped;
    std::string ids;      // kExact: "12, 15"
    std::string pattern;  // the LIKE pattern otherwise
  };

  Result<const TextPlan*> PlanText(const std::string& text) {
    if (text_plan_ && text_plan_->first == text) return &text_plan_->second;
    TextPlan plan;
    // A scanned tracking number or a pasted checkout form id finds its orders through an
    // index; anything else is a substring of search_text (FoldCase(login, e-mail, name,
    // checkout form id): "żaneta" finds "Żaneta" on both backends).
    const bool looks_like_uuid = text.size() == 36 && text[8] == '-' && text[13] == '-' &&
                                 text[18] == '-' && text[23] == '-';
    if (text.size() >= 8 && text.find(' ') == std::string::npos) {
      auto found = db_.Query(
          looks_like_uuid ? "SELECT order_id FROM shipments WHERE tracking_number = $1 UNION "
                            "SELECT id FROM orders WHERE checkout_form_id = $1 LIMIT 500"
                          : "SELECT order_id FROM shipments WHERE tracking_number = $1 LIMIT 500",
          {text});
      if (!found) return Fail(found.error());
      for (std::size_t r = 0; r < found->size(); ++r) {
        plan.ids += fmt::format("{}{}", r == 0 ? "" : ", ", found->Int(r, 0));
      }
      if (!plan.ids.empty()) {
        plan.kind = TextPlan::kExact;
        text_plan_.emplace(text, std::move(plan));
        return &text_plan_->second;
      }
    }
    const std::string folded = FoldCase(text);
    const auto chars = std::count_if(folded.begin(), folded.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    });
    if (db_.dialect() == Dialect::kSqlite && chars >= 3 &&
        folded.find_first_of("%_\\") == std::string::npos) {
      // The trigram index answers a substring of 3+ characters. When few orders hold it, the
      // list starts from them; a common text ("allegromail") is cheaper found by walking the
      // list's order and testing each row, which stops after one page.
      plan.pattern = "%" + folded + "%";
      auto many = db_.Query(fmt::format("SELECT COUNT(*) FROM (SELECT rowid FROM orders_search "
                                        "WHERE search_text LIKE $1 LIMIT {}) m",
                                        kIndexedSearchLimit + 1),
                            {plan.pattern});
      if (!many) return Fail(many.error());
      plan.kind = many->Int(0, 0) <= kIndexedSearchLimit ? TextPlan::kIndexed : TextPlan::kScanned;
    } else {
      // LIKE wildcards typed by the user are literal.
      plan.pattern = "%";
      for (char c : folded) {
        if (c == '%' || c == '_' || c == '\\') plan.pattern += '\\';
        plan.pattern += c;
      }
      plan.pattern += '%';
    }
    text_plan_.emplace(text, std::move(plan));
    return &text_plan_->second;
  }

  Result<std::string> Where(const OrderFilter& f, DbParams& params) {
    // An order merged into another lives on as that one: lists never show it.
    std::string where = "merged_into_order_id IS NULL";
    auto add = [&](std::string_view column_op, DbValue v) {
      params.push_back(std::move(v));
      where += fmt::format(" AND {} ${}", column_op, params.size());
    };
    if (f.account_id) add("account_id =", f.account_id->value);
    if (f.marketplace) add("marketplace =", std::string(domain::MarketplaceId(*f.marketplace)));
    if (f.local_status_id) add("local_status_id =", f.local_status_id->value);
    if (f.checkout_status) {
      add("checkout_status =", std::string(domain::CheckoutStatusName(*f.checkout_status)));
    }
    // Literals, not parameters: the planner can then use the partial index on COD orders.
    if (f.smart) where += *f.smart ? " AND smart = 1" : " AND smart = 0";
    if (f.cash_on_delivery) {
      where += *f.cash_on_delivery ? " AND cash_on_delivery = 1" : " AND cash_on_delivery = 0";
    }
    if (f.bought_from) add("bought_at >=", ToUnixMillis(*f.bought_from));
    if (f.bought_to) add("bought_at <=", ToUnixMillis(*f.bought_to));
    if (f.carrier) add("shipment_carrier =", *f.carrier);
    if (f.needs_attention) where += " AND needs_attention = 1";
    if (!f.text.empty()) {
      NADAJNIK_ASSIGN_OR_RETURN(const TextPlan* plan, PlanText(TruncateUtf8(f.text, 200)));
      switch (plan->kind) {
        case TextPlan::kExact:
          where += fmt::format(" AND id IN ({})", plan->ids);
          break;
        case TextPlan::kIndexed:
          add("id IN (SELECT rowid FROM orders_search WHERE search_text LIKE", plan->pattern);
          where += ")";
          break;
        case TextPlan::kScanned:
          add("search_text LIKE", plan->pattern);
          break;
        case TextPlan::kScannedEscaped:
          add("search_text LIKE", plan->pattern);
          where += " ESCAPE '\\'";
          break;
      }
    }
    return where;
  }

  Result<void> InsertItems(OrderId id, const Order& order) {
    int position = 0;
    for (const auto& item : order.items) {
      auto n = db_.Execute(
          "INSERT INTO order_items (order_id, position, line_item_id, offer_id, offer_name, "
          "external_id, quantity, unit_price_minor, original_unit_price_minor, currency, "
          "bought_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
          {id.value, position++, item.id.value, item.offer_id, item.offer_name, item.external_id,
           item.quantity, item.unit_price.minor,
           item.original_unit_price ? DbValue(item.original_unit_price->minor) : DbValue(),
           std::string(item.unit_price.currency.code()),
           item.bought_at ? DbValue(ToUnixMillis(*item.bought_at)) : DbValue()});
      if (!n) return Fail(n.error());
    }
    return Ok();
  }

  Result<void> LoadItems(Order& o) {
    auto rows = db_.Query(
        "SELECT line_item_id, offer_id, offer_name, external_id, quantity, unit_price_minor, "
        "original_unit_price_minor, currency, bought_at FROM order_items WHERE order_id = $1 "
        "ORDER BY position",
        {o.id.value});
    if (!rows) return Fail(rows.error());
    for (std::size_t r = 0; r < rows->size(); ++r) {
      domain::LineItem item;
      item.id = LineItemId(rows->Text(r, 0));
      item.offer_id = rows->Text(r, 1);
      item.offer_name = rows->Text(r, 2);
      item.external_id = rows->Text(r, 3);
      item.quantity = static_cast<int>(rows->Int(r, 4));
      NADAJNIK_ASSIGN_OR_RETURN(Currency c, Currency::Parse(rows->Text(r, 7)));
      item.unit_price = Money{rows->Int(r, 5), c};
      if (auto v = rows->OptInt(r, 6)) item.original_unit_price = Money{*v, c};
      if (auto v = rows->OptInt(r, 8)) item.bought_at = FromUnixMillis(*v);
      o.items.push_back(std::move(item));
    }
    return Ok();
  }

  Result<std::optional<Order>> LoadOne(const std::string& sql,
                                       std::initializer_list<DbValue> params) {
    auto rows = db_.Query(sql, params);
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<Order>{};
    NADAJNIK_ASSIGN_OR_RETURN(Order o, ReadOrderRow(*rows, 0));
    NADAJNIK_TRY(LoadItems(o));
    NADAJNIK_TRY(DecodeOrderDetails(rows->Text(0, kDetailsColumn), o));
    return std::optional<Order>{std::move(o)};
  }

  DbConnection& db_;
  std::string insert_sql_;
  std::string update_sql_;
  std::optional<std::pair<std::string, TextPlan>> text_plan_;
};

class SqlStatusRepository final : public StatusRepository {
 public:
  explicit SqlStatusRepository(DbConnection& db) : db_(db) {}
  Result<std::vector<domain::LocalStatus>> List() override {
    auto rows =
        db_.Query("SELECT id, name, position, color FROM order_statuses ORDER BY position", {});
    if (!rows) return Fail(rows.error());
    std::vector<domain::LocalStatus> out;
    for (std::size_t r = 0; r < rows->size(); ++r) {
      out.push_back({StatusId(rows->Int(r, 0)), rows->Text(r, 1), static_cast<int>(rows->Int(r, 2)),
                     rows->Text(r, 3)});
    }
    return out;
  }

  Result<std::optional<domain::LocalStatus>> FindByName(const std::string& name) override {
    auto rows =
        db_.Query("SELECT id, name, position, color FROM order_statuses WHERE name = $1", {name});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<domain::LocalStatus>{};
    return std::optional<domain::LocalStatus>{
        domain::LocalStatus{StatusId(rows->Int(0, 0)), rows->Text(0, 1),
                            static_cast<int>(rows->Int(0, 2)), rows->Text(0, 3)}};
  }

 private:
  DbConnection& db_;
};

class SqlOrderEventRepository final : public OrderEventRepository {
 public:
  explicit SqlOrderEventRepository(DbConnection& db) : db_(db) {}

  Result<void> Append(const domain::OrderEvent& e) override {
    auto n = db_.Execute(
        "INSERT INTO order_events (order_id, kind, at, remote_at, message, actor) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {e.order_id.value, e.kind, ToUnixMillis(e.at),
         e.remote_at ? DbValue(ToUnixMillis(*e.remote_at)) : DbValue(), e.message,
         e.actor.empty() ? std::string("system") : e.actor});
    if (!n) return Fail(n.error());
    return Ok();
  }

  Result<std::vector<domain::OrderEvent>> ListForOrder(OrderId id) override {
    auto rows = db_.Query(
        "SELECT id, order_id, kind, at, remote_at, message, actor FROM order_events "
        "WHERE order_id = $1 ORDER BY at, id",
        {id.value});
    if (!rows) return Fail(rows.error());
    std::vector<domain::OrderEvent> out;
    for (std::size_t r = 0; r < rows->size(); ++r) {
      domain::OrderEvent e;
      e.id = rows->Int(r, 0);
      e.order_id = OrderId(rows->Int(r, 1));
      e.kind = rows->Text(r, 2);
      e.at = FromUnixMillis(rows->Int(r, 3));
      if (auto v = rows->OptInt(r, 4)) e.remote_at = FromUnixMillis(*v);
      e.message = rows->Text(r, 5);
      e.actor = rows->Text(r, 6);
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  DbConnection& db_;
};

}  // namespace

std::unique_ptr<OrderRepository> MakeOrderRepository(DbConnection& db) {
  return std::make_unique<SqlOrderRepository>(db);
}
std::unique_ptr<StatusRepository> MakeStatusRepository(DbConnection& db) {
  return std::make_unique<SqlStatusRepository>(db);
}
std::unique_ptr<OrderEventRepository> MakeOrderEventRepository(DbConnection& db) {
  return std::make_unique<SqlOrderEventRepository>(db);
}

}  // namespace nadajnik::store::sql

namespace nadajnik::store {

std::int64_t OrderRepository::SortKey(const domain::Order& o, OrderSort sort) {
  if (sort == OrderSort::kTotalDesc || sort == OrderSort::kTotalAsc) return o.total.minor;
  return ToUnixMillis(o.bought_at.value_or(o.remote_updated_at));
}

}  // namespace nadajnik::store
