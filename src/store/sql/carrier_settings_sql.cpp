// Carrier contracts per account. Plain settings and the sender's address are JSON objects of
// strings; the secrets are one JSON object sealed with SecretBox under "carrier:<account>:<code>",
// so a sealed value copied to another account's or carrier's row does not open.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/text.hpp"
#include "security/secret_box.hpp"
#include "store/sql/sql_repositories.hpp"

namespace nadajnik::store::sql {
namespace {

namespace json = boost::json;
using domain::CarrierSettings;

std::string Context(AccountId account, domain::Carrier carrier) {
  return fmt::format("carrier:{}:{}", account.value, domain::CarrierCode(carrier));
}

std::string ToJson(const std::map<std::string, std::string>& values) {
  json::object o;
  for (const auto& [k, v] : values) o[k] = v;
  return json::serialize(o);
}

std::map<std::string, std::string> FromJson(const std::string& text) {
  std::map<std::string, std::string> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, val] : v.get_object()) {
    if (val.is_string()) out[std::string(k)] = std::string(val.get_string());
  }
  return out;
}

std::map<std::string, std::string> SenderMap(const domain::SenderAddress& s) {
  return {{"name", s.name},
          {"company", s.company},
          {"street", s.street},
          {"postalCode", s.postal_code},
          {"city", s.city},
          {"province", s.province},
          {"countryCode", s.country_code},
          {"phone", s.phone},
          {"email", s.email}};
}

domain::SenderAddress SenderFrom(const std::map<std::string, std::string>& m) {
  auto get = [&](const char* k) {
    auto it = m.find(k);
    return it == m.end() ? std::string() : it->second;
  };
  domain::SenderAddress s;
  s.name = get("name");
  s.company = get("company");
  s.street = get("street");
  s.postal_code = get("postalCode");
  s.city = get("city");
  s.province = get("province");
  s.country_code = get("countryCode").empty() ? "PL" : get("countryCode");
  s.phone = get("phone");
  s.email = get("email");
  return s;
}

class SqlCarrierSettingsRepository final : public CarrierSettingsRepository {
 public:
  SqlCarrierSettingsRepository(DbConnection& db, const security::SecretBox& secrets)
      : db_(db), secrets_(secrets) {}

  Result<void> Put(const CarrierSettings& c, Timestamp now) override {
    std::map<std::string, std::string> plain_secrets;
    for (const auto& [k, v] : c.secrets) plain_secrets[k] = v.Reveal();
    const DbValue sealed =
        plain_secrets.empty()
            ? DbValue()
            : DbValue(secrets_.Seal(ToJson(plain_secrets), Context(c.account_id, c.carrier)));
    const std::int64_t t = ToUnixMillis(now);
    auto n = db_.Execute(
        "INSERT INTO carrier_settings (account_id, carrier, enabled, settings_json, sender_json, "
        "secrets_enc, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
        "ON CONFLICT (account_id, carrier) DO UPDATE SET enabled = excluded.enabled, "
        "settings_json = excluded.settings_json, sender_json = excluded.sender_json, "
        "secrets_enc = excluded.secrets_enc, updated_at = excluded.updated_at",
        {c.account_id.value, std::string(domain::CarrierCode(c.carrier)), c.enabled ? 1 : 0,
         ToJson(c.settings), ToJson(SenderMap(c.sender)), sealed, t});
    if (!n) {
      if (n.error().code == ErrorCode::kInvalidArgument || n.error().code == ErrorCode::kInternal) {
        return Fail(
            ErrorCode::kNotFound,
            fmt::format("no account with id {} for these carrier settings", c.account_id.value),
            n.error().details);
      }
      return Fail(n.error());
    }
    return Ok();
  }

  Result<std::optional<CarrierSettings>> Get(AccountId account, domain::Carrier carrier) override {
    NADAJNIK_ASSIGN_OR_RETURN(
        auto rows, db_.Query(std::string(kSelect) + " WHERE account_id = $1 AND carrier = $2",
                             {account.value, std::string(domain::CarrierCode(carrier))}));
    if (rows.size() == 0) return std::optional<CarrierSettings>();
    NADAJNIK_ASSIGN_OR_RETURN(auto c, Read(rows, 0));
    return std::optional<CarrierSettings>(std::move(c));
  }

  Result<std::vector<CarrierSettings>> List(AccountId account) override {
    NADAJNIK_ASSIGN_OR_RETURN(
        auto rows, db_.Query(std::string(kSelect) + " WHERE account_id = $1 ORDER BY carrier",
                             {account.value}));
    std::vector<CarrierSettings> out;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      NADAJNIK_ASSIGN_OR_RETURN(auto c, Read(rows, r));
      out.push_back(std::move(c));
    }
    return out;
  }

 private:
  static constexpr std::string_view kSelect =
      "SELECT account_id, carrier, enabled, settings_json, sender_json, secrets_enc, updated_at "
      "FROM carrier_settings";

  Result<CarrierSettings> Read(const DbRows& rows, std::size_t r) const {
    CarrierSettings c;
    c.account_id = AccountId(rows.Int(r, 0));
    auto carrier = domain::ParseCarrier(rows.Text(r, 1));
    if (!carrier) {
      return Fail(ErrorCode::kInternal, fmt::format("unknown carrier '{}' in carrier_settings",
                                                    TruncateUtf8(rows.Text(r, 1), 32)));
    }
    c.carrier = *carrier;
    c.enabled = rows.Bool(r, 2);
    c.settings = FromJson(rows.Text(r, 3));
    c.sender = SenderFrom(FromJson(rows.Text(r, 4)));
    if (!rows.IsNull(r, 5)) {
      auto opened = secrets_.Open(rows.Text(r, 5), Context(c.account_id, c.carrier));
      if (!opened) {
        return Fail(ErrorCode::kFailedPrecondition,
                    fmt::format("the stored {} credentials of account {} cannot be decrypted: the "
                                "key file does not match this database; restore it or enter the "
                                "credentials again",
                                domain::CarrierCode(c.carrier), c.account_id.value));
      }
      for (const auto& [k, v] : FromJson(opened->Reveal())) c.secrets[k] = Secret<>(v);
    }
    c.updated_at = FromUnixMillis(rows.Int(r, 6));
    return c;
  }

  DbConnection& db_;
  const security::SecretBox& secrets_;
};

}  // namespace

std::unique_ptr<CarrierSettingsRepository> MakeCarrierSettingsRepository(
    DbConnection& db, const security::SecretBox& secrets) {
  return std::make_unique<SqlCarrierSettingsRepository>(db, secrets);
}

}  // namespace nadajnik::store::sql
