#include "marketplace/allegro/mapping.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/text.hpp"

namespace nadajnik::marketplace::allegro {

namespace {

namespace json = boost::json;

// Bounds, in bytes. Identifiers (checkout form, line item, payment, offer, pickup point...) are
// refused when longer, because a truncated id would silently name something else; free text
// (names, addresses, notes) is truncated on a character boundary and kept.
constexpr std::size_t kKeyBytes = 100;
// The seller's SKU is up to 100 *characters* (section 3.4): 400 bytes fit any 100 of them.
constexpr std::size_t kSkuBytes = 400;
constexpr std::size_t kCodeBytes = 100;  // enum-like strings we keep verbatim (provider, types)
constexpr std::size_t kNameBytes = 200;
constexpr std::size_t kAddressBytes = 200;
constexpr std::size_t kEmailBytes = 254;  // RFC 5321's limit for a whole address
constexpr std::size_t kDescriptionBytes = 1000;
constexpr std::size_t kNoteBytes = 2000;
constexpr std::size_t kAttentionBytes = 1000;
constexpr std::size_t kMaxLineItems = 1000;
constexpr std::size_t kMaxSurcharges = 100;
constexpr std::size_t kMaxDiscountsKept = 20;
constexpr std::size_t kMaxTaxIdsKept = 10;
constexpr std::size_t kMaxRawJsonBytes = 256 * 1024;
constexpr std::size_t kMaxBodyBytes = 32 * 1024 * 1024;
constexpr std::size_t kMaxFormsPerPage = 1000;    // Allegro sends at most 100
constexpr std::size_t kMaxEventsPerPage = 10000;  // Allegro sends at most 1000
constexpr std::size_t kPreviewBytes = 40;
constexpr std::size_t kErrorDescriptionBytes = 300;
constexpr std::size_t kRawErrorBytes = 200;
// Quantities and amounts are bounded so that unit price x quantity, and sums of a thousand line
// items, stay far from int64 overflow (1e11 minor units is a billion złoty).
constexpr std::int64_t kMaxQuantity = 1'000'000;
constexpr std::int64_t kMaxAmountMinor = 100'000'000'000;
constexpr std::int64_t kMaxPackages = 1000;

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

enum class Need { kOptional, kRequired };

// ---- text helpers -------------------------------------------------------------------------------

// Length of the UTF-8 sequence starting at s[i] if it is valid, else 0.
std::size_t ValidSequenceAt(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 1;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
  } else {
    return 0;
  }
  if (i + n > s.size() || !IsValidUtf8(s.substr(i, n))) return 0;
  return n;
}

// Valid UTF-8: each byte that does not start a valid sequence becomes `bad`; with
// `printable_only`, control characters become a space as well.
std::string Sanitize(std::string_view s, std::string_view bad, bool printable_only) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t n = ValidSequenceAt(s, i);
    if (n == 0) {
      out += bad;
      ++i;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (n == 1 && (c == 0 || (printable_only && (c < 0x20 || c == 0x7F)))) {
      out += c == 0 && !printable_only ? bad : " ";
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

// A bounded, printable rendering of untrusted text for error messages.
std::string Preview(std::string_view s, std::size_t max = kPreviewBytes) {
  return TruncateUtf8(Sanitize(s.substr(0, max * 4), "?", true), max);
}

std::string_view View(const json::string& s) { return {s.data(), s.size()}; }

std::string_view TypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "value";
}

// A number as people write it (Boost.JSON would serialize 12.5 as 1.25E1).
std::string NumberText(const json::value& v) {
  if (v.is_int64()) return fmt::format("{}", v.get_int64());
  if (v.is_uint64()) return fmt::format("{}", v.get_uint64());
  if (v.is_double()) return Preview(fmt::format("{}", v.get_double()));
  return Preview(json::serialize(v));
}

// "string 'abc'", "number 12.5", "object".
std::string Describe(const json::value& v) {
  if (v.is_string()) return fmt::format("string '{}'", Preview(View(v.get_string())));
  if (v.is_object() || v.is_array()) return std::string(TypeName(v));
  return fmt::format("{} {}", TypeName(v), NumberText(v));
}

std::string Join(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string At(std::string_view parent, std::size_t i) { return fmt::format("{}[{}]", parent, i); }

Unexpected Invalid(std::string_view path, std::string_view what) {
  return Fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, what));
}

Unexpected WrongType(std::string_view path, std::string_view expected, const json::value& got) {
  return Invalid(path, fmt::format("expected {}, got {}", expected, Describe(got)));
}

Unexpected Missing(std::string_view path) { return Invalid(path, "required but missing or null"); }

// Body text as stored next to a form: valid UTF-8 (a stray byte becomes U+FFFD, which a text
// column accepts), at most 256 KiB, cut on a character boundary.
std::string BoundRawJson(std::string_view body) {
  // A few bytes past the bound are enough to cut on a character boundary.
  const std::string_view head = body.substr(0, kMaxRawJsonBytes + 4);
  if (IsValidUtf8(head) && head.find('\0') == std::string_view::npos) {
    return TruncateUtf8(head, kMaxRawJsonBytes);
  }
  return TruncateUtf8(Sanitize(head, kReplacementChar, false), kMaxRawJsonBytes);
}

// Parses a body of untrusted JSON. Invalid UTF-8 inside strings is let through here so that the
// mapping can name the field that carries it (each string is checked where it is read).
Result<json::value> ParseBody(std::string_view body, std::string_view what) {
  if (body.size() > kMaxBodyBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: the body is {} bytes, more than the {} accepted", what,
                            body.size(), kMaxBodyBytes));
  }
  json::parse_options options;
  options.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(body.data(), body.size()), ec, {}, options);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: the body is not valid JSON ({})", what, ec.message()),
                fmt::format("body starts with '{}'", Preview(body)));
  }
  return v;
}

// ---- typed reading of one JSON object, with the path for messages ------------------------------

class Obj {
 public:
  Obj(const json::object& o, std::string path) : o_(&o), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return Join(path_, key); }

  // The member, or nullptr when it is absent or null (Allegro treats both alike).
  const json::value* Find(std::string_view key) const {
    auto it = o_->find(json::string_view(key.data(), key.size()));
    if (it == o_->end() || it->value().is_null()) return nullptr;
    return &it->value();
  }

  Result<std::optional<Obj>> Object(std::string_view key, Need need) const {
    const json::value* v = Find(key);
    if (!v) {
      if (need == Need::kRequired) return Missing(PathOf(key));
      return std::optional<Obj>();
    }
    if (!v->is_object()) return WrongType(PathOf(key), "an object", *v);
    return std::optional<Obj>(Obj(v->get_object(), PathOf(key)));
  }

  // nullptr when absent and optional.
  Result<const json::array*> Array(std::string_view key, Need need) const {
    const json::value* v = Find(key);
    if (!v) {
      if (need == Need::kRequired) return Missing(PathOf(key));
      return static_cast<const json::array*>(nullptr);
    }
    if (!v->is_array()) return WrongType(PathOf(key), "an array", *v);
    return &v->get_array();
  }

  // A string checked for UTF-8; nullopt when absent.
  Result<std::optional<std::string_view>> String(std::string_view key) const {
    const json::value* v = Find(key);
    if (!v) return std::optional<std::string_view>();
    if (!v->is_string()) return WrongType(PathOf(key), "a string", *v);
    const std::string_view s = View(v->get_string());
    if (!IsValidUtf8(s)) return Invalid(PathOf(key), "is not valid UTF-8");
    return std::optional<std::string_view>(s);
  }

  // Free text: "" when absent, truncated to max_bytes, NUL characters dropped (no database text
  // column takes them); everything else (markup, quotes, emoji) kept verbatim for the renderer
  // to escape.
  Result<std::string> Text(std::string_view key, std::size_t max_bytes) const {
    NADAJNIK_ASSIGN_OR_RETURN(auto s, String(key));
    if (!s) return std::string();
    std::string text(*s);
    std::erase(text, '\0');
    return TruncateUtf8(text, max_bytes);
  }

  // An identifier: refused when longer than max_bytes or carrying control characters.
  Result<std::string> Key(std::string_view key, std::size_t max_bytes, Need need) const {
    NADAJNIK_ASSIGN_OR_RETURN(auto s, String(key));
    if (!s || s->empty()) {
      if (need == Need::kRequired) {
        return s ? Invalid(PathOf(key), "must not be empty") : Missing(PathOf(key));
      }
      return std::string();
    }
    if (s->size() > max_bytes) {
      return Invalid(PathOf(key), fmt::format("'{}' is {} bytes long, at most {} are accepted",
                                              Preview(*s), s->size(), max_bytes));
    }
    for (char c : *s) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) {
        return Invalid(PathOf(key), fmt::format("'{}' contains a control character", Preview(*s)));
      }
    }
    return std::string(*s);
  }

  // false when absent.
  Result<bool> Bool(std::string_view key) const {
    const json::value* v = Find(key);
    if (!v) return false;
    if (!v->is_bool()) return WrongType(PathOf(key), "true or false", *v);
    return v->get_bool();
  }

  // A whole JSON number (2 and 2.0 both read as 2); nullopt when absent.
  Result<std::optional<std::int64_t>> Integer(std::string_view key) const {
    const json::value* v = Find(key);
    if (!v) return std::optional<std::int64_t>();
    if (v->is_int64()) return std::optional<std::int64_t>(v->get_int64());
    if (v->is_uint64()) {
      return Invalid(PathOf(key), fmt::format("{} is too large", v->get_uint64()));
    }
    if (v->is_double()) {
      const double d = v->get_double();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
        return std::optional<std::int64_t>(static_cast<std::int64_t>(d));
      }
      return Invalid(PathOf(key), fmt::format("{} is not a whole number", NumberText(*v)));
    }
    return WrongType(PathOf(key), "a whole number", *v);
  }

  Result<std::optional<Timestamp>> Time(std::string_view key) const {
    NADAJNIK_ASSIGN_OR_RETURN(auto s, String(key));
    if (!s) return std::optional<Timestamp>();
    auto t = ParseIso8601(*s);
    if (!t) {
      return Invalid(PathOf(key), fmt::format("'{}' is not an ISO 8601 date-time such as "
                                              "2024-01-10T10:12:32.321Z",
                                              Preview(*s)));
    }
    return std::optional<Timestamp>(*t);
  }

  // A Price ({"amount":"123.45","currency":"PLN"}). With a non-empty `order_currency`, any other
  // currency is refused: every amount of an order is in its marketplace's currency.
  Result<std::optional<Money>> Price(std::string_view key, const Currency& order_currency,
                                     Need need) const {
    NADAJNIK_ASSIGN_OR_RETURN(auto price, Object(key, need));
    if (!price) return std::optional<Money>();
    NADAJNIK_ASSIGN_OR_RETURN(auto currency_text, price->String("currency"));
    if (!currency_text) return Missing(price->PathOf("currency"));
    auto currency = Currency::Parse(*currency_text);
    if (!currency) {
      return Invalid(price->PathOf("currency"),
                     fmt::format("'{}' is not an ISO 4217 currency code", Preview(*currency_text)));
    }
    if (!order_currency.empty() && !(*currency == order_currency)) {
      return Invalid(price->PathOf("currency"),
                     fmt::format("'{}' is not the order's currency {} (summary.totalToPay)",
                                 currency->code(), order_currency.code()));
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto amount, price->String("amount"));
    if (!amount) return Missing(price->PathOf("amount"));
    if (!amount->empty() && amount->front() == '-') {
      return Invalid(price->PathOf("amount"),
                     fmt::format("'{}' is a negative amount", Preview(*amount)));
    }
    auto money = ParseMoney(*amount, currency->code());
    if (!money) {
      Error e = money.error();
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}: '{}' is not a decimal amount", price->PathOf("amount"),
                              Preview(*amount)),
                  e.message);
    }
    if (money->minor > kMaxAmountMinor) {
      return Invalid(price->PathOf("amount"), fmt::format("'{}' is too large", Preview(*amount)));
    }
    return std::optional<Money>(*money);
  }

 private:
  const json::object* o_;
  std::string path_;
};

// Element i of an array of objects.
Result<Obj> ElementObject(const json::array& a, std::size_t i, std::string_view array_path) {
  const json::value& v = a[i];
  if (!v.is_object()) return WrongType(At(array_path, i), "an object", v);
  return Obj(v.get_object(), At(array_path, i));
}

Result<Obj> RootObject(const json::value& v, std::string_view what) {
  if (!v.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: expected a JSON object, got {}", what, Describe(v)));
  }
  return Obj(v.get_object(), "");
}

// ---- the checkout form ----------------------------------------------------------------------

// Reasons to show the seller when a value was mapped by a fallback instead of being understood.
class Attention {
 public:
  void Add(std::string reason) { reasons_.push_back(std::move(reason)); }
  void ApplyTo(domain::Order& order) const {
    if (reasons_.empty()) return;
    std::string joined;
    for (const auto& r : reasons_) {
      if (!joined.empty()) joined += "; ";
      joined += r;
    }
    order.needs_attention = true;
    order.attention_reason = TruncateUtf8(joined, kAttentionBytes);
  }

 private:
  std::vector<std::string> reasons_;
};

// Every address shape of the form: the delivery address (zipCode, names, company, phone), the
// buyer's own address (postCode), the pickup point's and the invoice's. Absent members stay "".
Result<domain::Address> ReadAddress(const Obj& a, std::string_view postal_code_key) {
  domain::Address out;
  NADAJNIK_ASSIGN_OR_RETURN(out.first_name, a.Text("firstName", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(out.last_name, a.Text("lastName", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(out.company, a.Text("companyName", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(out.street, a.Text("street", kAddressBytes));
  NADAJNIK_ASSIGN_OR_RETURN(out.postal_code, a.Text(postal_code_key, kAddressBytes));
  NADAJNIK_ASSIGN_OR_RETURN(out.city, a.Text("city", kAddressBytes));
  NADAJNIK_ASSIGN_OR_RETURN(out.country_code, a.Text("countryCode", kAddressBytes));
  NADAJNIK_ASSIGN_OR_RETURN(out.phone, a.Text("phoneNumber", kNameBytes));
  return out;
}

Result<domain::Buyer> ReadBuyer(const Obj& b) {
  domain::Buyer buyer;
  NADAJNIK_ASSIGN_OR_RETURN(buyer.remote_id, b.Key("id", kKeyBytes, Need::kOptional));
  NADAJNIK_ASSIGN_OR_RETURN(buyer.login, b.Text("login", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(buyer.email, b.Text("email", kEmailBytes));
  NADAJNIK_ASSIGN_OR_RETURN(buyer.first_name, b.Text("firstName", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(buyer.last_name, b.Text("lastName", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(buyer.company, b.Text("companyName", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(buyer.phone, b.Text("phoneNumber", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(buyer.guest, b.Bool("guest"));
  // personalIdentity (PESEL) is deliberately not kept: shipping and invoicing don't need it.
  NADAJNIK_ASSIGN_OR_RETURN(auto address, b.Object("address", Need::kOptional));
  if (address) {
    NADAJNIK_ASSIGN_OR_RETURN(buyer.address, ReadAddress(*address, "postCode"));
    // Allegro's buyer address carries no name: it is the buyer's own, so it takes the buyer's
    // names, company and phone to be a complete postal address.
    buyer.address.first_name = buyer.first_name;
    buyer.address.last_name = buyer.last_name;
    buyer.address.company = buyer.company;
    buyer.address.phone = buyer.phone;
  }
  return buyer;
}

// payment and surcharges[] share CheckoutFormPaymentReference.
template <typename PaymentLike>
Result<PaymentLike> ReadPayment(const Obj& p, const Currency& currency, Attention& attention) {
  PaymentLike out;
  NADAJNIK_ASSIGN_OR_RETURN(out.remote_id, p.Key("id", kKeyBytes, Need::kOptional));
  NADAJNIK_ASSIGN_OR_RETURN(std::string type, p.Key("type", kCodeBytes, Need::kOptional));
  if (auto parsed = domain::ParsePaymentType(type)) {
    out.type = *parsed;
  } else {
    // Only CASH_ON_DELIVERY changes what we do (the courier collects totalToPay), and every
    // type Allegro has added so far (SPLIT_PAYMENT, EXTENDED_TERM) was prepaid: an unknown or
    // missing type is kept as ONLINE rather than losing the order, and flagged for the seller.
    out.type = domain::PaymentType::kOnline;
    attention.Add(type.empty()
                      ? fmt::format("Allegro sent no payment type ({}.type): treated as prepaid "
                                    "(ONLINE); check the payment before shipping",
                                    p.path())
                      : fmt::format("Allegro sent an unknown payment type '{}' ({}.type): treated "
                                    "as prepaid (ONLINE); check the payment before shipping",
                                    Preview(type), p.path()));
  }
  // Providers are informational and new ones appear (EPT did): kept verbatim.
  NADAJNIK_ASSIGN_OR_RETURN(out.provider, p.Text("provider", kCodeBytes));
  NADAJNIK_ASSIGN_OR_RETURN(out.paid, p.Price("paidAmount", currency, Need::kOptional));
  NADAJNIK_ASSIGN_OR_RETURN(out.finished_at, p.Time("finishedAt"));
  return out;
}

Result<domain::Delivery> ReadDelivery(const Obj& d, const Currency& currency) {
  domain::Delivery delivery;
  NADAJNIK_ASSIGN_OR_RETURN(auto method, d.Object("method", Need::kOptional));
  if (method) {
    NADAJNIK_ASSIGN_OR_RETURN(delivery.method_id, method->Key("id", kKeyBytes, Need::kOptional));
    NADAJNIK_ASSIGN_OR_RETURN(delivery.method_name, method->Text("name", kNameBytes));
  }
  NADAJNIK_ASSIGN_OR_RETURN(delivery.smart, d.Bool("smart"));
  NADAJNIK_ASSIGN_OR_RETURN(delivery.cost, d.Price("cost", currency, Need::kOptional));
  NADAJNIK_ASSIGN_OR_RETURN(auto address, d.Object("address", Need::kOptional));
  if (address) {
    NADAJNIK_ASSIGN_OR_RETURN(delivery.address, ReadAddress(*address, "zipCode"));
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto point, d.Object("pickupPoint", Need::kOptional));
  if (point) {
    domain::PickupPoint p;
    NADAJNIK_ASSIGN_OR_RETURN(p.id, point->Key("id", kKeyBytes, Need::kOptional));
    NADAJNIK_ASSIGN_OR_RETURN(p.name, point->Text("name", kNameBytes));
    NADAJNIK_ASSIGN_OR_RETURN(p.description, point->Text("description", kDescriptionBytes));
    NADAJNIK_ASSIGN_OR_RETURN(auto point_address, point->Object("address", Need::kOptional));
    if (point_address) {
      NADAJNIK_ASSIGN_OR_RETURN(p.address, ReadAddress(*point_address, "zipCode"));
    }
    delivery.pickup_point = std::move(p);
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto time, d.Object("time", Need::kOptional));
  if (time) {
    NADAJNIK_ASSIGN_OR_RETURN(auto dispatch, time->Object("dispatch", Need::kOptional));
    if (dispatch) {
      NADAJNIK_ASSIGN_OR_RETURN(delivery.dispatch_by, dispatch->Time("to"));
    }
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto packages, d.Integer("calculatedNumberOfPackages"));
  if (packages) {
    if (*packages < 0 || *packages > kMaxPackages) {
      return Invalid(
          d.PathOf("calculatedNumberOfPackages"),
          fmt::format("{} is not a number of packages (0..{})", *packages, kMaxPackages));
    }
    // 0 means "not calculated"; a shipment has at least one package.
    delivery.packages = std::max<int>(1, static_cast<int>(*packages));
  }
  return delivery;
}

Result<domain::InvoiceRequest> ReadInvoice(const Obj& inv) {
  domain::InvoiceRequest invoice;
  NADAJNIK_ASSIGN_OR_RETURN(invoice.required, inv.Bool("required"));
  NADAJNIK_ASSIGN_OR_RETURN(auto address, inv.Object("address", Need::kOptional));
  if (!address) return invoice;
  NADAJNIK_ASSIGN_OR_RETURN(invoice.address, ReadAddress(*address, "zipCode"));
  NADAJNIK_ASSIGN_OR_RETURN(auto company, address->Object("company", Need::kOptional));
  if (company) {
    NADAJNIK_ASSIGN_OR_RETURN(invoice.company_name, company->Text("name", kNameBytes));
    invoice.address.company = invoice.company_name;
    NADAJNIK_ASSIGN_OR_RETURN(invoice.tax_id, company->Key("taxId", kKeyBytes, Need::kOptional));
    NADAJNIK_ASSIGN_OR_RETURN(const json::array* ids, company->Array("ids", Need::kOptional));
    if (ids) {
      const std::string ids_path = company->PathOf("ids");
      // Tax id types are kept verbatim (new ones appear with new marketplaces); beyond the
      // first few, ids are dropped rather than failing the order.
      for (std::size_t i = 0; i < ids->size() && i < kMaxTaxIdsKept; ++i) {
        NADAJNIK_ASSIGN_OR_RETURN(Obj id, ElementObject(*ids, i, ids_path));
        domain::TaxId tax_id;
        NADAJNIK_ASSIGN_OR_RETURN(tax_id.type, id.Key("type", kCodeBytes, Need::kOptional));
        NADAJNIK_ASSIGN_OR_RETURN(tax_id.value, id.Key("value", kKeyBytes, Need::kOptional));
        if (!tax_id.value.empty()) invoice.tax_ids.push_back(std::move(tax_id));
      }
    }
    // taxId is deprecated in favour of ids[]: without it, the first typed id stands in.
    if (invoice.tax_id.empty() && !invoice.tax_ids.empty()) {
      invoice.tax_id = invoice.tax_ids.front().value;
    }
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto person, address->Object("naturalPerson", Need::kOptional));
  if (person) {
    NADAJNIK_ASSIGN_OR_RETURN(invoice.address.first_name, person->Text("firstName", kNameBytes));
    NADAJNIK_ASSIGN_OR_RETURN(invoice.address.last_name, person->Text("lastName", kNameBytes));
  }
  return invoice;
}

Result<domain::LineItem> ReadLineItem(const Obj& li, const Currency& currency) {
  domain::LineItem item;
  NADAJNIK_ASSIGN_OR_RETURN(std::string id, li.Key("id", kKeyBytes, Need::kRequired));
  item.id = LineItemId(std::move(id));
  NADAJNIK_ASSIGN_OR_RETURN(auto offer, li.Object("offer", Need::kOptional));
  if (offer) {
    NADAJNIK_ASSIGN_OR_RETURN(item.offer_id, offer->Key("id", kKeyBytes, Need::kOptional));
    NADAJNIK_ASSIGN_OR_RETURN(item.offer_name, offer->Text("name", kNameBytes));
    NADAJNIK_ASSIGN_OR_RETURN(auto external, offer->Object("external", Need::kOptional));
    if (external) {
      NADAJNIK_ASSIGN_OR_RETURN(item.external_id, external->Key("id", kSkuBytes, Need::kOptional));
    }
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto quantity, li.Integer("quantity"));
  if (!quantity) return Missing(li.PathOf("quantity"));
  if (*quantity < 1 || *quantity > kMaxQuantity) {
    return Invalid(li.PathOf("quantity"),
                   fmt::format("{} is not a quantity (1..{})", *quantity, kMaxQuantity));
  }
  item.quantity = static_cast<int>(*quantity);
  NADAJNIK_ASSIGN_OR_RETURN(auto price, li.Price("price", currency, Need::kRequired));
  item.unit_price = *price;
  NADAJNIK_ASSIGN_OR_RETURN(item.original_unit_price,
                            li.Price("originalPrice", currency, Need::kOptional));
  NADAJNIK_ASSIGN_OR_RETURN(item.bought_at, li.Time("boughtAt"));
  NADAJNIK_ASSIGN_OR_RETURN(const json::array* discounts, li.Array("discounts", Need::kOptional));
  if (discounts) {
    const std::string discounts_path = li.PathOf("discounts");
    // Discount types are informational: unknown ones are kept verbatim, extra ones dropped.
    for (std::size_t i = 0; i < discounts->size() && i < kMaxDiscountsKept; ++i) {
      NADAJNIK_ASSIGN_OR_RETURN(Obj discount, ElementObject(*discounts, i, discounts_path));
      NADAJNIK_ASSIGN_OR_RETURN(std::string type,
                                discount.Key("type", kCodeBytes, Need::kOptional));
      if (!type.empty()) item.discounts.push_back(std::move(type));
    }
  }
  return item;
}

// marketplace.id names the site of purchase. A missing or unknown id is decided from the order's
// currency, since all its amounts are in the site's currency: CZK -> allegro-cz, EUR ->
// allegro-sk, HUF -> allegro-hu, and PLN or anything else -> allegro-pl (the base marketplace).
// The business variants ("allegro-business-cz") land on their country the same way.
domain::Marketplace DecideMarketplace(std::string_view id, const Currency& currency) {
  if (auto m = domain::ParseMarketplace(id)) return *m;
  for (auto m : {domain::Marketplace::kAllegroCz, domain::Marketplace::kAllegroSk,
                 domain::Marketplace::kAllegroHu}) {
    if (domain::MarketplaceCurrency(m) == currency) return m;
  }
  return domain::Marketplace::kAllegroPl;
}

Result<void> MapForm(const Obj& form, domain::Order& order) {
  Attention attention;
  NADAJNIK_ASSIGN_OR_RETURN(std::string id, form.Key("id", kKeyBytes, Need::kRequired));
  order.checkout_form_id = CheckoutFormId(std::move(id));
  NADAJNIK_ASSIGN_OR_RETURN(order.revision, form.Key("revision", kKeyBytes, Need::kOptional));

  // The total comes first: its currency is the order's, and every other amount must match it.
  NADAJNIK_ASSIGN_OR_RETURN(auto summary, form.Object("summary", Need::kRequired));
  NADAJNIK_ASSIGN_OR_RETURN(auto total, summary->Price("totalToPay", Currency(), Need::kRequired));
  order.total = *total;
  const Currency currency = order.total.currency;

  NADAJNIK_ASSIGN_OR_RETURN(auto status, form.Key("status", kCodeBytes, Need::kRequired));
  if (auto parsed = domain::ParseCheckoutStatus(status)) {
    order.checkout_status = *parsed;
  } else {
    // A status we don't know must not start fulfilment: it reads as BOUGHT (not ready to ship)
    // until a revision with a known status arrives.
    order.checkout_status = domain::CheckoutStatus::kBought;
    attention.Add(
        fmt::format("Allegro sent an unknown order status '{}' (status): treated as "
                    "BOUGHT, not ready to ship; check the order in Allegro",
                    Preview(status)));
  }

  NADAJNIK_ASSIGN_OR_RETURN(auto fulfillment, form.Object("fulfillment", Need::kOptional));
  if (fulfillment) {
    NADAJNIK_ASSIGN_OR_RETURN(auto fstatus,
                              fulfillment->Key("status", kCodeBytes, Need::kOptional));
    if (auto parsed = domain::ParseFulfillmentStatus(fstatus)) {
      order.fulfillment_status = *parsed;
    } else if (!fstatus.empty()) {
      // Allegro adds seller statuses from time to time (RETURNED, set automatically, was one).
      // NEW would invite the hub to process the order and push its own status over Allegro's;
      // SUSPENDED ("on hold") keeps everything hands-off until the seller looks.
      order.fulfillment_status = domain::FulfillmentStatus::kSuspended;
      attention.Add(
          fmt::format("Allegro sent an unknown fulfilment status '{}' "
                      "(fulfillment.status): shown as SUSPENDED; check the order in "
                      "Allegro",
                      Preview(fstatus)));
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto provider, fulfillment->Object("provider", Need::kOptional));
    if (provider) {
      NADAJNIK_ASSIGN_OR_RETURN(auto pid, provider->Key("id", kCodeBytes, Need::kOptional));
      if (pid.empty() || pid == "SELLER") {
        order.fulfillment_provider = domain::FulfillmentProvider::kSeller;
      } else if (pid == "ALLEGRO") {
        order.fulfillment_provider = domain::FulfillmentProvider::kAllegro;
      } else {
        // Someone other than the seller manages the order: shipping it too could send the goods
        // twice, so it is read-only like One Fulfillment.
        order.fulfillment_provider = domain::FulfillmentProvider::kAllegro;
        attention.Add(
            fmt::format("Allegro sent an unknown fulfilment provider '{}' "
                        "(fulfillment.provider.id): treated as ALLEGRO, read-only",
                        Preview(pid)));
      }
    }
  }

  NADAJNIK_ASSIGN_OR_RETURN(auto buyer, form.Object("buyer", Need::kRequired));
  NADAJNIK_ASSIGN_OR_RETURN(order.buyer, ReadBuyer(*buyer));

  NADAJNIK_ASSIGN_OR_RETURN(auto delivery, form.Object("delivery", Need::kOptional));
  if (delivery) {
    NADAJNIK_ASSIGN_OR_RETURN(order.delivery, ReadDelivery(*delivery, currency));
  }

  NADAJNIK_ASSIGN_OR_RETURN(auto payment, form.Object("payment", Need::kOptional));
  if (payment) {
    NADAJNIK_ASSIGN_OR_RETURN(order.payment,
                              ReadPayment<domain::Payment>(*payment, currency, attention));
  }

  NADAJNIK_ASSIGN_OR_RETURN(auto invoice, form.Object("invoice", Need::kOptional));
  if (invoice) {
    NADAJNIK_ASSIGN_OR_RETURN(order.invoice, ReadInvoice(*invoice));
  }

  NADAJNIK_ASSIGN_OR_RETURN(const json::array* items, form.Array("lineItems", Need::kRequired));
  if (items->empty()) return Invalid("lineItems", "is empty; a checkout form buys something");
  if (items->size() > kMaxLineItems) {
    return Invalid("lineItems", fmt::format("{} line items, at most {} are accepted", items->size(),
                                            kMaxLineItems));
  }
  order.items.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    NADAJNIK_ASSIGN_OR_RETURN(Obj li, ElementObject(*items, i, "lineItems"));
    NADAJNIK_ASSIGN_OR_RETURN(auto item, ReadLineItem(li, currency));
    order.items.push_back(std::move(item));
  }

  NADAJNIK_ASSIGN_OR_RETURN(const json::array* surcharges,
                            form.Array("surcharges", Need::kRequired));
  if (surcharges->size() > kMaxSurcharges) {
    return Invalid("surcharges", fmt::format("{} surcharges, at most {} are accepted",
                                             surcharges->size(), kMaxSurcharges));
  }
  for (std::size_t i = 0; i < surcharges->size(); ++i) {
    NADAJNIK_ASSIGN_OR_RETURN(Obj s, ElementObject(*surcharges, i, "surcharges"));
    NADAJNIK_ASSIGN_OR_RETURN(auto surcharge,
                              ReadPayment<domain::Surcharge>(s, currency, attention));
    order.surcharges.push_back(std::move(surcharge));
  }

  NADAJNIK_ASSIGN_OR_RETURN(order.buyer_note, form.Text("messageToSeller", kNoteBytes));
  NADAJNIK_ASSIGN_OR_RETURN(auto note, form.Object("note", Need::kOptional));
  if (note) {
    NADAJNIK_ASSIGN_OR_RETURN(order.seller_note, note->Text("text", kNoteBytes));
  }

  NADAJNIK_ASSIGN_OR_RETURN(auto marketplace, form.Object("marketplace", Need::kOptional));
  std::string marketplace_id;
  if (marketplace) {
    NADAJNIK_ASSIGN_OR_RETURN(marketplace_id, marketplace->Key("id", kCodeBytes, Need::kOptional));
  }
  order.marketplace = DecideMarketplace(marketplace_id, currency);

  // bought_at is the first purchase act of the form (a merged form holds several).
  std::optional<Timestamp> latest_bought;
  for (const auto& item : order.items) {
    if (!item.bought_at) continue;
    if (!order.bought_at || *item.bought_at < *order.bought_at) order.bought_at = item.bought_at;
    if (!latest_bought || *item.bought_at > *latest_bought) latest_bought = item.bought_at;
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto updated, form.Time("updatedAt"));
  // Without updatedAt, the latest purchase is the newest moment the form is known to have
  // changed; without that either, the epoch (any later revision that has one wins over it).
  order.remote_updated_at = updated ? *updated : latest_bought.value_or(Timestamp{});

  attention.ApplyTo(order);
  return domain::ValidateOrder(order);
}

}  // namespace

Result<domain::Order> MapCheckoutForm(const boost::json::value& form, AccountId account) {
  NADAJNIK_ASSIGN_OR_RETURN(Obj root, RootObject(form, "checkout form"));
  domain::Order order;
  order.account_id = account;
  auto mapped = MapForm(root, order);
  if (!mapped) {
    Error e = std::move(mapped).error();
    if (!order.checkout_form_id.empty()) {
      e.details = fmt::format("checkout form {}{}{}", order.checkout_form_id.value,
                              e.details.empty() ? "" : ": ", e.details);
    }
    return Fail(std::move(e));
  }
  return order;
}

RemoteOrder MapCheckoutFormBody(std::string_view body, AccountId account) {
  RemoteOrder out;
  out.raw_json = BoundRawJson(body);
  auto parsed = ParseBody(body, "checkout form");
  if (!parsed) {
    out.order = Fail(std::move(parsed).error());
    return out;
  }
  if (parsed->is_object()) {
    Obj form(parsed->get_object(), "");
    if (auto id = form.Key("id", kKeyBytes, Need::kRequired)) out.id = CheckoutFormId(*id);
  }
  out.order = MapCheckoutForm(*parsed, account);
  return out;
}

Result<OrderPage> MapCheckoutFormList(std::string_view body, AccountId account) {
  NADAJNIK_ASSIGN_OR_RETURN(json::value parsed, ParseBody(body, "checkout form list"));
  NADAJNIK_ASSIGN_OR_RETURN(Obj root, RootObject(parsed, "checkout form list"));
  NADAJNIK_ASSIGN_OR_RETURN(const json::array* forms, root.Array("checkoutForms", Need::kRequired));
  if (forms->size() > kMaxFormsPerPage) {
    return Invalid("checkoutForms", fmt::format("{} forms on one page, at most {} are accepted",
                                                forms->size(), kMaxFormsPerPage));
  }
  // totalCount drives paging: a page without it can't say whether more follow.
  NADAJNIK_ASSIGN_OR_RETURN(auto total, root.Integer("totalCount"));
  if (!total) return Missing("totalCount");
  if (*total < 0) return Invalid("totalCount", fmt::format("{} is negative", *total));
  OrderPage page;
  page.total_count = *total;
  page.orders.reserve(forms->size());
  for (std::size_t i = 0; i < forms->size(); ++i) {
    const json::value& form = (*forms)[i];
    RemoteOrder remote;
    remote.raw_json = BoundRawJson(json::serialize(form));
    if (form.is_object()) {
      Obj o(form.get_object(), "");
      if (auto id = o.Key("id", kKeyBytes, Need::kRequired)) remote.id = CheckoutFormId(*id);
    }
    remote.order = MapCheckoutForm(form, account);
    if (!remote.order) {
      remote.order.error().details =
          fmt::format("checkoutForms[{}]{}{}", i, remote.order.error().details.empty() ? "" : ": ",
                      remote.order.error().details);
    }
    page.orders.push_back(std::move(remote));
  }
  return page;
}

Result<std::vector<JournalEvent>> MapEvents(std::string_view body) {
  NADAJNIK_ASSIGN_OR_RETURN(json::value parsed, ParseBody(body, "order events"));
  NADAJNIK_ASSIGN_OR_RETURN(Obj root, RootObject(parsed, "order events"));
  NADAJNIK_ASSIGN_OR_RETURN(const json::array* events, root.Array("events", Need::kRequired));
  if (events->size() > kMaxEventsPerPage) {
    return Invalid("events", fmt::format("{} events on one page, at most {} are accepted",
                                         events->size(), kMaxEventsPerPage));
  }
  std::vector<JournalEvent> out;
  out.reserve(events->size());
  for (std::size_t i = 0; i < events->size(); ++i) {
    NADAJNIK_ASSIGN_OR_RETURN(Obj e, ElementObject(*events, i, "events"));
    JournalEvent event;
    NADAJNIK_ASSIGN_OR_RETURN(event.id, e.Key("id", kKeyBytes, Need::kRequired));
    // Unknown types are kept verbatim: the caller decides what they mean.
    NADAJNIK_ASSIGN_OR_RETURN(event.type, e.Key("type", kCodeBytes, Need::kRequired));
    NADAJNIK_ASSIGN_OR_RETURN(auto occurred, e.Time("occurredAt"));
    if (!occurred) return Missing(e.PathOf("occurredAt"));
    event.occurred_at = *occurred;
    // The rest only helps: a malformed checkoutForm or lineItems reads as absent rather than
    // stalling the journal (the periodic reconciliation finds what an event could not name).
    auto order = e.Object("order", Need::kOptional);
    if (order && *order) {
      auto form = (*order)->Object("checkoutForm", Need::kOptional);
      if (form && *form) {
        auto id = (*form)->Key("id", kKeyBytes, Need::kOptional);
        auto revision = (*form)->Key("revision", kKeyBytes, Need::kOptional);
        if (id) event.checkout_form_id = CheckoutFormId(*id);
        if (id && revision) event.revision = *revision;
      }
      auto items = (*order)->Array("lineItems", Need::kOptional);
      if (items && *items) {
        const std::string items_path = (*order)->PathOf("lineItems");
        for (std::size_t k = 0; k < (*items)->size() && k < kMaxLineItems; ++k) {
          auto li = ElementObject(**items, k, items_path);
          if (!li) continue;
          auto id = li->Key("id", kKeyBytes, Need::kRequired);
          if (id) event.line_items.push_back(LineItemId(*id));
        }
      }
    }
    out.push_back(std::move(event));
  }
  return out;
}

Result<std::string> MapEventStats(std::string_view body) {
  NADAJNIK_ASSIGN_OR_RETURN(json::value parsed, ParseBody(body, "order event stats"));
  NADAJNIK_ASSIGN_OR_RETURN(Obj root, RootObject(parsed, "order event stats"));
  NADAJNIK_ASSIGN_OR_RETURN(auto latest, root.Object("latestEvent", Need::kOptional));
  if (!latest) return std::string();  // the seller has no events yet
  return latest->Key("id", kKeyBytes, Need::kRequired);
}

namespace {

Result<Waybill> ReadWaybill(const Obj& o) {
  Waybill w;
  NADAJNIK_ASSIGN_OR_RETURN(w.id, o.Key("id", 200, Need::kOptional));
  NADAJNIK_ASSIGN_OR_RETURN(w.waybill, o.Key("waybill", 64, Need::kRequired));
  NADAJNIK_ASSIGN_OR_RETURN(w.carrier_id, o.Key("carrierId", kCodeBytes, Need::kRequired));
  NADAJNIK_ASSIGN_OR_RETURN(w.carrier_name, o.Text("carrierName", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(auto items, o.Array("lineItems", Need::kOptional));
  if (items) {
    for (std::size_t i = 0; i < items->size() && i < kMaxLineItems; ++i) {
      NADAJNIK_ASSIGN_OR_RETURN(Obj item, ElementObject(*items, i, "lineItems"));
      NADAJNIK_ASSIGN_OR_RETURN(auto id, item.Key("id", kKeyBytes, Need::kRequired));
      w.line_items.emplace_back(id);
    }
  }
  return w;
}

}  // namespace

Result<std::vector<Waybill>> MapWaybills(std::string_view body) {
  NADAJNIK_ASSIGN_OR_RETURN(json::value parsed, ParseBody(body, "shipments of a checkout form"));
  NADAJNIK_ASSIGN_OR_RETURN(Obj root, RootObject(parsed, "shipments of a checkout form"));
  NADAJNIK_ASSIGN_OR_RETURN(auto list, root.Array("shipments", Need::kRequired));
  std::vector<Waybill> out;
  for (std::size_t i = 0; i < list->size() && i < 1000; ++i) {
    NADAJNIK_ASSIGN_OR_RETURN(Obj item, ElementObject(*list, i, "shipments"));
    NADAJNIK_ASSIGN_OR_RETURN(auto w, ReadWaybill(item));
    out.push_back(std::move(w));
  }
  return out;
}

Result<Waybill> MapWaybill(std::string_view body) {
  NADAJNIK_ASSIGN_OR_RETURN(json::value parsed, ParseBody(body, "added shipment"));
  NADAJNIK_ASSIGN_OR_RETURN(Obj root, RootObject(parsed, "added shipment"));
  return ReadWaybill(root);
}

std::string WaybillBody(const Waybill& w) {
  json::object body{{"carrierId", w.carrier_id}, {"waybill", w.waybill}};
  // carrierName is for OTHER only (at most 30 characters).
  body["carrierName"] = w.carrier_id == "OTHER" ? json::value(TruncateUtf8(w.carrier_name, 30))
                                                : json::value(nullptr);
  if (!w.line_items.empty()) {
    json::array items;
    for (const auto& id : w.line_items) items.push_back(json::object{{"id", id.value}});
    body["lineItems"] = std::move(items);
  }
  return json::serialize(body);
}

Result<SellerProfile> MapMe(std::string_view body) {
  NADAJNIK_ASSIGN_OR_RETURN(json::value parsed, ParseBody(body, "/me"));
  NADAJNIK_ASSIGN_OR_RETURN(Obj root, RootObject(parsed, "/me"));
  SellerProfile me;
  NADAJNIK_ASSIGN_OR_RETURN(me.id, root.Key("id", kKeyBytes, Need::kRequired));
  NADAJNIK_ASSIGN_OR_RETURN(me.login, root.Text("login", kNameBytes));
  NADAJNIK_ASSIGN_OR_RETURN(auto base, root.Object("baseMarketplace", Need::kOptional));
  if (base) {
    NADAJNIK_ASSIGN_OR_RETURN(me.base_marketplace, base->Key("id", kCodeBytes, Need::kOptional));
  }
  // Every seller registered before allegro.cz opened (May 2023) is an allegro.pl seller.
  if (me.base_marketplace.empty()) me.base_marketplace = "allegro-pl";
  return me;
}

std::string FulfillmentBody(domain::FulfillmentStatus status) {
  // CheckoutFormFulfillment has no required member and Allegro reads only status;
  // shipmentSummary is computed by Allegro from the tracking numbers, so it is not sent.
  return json::serialize(json::object{{"status", domain::FulfillmentStatusName(status)}});
}

namespace {

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '~' || c == '+' || c == '/' || c == '=';
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

// Does this run of token characters look like a secret? Access and refresh tokens are long
// base64/hex strings (JWTs start with "eyJ"); Allegro's own words are not: exception names
// ("CheckoutFormNotFoundException") carry no digit, and ids in messages are UUIDs.
bool LooksOpaque(std::string_view run) {
  if (run.size() < 24 || IsUuid(run)) return false;
  if (run.size() >= 48 || run.starts_with("eyJ")) return true;
  return std::any_of(run.begin(), run.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Replaces each opaque-looking run of token characters by "[redacted]".
std::string RedactOpaque(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!IsTokenChar(s[i])) {
      out += s[i++];
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && IsTokenChar(s[j])) ++j;
    const std::string_view run = s.substr(i, j - i);
    out += LooksOpaque(run) ? std::string_view("[redacted]") : run;
    i = j;
  }
  return out;
}

// Printable, single-line, without secrets, bounded.
std::string SafeText(std::string_view s, std::size_t max_bytes) {
  std::string printable = Sanitize(s.substr(0, max_bytes * 4), "?", true);
  std::string collapsed;
  for (char c : printable) {
    if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed += c;
  }
  while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
  return TruncateUtf8(RedactOpaque(collapsed), max_bytes);
}

std::string StringMember(const json::object& o, std::string_view key) {
  auto it = o.find(json::string_view(key.data(), key.size()));
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(View(it->value().get_string()));
}

std::optional<std::string> DescribeErrorsHolder(const json::object& o) {
  auto it = o.find("errors");
  if (it == o.end() || !it->value().is_array()) return std::nullopt;
  const json::array& errors = it->value().get_array();
  if (errors.empty() || !errors[0].is_object()) return std::nullopt;
  const json::object& first = errors[0].get_object();
  const std::string code = SafeText(StringMember(first, "code"), kCodeBytes);
  std::string message = SafeText(StringMember(first, "message"), kErrorDescriptionBytes);
  if (message.empty()) {
    message = SafeText(StringMember(first, "userMessage"), kErrorDescriptionBytes);
  }
  std::string out = code.empty() ? message : message.empty() ? code : code + ": " + message;
  if (out.empty()) out = "an error without code or message";
  if (errors.size() > 1) out += fmt::format(" (+{} more)", errors.size() - 1);
  return out;
}

std::optional<std::string> DescribeAuthError(const json::object& o) {
  auto it = o.find("error");
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  const std::string error = SafeText(View(it->value().get_string()), kCodeBytes);
  std::string description = StringMember(o, "error_description");
  // Allegro puts the token itself after the colon: "Access token expired: eyJ...",
  // "Invalid refresh token: <token>". What precedes the colon says it all.
  if (error == "invalid_token" || error == "invalid_grant") {
    description = description.substr(0, description.find(':'));
  }
  description = SafeText(description, kErrorDescriptionBytes);
  if (description.empty()) return error;
  return error + ": " + description;
}

}  // namespace

std::string DescribeErrorBody(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return "empty response body";
  boost::system::error_code ec;
  json::value v;
  if (body.size() <= kMaxBodyBytes) {
    json::parse_options options;
    options.allow_invalid_utf8 = true;
    v = json::parse(json::string_view(body.data(), body.size()), ec, {}, options);
  }
  if (!ec && v.is_object()) {
    if (auto d = DescribeErrorsHolder(v.get_object())) return *d;
    if (auto d = DescribeAuthError(v.get_object())) return *d;
  }
  return SafeText(body.substr(0, kRawErrorBytes), kRawErrorBytes);
}

}  // namespace nadajnik::marketplace::allegro
