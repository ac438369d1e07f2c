// The shipment ledger. The idempotency key is unique: inserting a key that exists returns the
// stored shipment instead of a second one.
#include <algorithm>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "store/sql/sql_repositories.hpp"

namespace nadajnik::store::sql {
namespace {

using domain::Shipment;
namespace json = boost::json;

constexpr std::string_view kColumns =
    "id, order_id, account_id, carrier, service, idempotency_key, state, tracking_state, "
    "remote_id, tracking_number, parcels_json, cod_minor, insurance_minor, currency, label_path, "
    "label_format, last_error, created_at, updated_at, request_json, carrier_called_at, "
    "tracking_checked_at, tracking_detail, created_by, shipment_no, handed_over_at";

std::string EncodeParcels(const std::vector<domain::Parcel>& parcels) {
  json::array out;
  for (const auto& p : parcels) {
    out.push_back(json::object{{"template", p.size_template},
                               {"weightGrams", p.weight_grams},
                               {"lengthMm", p.length_mm},
                               {"widthMm", p.width_mm},
                               {"heightMm", p.height_mm},
                               {"trackingNumber", p.tracking_number}});
  }
  return json::serialize(out);
}

std::vector<domain::Parcel> DecodeParcels(const std::string& text) {
  std::vector<domain::Parcel> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& item : v.get_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.get_object();
    auto str = [&](std::string_view k) {
      auto it = o.find(k);
      return it != o.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                      : std::string();
    };
    auto num = [&](std::string_view k) {
      auto it = o.find(k);
      return it != o.end() && it->value().is_int64() ? static_cast<int>(it->value().get_int64())
                                                     : 0;
    };
    out.push_back({str("template"), num("weightGrams"), num("lengthMm"), num("widthMm"),
                   num("heightMm"), str("trackingNumber")});
  }
  return out;
}

Result<Shipment> ReadShipment(const DbRows& rows, std::size_t r) {
  Shipment s;
  s.id = ShipmentId(rows.Int(r, 0));
  s.order_id = OrderId(rows.Int(r, 1));
  s.account_id = AccountId(rows.Int(r, 2));
  auto carrier = domain::ParseCarrier(rows.Text(r, 3));
  if (!carrier) {
    return Fail(ErrorCode::kInternal, fmt::format("shipment {} has an unknown carrier '{}'",
                                                  s.id.value, rows.Text(r, 3)));
  }
  s.carrier = *carrier;
  s.service = rows.Text(r, 4);
  s.idempotency_key = rows.Text(r, 5);
  s.state = domain::ParseShipmentState(rows.Text(r, 6)).value_or(domain::ShipmentState::kFailed);
  s.tracking_state =
      domain::ParseTrackingState(rows.Text(r, 7)).value_or(domain::TrackingState::kUnknown);
  s.remote_id = rows.Text(r, 8);
  s.tracking_number = rows.Text(r, 9);
  s.parcels = DecodeParcels(rows.Text(r, 10));
  if (auto currency_code = rows.OptText(r, 13)) {
    NADAJNIK_ASSIGN_OR_RETURN(Currency c, Currency::Parse(*currency_code));
    if (auto v = rows.OptInt(r, 11)) s.cash_on_delivery = Money{*v, c};
    if (auto v = rows.OptInt(r, 12)) s.insurance = Money{*v, c};
  }
  s.label_path = rows.Text(r, 14);
  if (auto f = rows.OptText(r, 15)) s.label_format = domain::ParseLabelFormat(*f);
  s.last_error = rows.Text(r, 16);
  s.created_at = FromUnixMillis(rows.Int(r, 17));
  s.updated_at = FromUnixMillis(rows.Int(r, 18));
  s.request_json = rows.Text(r, 19);
  if (auto v = rows.OptInt(r, 20)) s.carrier_called_at = FromUnixMillis(*v);
  if (auto v = rows.OptInt(r, 21)) s.tracking_checked_at = FromUnixMillis(*v);
  s.tracking_detail = rows.Text(r, 22);
  s.created_by = rows.Text(r, 23);
  s.shipment_no = static_cast<int>(rows.Int(r, 24));
  if (auto v = rows.OptInt(r, 25)) s.handed_over_at = FromUnixMillis(*v);
  return s;
}

DbValue CurrencyOf(const Shipment& s) {
  if (s.cash_on_delivery) return std::string(s.cash_on_delivery->currency.code());
  if (s.insurance) return std::string(s.insurance->currency.code());
  return DbValue();
}

class SqlShipmentRepository final : public ShipmentRepository {
 public:
  explicit SqlShipmentRepository(DbConnection& db) : db_(db) {}

  Result<InsertResult> InsertPending(const Shipment& s, Timestamp now) override {
    if (s.idempotency_key.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "a shipment needs an idempotency key");
    }
    const std::int64_t t = ToUnixMillis(now);
    auto rows = db_.Query(
        "INSERT INTO shipments (order_id, account_id, carrier, service, idempotency_key, state, "
        "parcels_json, cod_minor, insurance_minor, currency, created_at, updated_at, "
        "request_json, created_by, shipment_no) "
        "VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $10, $11, $12, $13) "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        {s.order_id.value, s.account_id.value, std::string(domain::CarrierCode(s.carrier)),
         s.service, s.idempotency_key, EncodeParcels(s.parcels),
         s.cash_on_delivery ? DbValue(s.cash_on_delivery->minor) : DbValue(),
         s.insurance ? DbValue(s.insurance->minor) : DbValue(), CurrencyOf(s), t, s.request_json,
         s.created_by, static_cast<std::int64_t>(s.shipment_no)});
    if (!rows) return Fail(rows.error());
    if (!rows->empty()) return InsertResult{ShipmentId(rows->Int(0, 0)), true};
    auto existing = FindByIdempotencyKey(s.idempotency_key);
    if (!existing) return Fail(existing.error());
    if (!*existing) {
      return Fail(ErrorCode::kConflict, "the shipment's idempotency key vanished; try again");
    }
    return InsertResult{(*existing)->id, false};
  }

  Result<std::optional<Shipment>> Get(ShipmentId id) override {
    return One(fmt::format("SELECT {} FROM shipments WHERE id = $1", kColumns), {id.value});
  }

  Result<std::optional<Shipment>> FindByIdempotencyKey(const std::string& key) override {
    return One(fmt::format("SELECT {} FROM shipments WHERE idempotency_key = $1", kColumns), {key});
  }

  Result<std::vector<Shipment>> ListForOrder(OrderId id) override {
    return Many(fmt::format("SELECT {} FROM shipments WHERE order_id = $1 ORDER BY id", kColumns),
                {id.value});
  }

  Result<std::vector<Shipment>> ListDueForTracking(Timestamp checked_before, int limit) override {
    return Many(fmt::format("SELECT {} FROM shipments WHERE state = 'label_ready' AND "
                            "tracking_number <> '' AND tracking_state NOT IN ('delivered', "
                            "'returned') AND (tracking_checked_at IS NULL OR "
                            "tracking_checked_at < $1) ORDER BY tracking_checked_at, id LIMIT $2",
                            kColumns),
                {ToUnixMillis(checked_before), static_cast<std::int64_t>(limit)});
  }

  Result<std::vector<Shipment>> List(const ShipmentFilter& f) override {
    std::string sql = fmt::format("SELECT {} FROM shipments WHERE 1 = 1", kColumns);
    std::vector<DbValue> params;
    if (f.account) {
      params.emplace_back(f.account->value);
      sql += fmt::format(" AND account_id = ${}", params.size());
    }
    if (f.state) {
      params.emplace_back(std::string(domain::ShipmentStateName(*f.state)));
      sql += fmt::format(" AND state = ${}", params.size());
    }
    if (f.carrier) {
      params.emplace_back(std::string(domain::CarrierCode(*f.carrier)));
      sql += fmt::format(" AND carrier = ${}", params.size());
    }
    if (f.not_handed_over) sql += " AND handed_over_at IS NULL";
    params.emplace_back(static_cast<std::int64_t>(std::clamp(f.limit, 1, 10000)));
    sql += fmt::format(" ORDER BY id DESC LIMIT ${}", params.size());
    auto rows = db_.Query(sql, params);
    if (!rows) return Fail(rows.error());
    return Decode(*rows);
  }

  Result<void> Update(const Shipment& s, Timestamp now) override {
    auto n = db_.Execute(
        "UPDATE shipments SET state = $2, tracking_state = $3, remote_id = $4, "
        "tracking_number = $5, parcels_json = $6, label_path = $7, label_format = $8, "
        "last_error = $9, updated_at = $10, carrier_called_at = $11, tracking_checked_at = $12, "
        "tracking_detail = $13, handed_over_at = $14 WHERE id = $1",
        {s.id.value, std::string(domain::ShipmentStateName(s.state)),
         std::string(domain::TrackingStateName(s.tracking_state)), s.remote_id, s.tracking_number,
         EncodeParcels(s.parcels), s.label_path,
         s.label_format ? DbValue(std::string(domain::LabelFormatName(*s.label_format)))
                        : DbValue(),
         s.last_error, ToUnixMillis(now),
         s.carrier_called_at ? DbValue(ToUnixMillis(*s.carrier_called_at)) : DbValue(),
         s.tracking_checked_at ? DbValue(ToUnixMillis(*s.tracking_checked_at)) : DbValue(),
         s.tracking_detail,
         s.handed_over_at ? DbValue(ToUnixMillis(*s.handed_over_at)) : DbValue()});
    if (!n) return Fail(n.error());
    if (*n == 0) return Fail(ErrorCode::kNotFound, fmt::format("no shipment {}", s.id.value));
    return Ok();
  }

 private:
  static Result<std::vector<Shipment>> Decode(const DbRows& rows) {
    std::vector<Shipment> out;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      NADAJNIK_ASSIGN_OR_RETURN(Shipment s, ReadShipment(rows, r));
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::vector<Shipment>> Many(const std::string& sql,
                                     std::initializer_list<DbValue> params) {
    auto rows = db_.Query(sql, params);
    if (!rows) return Fail(rows.error());
    return Decode(*rows);
  }

  Result<std::optional<Shipment>> One(const std::string& sql,
                                      std::initializer_list<DbValue> params) {
    auto rows = db_.Query(sql, params);
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<Shipment>{};
    NADAJNIK_ASSIGN_OR_RETURN(Shipment s, ReadShipment(*rows, 0));
    return std::optional<Shipment>{std::move(s)};
  }

  DbConnection& db_;
};

}  // namespace

std::unique_ptr<ShipmentRepository> MakeShipmentRepository(DbConnection& db) {
  return std::make_unique<SqlShipmentRepository>(db);
}

}  // namespace nadajnik::store::sql
