#include "sandbox/inpost/simulator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <mutex>
#include <regex>
#include <variant>

#include <fmt/format.h>

#include "core/money.hpp"
#include "core/text.hpp"
#include "documents/labels.hpp"
#include "sandbox/allegro/generator.hpp"

namespace nadajnik::sandbox::inpost {

namespace json = boost::json;
using http::Request;
using http::Response;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kPrefix = "/inpost";
constexpr std::string_view kPublicHost = "https://api-shipx-pl.easypack24.net";

// ---- the seeded dictionaries -------------------------------------------------------------

struct Point {
  const char* name;
  const char* kind;  // parcel_locker or pop
  const char* city;
  const char* post_code;
  const char* street;
  const char* building;
  double lat;
  double lng;
};
constexpr std::array<Point, 10> kPoints = {{
    {"KRA010", "parcel_locker", "Kraków", "30-624", "Malborska", "130", 50.0275, 19.9869},
    {"KRA01M", "parcel_locker", "Kraków", "31-154", "Warszawska", "24", 50.0697, 19.9436},
    {"POZ08A", "parcel_locker", "Poznań", "61-888", "Półwiejska", "2", 52.4019, 16.9251},
    {"POZ224M", "parcel_locker", "Poznań", "60-101", "Głogowska", "71", 52.3953, 16.8954},
    {"WAW22A", "parcel_locker", "Warszawa", "00-695", "Nowogrodzka", "31", 52.2283, 21.0107},
    {"WAW01N", "parcel_locker", "Warszawa", "02-001", "Aleje Jerozolimskie", "100", 52.2250,
     20.9960},
    {"GDA05N", "parcel_locker", "Gdańsk", "80-001", "Grunwaldzka", "82", 54.3789, 18.6070},
    {"WRO11A", "parcel_locker", "Wrocław", "50-001", "Świdnicka", "8", 51.1079, 17.0325},
    {"KRA000", "parcel_locker", "Kraków", "33-333", "Reymonta", "999", 50.26899, 18.97812},
    {"POP-WAW364", "pop", "Warszawa", "00-120", "Złota", "59", 52.2297, 21.0030},
}};

// The seeded points, and every locker the Allegro simulator offers buyers (as real InPost
// knows every locker Allegro lists): those are made up from their id, once, and kept.
const Point* FindPoint(std::string_view name) {
  for (const auto& p : kPoints) {
    if (name == p.name) return &p;
  }
  auto generated = allegro::FindGeneratedLocker(name);
  if (!generated) return nullptr;
  struct Made {
    std::string name, city, post_code;
    Point point;
  };
  static std::mutex mu;
  static std::deque<Made> made;
  std::lock_guard lock(mu);
  for (const auto& m : made) {
    if (m.name == name) return &m.point;
  }
  auto& m = made.emplace_back();
  m.name = std::string(name);
  m.city = generated->city;
  m.post_code = generated->postal_code;
  m.point = {m.name.c_str(), "parcel_locker",
             m.city.c_str(), m.post_code.c_str(),
             "Główna",       "1",
             52.0,           19.0};
  return &m.point;
}

constexpr std::array kLockerServices = {
    "inpost_locker_standard",  "inpost_locker_standard_smart",
    "inpost_locker_allegro",   "inpost_locker_allegro_smart",
    "inpost_locker_pass_thru", "inpost_locker_customer_service_point",
};
constexpr std::array kCourierServices = {
    "inpost_letter_allegro",
    "inpost_courier_allegro",
    "inpost_courier_c2c",
    "inpost_courier_standard",
    "inpost_courier_express_1000",
    "inpost_courier_express_1200",
    "inpost_courier_express_1700",
    "inpost_courier_palette",
    "inpost_courier_local_standard",
    "inpost_courier_local_express",
    "inpost_courier_local_super_express",
};
constexpr std::array kZpl300Services = {
    "inpost_locker_standard", "inpost_locker_allegro",  "inpost_locker_pass_thru",
    "inpost_letter_allegro",  "inpost_courier_allegro", "inpost_courier_c2c",
};

template <std::size_t N>
bool In(const std::array<const char*, N>& list, std::string_view s) {
  return std::any_of(list.begin(), list.end(), [&](const char* x) { return s == x; });
}
bool IsLocker(std::string_view s) { return In(kLockerServices, s); }
bool IsCourier(std::string_view s) { return In(kCourierServices, s); }

// Section 2.8, in its order.
constexpr std::array kStatuses = {
    "created",
    "offers_prepared",
    "offer_selected",
    "confirmed",
    "dispatched_by_sender",
    "dispatched_by_sender_to_pok",
    "collected_from_sender",
    "taken_by_courier",
    "taken_by_courier_from_pok",
    "adopted_at_source_branch",
    "sent_from_source_branch",
    "adopted_at_sorting_center",
    "sent_from_sorting_center",
    "adopted_at_target_branch",
    "out_for_delivery",
    "out_for_delivery_to_address",
    "delay_in_delivery",
    "redirect_to_box",
    "canceled_redirect_to_box",
    "readdressed",
    "ready_to_pickup",
    "ready_to_pickup_from_pok",
    "ready_to_pickup_from_pok_registered",
    "ready_to_pickup_from_branch",
    "pickup_reminder_sent",
    "pickup_reminder_sent_address",
    "stack_in_box_machine",
    "stack_in_customer_service_point",
    "courier_avizo_in_customer_service_point",
    "unstack_from_box_machine",
    "unstack_from_customer_service_point",
    "stack_parcel_pickup_time_expired",
    "stack_parcel_in_box_machine_pickup_time_expired",
    "delivered",
    "pickup_time_expired",
    "avizo",
    "rejected_by_receiver",
    "undelivered",
    "undelivered_wrong_address",
    "undelivered_incomplete_address",
    "undelivered_unknown_receiver",
    "undelivered_cod_cash_receiver",
    "undelivered_no_mailbox",
    "undelivered_not_live_address",
    "undelivered_lack_of_access_letterbox",
    "oversized",
    "returned_to_sender",
    "return_pickup_confirmation_to_sender",
    "claimed",
    "missing",
    "canceled",
    "other",
};

constexpr std::array kLockerJourney = {
    "dispatched_by_sender",      "taken_by_courier",
    "adopted_at_source_branch",  "sent_from_source_branch",
    "adopted_at_sorting_center", "sent_from_sorting_center",
    "adopted_at_target_branch",  "out_for_delivery",
    "ready_to_pickup",           "delivered",
};
constexpr std::array kCourierJourney = {
    "collected_from_sender",
    "taken_by_courier",
    "adopted_at_source_branch",
    "sent_from_source_branch",
    "adopted_at_sorting_center",
    "sent_from_sorting_center",
    "adopted_at_target_branch",
    "out_for_delivery_to_address",
    "delivered",
};

// The internal logistic codes; only PPN and NWP are in the reference, the rest are made up.
std::string OriginStatus(std::string_view status) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kCodes = {
      {"confirmed", "PPN"},
      {"dispatched_by_sender", "NWP"},
      {"collected_from_sender", "PWP"},
      {"taken_by_courier", "PDK"},
      {"adopted_at_source_branch", "PRO"},
      {"sent_from_source_branch", "WOD"},
      {"adopted_at_sorting_center", "PSC"},
      {"sent_from_sorting_center", "WSC"},
      {"adopted_at_target_branch", "PDO"},
      {"out_for_delivery", "WDR"},
      {"out_for_delivery_to_address", "WDA"},
      {"ready_to_pickup", "PPP"},
      {"delivered", "DOR"},
      {"returned_to_sender", "ZWN"},
  };
  for (const auto& [k, v] : kCodes) {
    if (k == status) return std::string(v);
  }
  return "OTH";
}

// ---- time, JSON and errors ------------------------------------------------------------------

Timestamp Now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// "2020-02-23T18:07:08.967+01:00" in Warsaw time, as ShipX writes it.
std::string WireTime(Timestamp t) {
  const auto offset = UtcOffset(t);
  const auto local = t + offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{local - day};
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(offset).count();
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}{}{:02d}:{:02d}",
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count(), hms.subseconds().count(), minutes < 0 ? '-' : '+',
                     std::abs(minutes) / 60, std::abs(minutes) % 60);
}

Response Json(int status, const json::value& v) {
  return Response::Json(status, json::serialize(v));
}

// Section 2.9: {status, error, message, details}.
Response ShipxError(int status, std::string_view error, std::string_view message,
                    json::object details = {}) {
  return Json(status, json::object{{"status", status},
                                   {"error", error},
                                   {"message", message},
                                   {"details", std::move(details)}});
}

Response NotFound() { return ShipxError(404, "resource_not_found", "Resource not found."); }

// Adds `key` at a ShipX details path: nested objects are wrapped in one-element arrays, and a
// "#N" segment is an array item keyed by its index string (not wrapped), as in section 2.9's
// parcels[0]["0"].dimensions[0].width.
void AddDetail(json::object& node, std::vector<std::string> path, std::string_view key) {
  const std::string head = path.front();
  path.erase(path.begin());
  if (head.starts_with('#')) {
    auto& child = node[head.substr(1)];
    if (!child.is_object()) child = json::object{};
    AddDetail(child.as_object(), std::move(path), key);
    return;
  }
  auto& slot = node[head];
  if (!slot.is_array()) slot = json::array{};
  auto& arr = slot.as_array();
  if (path.empty()) {
    arr.push_back(json::string(key));
    return;
  }
  if (arr.empty() || !arr.back().is_object()) arr.push_back(json::object{});
  AddDetail(arr.back().as_object(), std::move(path), key);
}

const json::value* Find(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

std::string Str(const json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::object* Obj(const json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// A JSON number or decimal text as a double.
std::optional<double> Number(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_string()) {
    static const std::regex decimal(R"(^-?[0-9]+(\.[0-9]+)?$)");
    std::string s(v->get_string());
    if (std::regex_match(s, decimal)) return std::stod(s);
  }
  return std::nullopt;
}

std::string PlAmount(std::int64_t minor) {
  return fmt::format("{},{:02d} zł", minor / 100, minor % 100);
}

std::string Lower(std::string_view s) { return AsciiLower(s); }

// ---- authorisation --------------------------------------------------------------------------

struct Caller {
  const InPostOrganization* organization = nullptr;
};

std::variant<Caller, Response> Authorize(InPostWorld& world, const Request& req) {
  const std::string header(req.Header("Authorization").value_or(""));
  const std::string_view prefix = "Bearer ";
  if (header.size() > prefix.size() && header.compare(0, prefix.size(), prefix) == 0) {
    const std::string token = header.substr(prefix.size());
    for (const auto& org : world.options.organizations) {
      if (org.token == token) return Caller{&org};
    }
  }
  // The reference documents 401 for a bad or missing token, not its error key.
  return ShipxError(401, "token_invalid",
                    "Token is missing or invalid. Generate one in the Manager: My account > API.");
}

// The path's organization must exist (404) and be the token's (403).
std::optional<Response> CheckOrganization(const InPostWorld& world, const Caller& caller,
                                          const Request& req) {
  const std::string org = req.PathParam("org").value_or("");
  const bool exists =
      std::any_of(world.options.organizations.begin(), world.options.organizations.end(),
                  [&](const InPostOrganization& o) { return o.id == org; });
  if (!exists) return NotFound();
  if (caller.organization->id != org) {
    return ShipxError(403, "access_forbidden", "You are not allowed to access this organization.");
  }
  return std::nullopt;
}

// ---- create validation (section 2.3 / 2.4 / 9) ---------------------------------------------

struct Checker {
  json::object details;
  void Add(std::vector<std::string> path, std::string_view key) {
    AddDetail(details, std::move(path), key);
  }
};

bool ValidPostCode(const std::string& s) {
  static const std::regex re(R"(^\d{2}-\d{3}$)");
  return std::regex_match(s, re);
}
bool ValidPhone(const std::string& s) {
  static const std::regex re(R"(^(\+48)?[1-9]\d{8}$)");
  return std::regex_match(s, re);
}
bool ValidEmail(const std::string& s) {
  static const std::regex re(R"(^[^@\s]+@[^@\s]+\.[^@\s]+$)");
  return std::regex_match(s, re);
}

void CheckPeer(Checker& c, const json::object& peer, const std::string& who, bool locker) {
  const std::string phone = Str(peer, "phone");
  const std::string email = Str(peer, "email");
  if (phone.empty()) {
    if (locker || who == "receiver") c.Add({who, "phone"}, "required");
  } else if (!ValidPhone(phone)) {
    c.Add({who, "phone"}, "invalid_format");
  }
  if (email.empty()) {
    if (locker && who == "receiver") c.Add({who, "email"}, "required");
  } else if (!ValidEmail(email)) {
    c.Add({who, "email"}, "invalid_format");
  }
  const bool named = !Str(peer, "company_name").empty() || !Str(peer, "name").empty() ||
                     (!Str(peer, "first_name").empty() && !Str(peer, "last_name").empty());
  const auto* address = Obj(peer, "address");
  if (!locker || who == "sender") {
    if (!named) c.Add({who, "company_name"}, "required");
    if (!address) {
      c.Add({who, "address"}, "required");
      return;
    }
  }
  if (!address) return;
  for (const char* field : {"street", "building_number", "city", "post_code"}) {
    if (Str(*address, field).empty()) c.Add({who, "address", field}, "required");
  }
  const std::string post_code = Str(*address, "post_code");
  if (!post_code.empty() && !ValidPostCode(post_code)) {
    c.Add({who, "address", "post_code"}, "invalid_format");
  }
  const std::string country = Str(*address, "country_code");
  if (!country.empty() && country != "PL") c.Add({who, "address", "country_code"}, "invalid");
}

// Locker templates, mm ascending, and their letters.
struct Template {
  const char* name;
  int dims[3];
};
constexpr std::array<Template, 3> kTemplates = {{
    {"small", {80, 380, 640}},
    {"medium", {190, 380, 640}},
    {"large", {380, 410, 640}},
}};

const Template* FindTemplate(std::string_view name) {
  for (const auto& t : kTemplates) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

std::optional<std::int64_t> MinorOf(const json::object& money) {
  auto amount = Number(Find(money, "amount"));
  if (!amount) return std::nullopt;
  return std::llround(*amount * 100.0);
}

void CheckParcels(Checker& c, const json::object& body, const std::string& service) {
  const bool locker = IsLocker(service);
  const auto* parcels = Find(body, "parcels");
  if (!parcels || !parcels->is_array() || parcels->get_array().empty()) {
    c.Add({"parcels"}, "required");
    return;
  }
  const auto& list = parcels->get_array();
  if (list.size() > 1000 || (locker && list.size() > 1)) {
    c.Add({"parcels"}, "too_long");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string index = "#" + std::to_string(i);
    if (!list[i].is_object()) {
      c.Add({"parcels", index, "template"}, "required");
      continue;
    }
    const auto& parcel = list[i].get_object();
    const std::string tpl = Str(parcel, "template");
    const auto* dims = Obj(parcel, "dimensions");
    if (!tpl.empty() && !FindTemplate(tpl) && tpl != "xlarge" && !tpl.starts_with("letter_")) {
      c.Add({"parcels", index, "template"}, "invalid");
    }
    if (tpl.empty() && !dims) {
      c.Add({"parcels", index, locker ? "template" : "dimensions"}, "required");
    }
    std::array<double, 3> size{};
    if (dims) {
      const char* names[3] = {"length", "width", "height"};
      bool ok = true;
      for (int k = 0; k < 3; ++k) {
        auto v = Number(Find(*dims, names[k]));
        if (!v) {
          c.Add({"parcels", index, "dimensions", names[k]}, "required");
          ok = false;
        } else if (*v <= 0) {
          c.Add({"parcels", index, "dimensions", names[k]}, "too_small");
          ok = false;
        } else {
          size[k] = *v;
        }
      }
      if (ok) {
        std::array<double, 3> sorted = size;
        std::sort(sorted.begin(), sorted.end());
        if (locker) {
          const Template* t = FindTemplate(tpl.empty() ? "large" : tpl);
          if (t && (sorted[0] > t->dims[0] || sorted[1] > t->dims[1] || sorted[2] > t->dims[2])) {
            c.Add({"parcels", index, "dimensions", "height"}, "too_big");
          }
        } else if (sorted[2] > 1200 || sorted[0] + sorted[1] + sorted[2] > 2200) {
          c.Add({"parcels", index, "dimensions", "length"}, "too_big");
        }
      }
    }
    const auto* weight = Obj(parcel, "weight");
    if (!weight) {
      if (!locker) c.Add({"parcels", index, "weight", "amount"}, "required");
    } else {
      auto kg = Number(Find(*weight, "amount"));
      if (!kg) {
        c.Add({"parcels", index, "weight", "amount"}, "required");
      } else if (*kg <= 0) {
        c.Add({"parcels", index, "weight", "amount"}, "too_small");
      } else if (locker && *kg > 25.0) {
        c.Add({"parcels", index, "weight", "amount"}, "too_big");
      }
    }
  }
}

void CheckMoney(Checker& c, const json::object& body, const char* field, std::int64_t max_minor) {
  const auto* money = Find(body, field);
  if (!money) return;
  if (!money->is_object()) {
    c.Add({field}, "invalid");
    return;
  }
  auto minor = MinorOf(money->get_object());
  if (!minor) {
    c.Add({field, "amount"}, "required");
  } else if (*minor <= 0) {
    c.Add({field, "amount"}, "too_small");
  } else if (max_minor > 0 && *minor > max_minor) {
    c.Add({field, "amount"}, "too_big");
  }
  const std::string currency = Str(money->get_object(), "currency");
  if (!currency.empty() && currency != "PLN") c.Add({field, "currency"}, "invalid");
}

json::object ValidateCreate(const InPostWorld& world, const json::object& body,
                            std::string& service) {
  Checker c;
  service = Str(body, "service");
  if (service.empty()) {
    // Offer mode (no service) is not simulated: the simplified mode needs a service.
    c.Add({"service"}, "required");
    return std::move(c.details);
  }
  if (!IsLocker(service) && !IsCourier(service)) {
    c.Add({"service"}, "invalid");
    return std::move(c.details);
  }
  const bool locker = IsLocker(service);
  const bool is_return = Find(body, "is_return") && Find(body, "is_return")->is_bool() &&
                         Find(body, "is_return")->get_bool();
  const auto* receiver = Obj(body, "receiver");
  if (!receiver) {
    if (!is_return) c.Add({"receiver"}, "required");
  } else {
    CheckPeer(c, *receiver, "receiver", locker);
  }
  if (const auto* sender = Obj(body, "sender")) CheckPeer(c, *sender, "sender", false);
  CheckParcels(c, body, service);
  const auto* attrs = Obj(body, "custom_attributes");
  const std::string target = attrs ? Str(*attrs, "target_point") : "";
  const std::string method = attrs ? Str(*attrs, "sending_method") : "";
  if (locker) {
    if (target.empty()) {
      c.Add({"custom_attributes", "target_point"}, "required");
    } else if (!FindPoint(target)) {
      c.Add({"custom_attributes", "target_point"}, "does_not_exist");
    }
  }
  if (!method.empty()) {
    std::vector<std::string_view> allowed;
    if (service == "inpost_locker_pass_thru") {
      allowed = {"parcel_locker"};
    } else if (locker) {
      allowed = {"parcel_locker", "dispatch_order", "pop"};
    } else if (service == "inpost_courier_standard" ||
               service.starts_with("inpost_courier_express")) {
      allowed = {"dispatch_order", "pop"};
    } else {
      allowed = {"parcel_locker",  "pok", "courier_pok", "branch",
                 "dispatch_order", "pop", "any_point"};
    }
    if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) {
      c.Add({"custom_attributes", "sending_method"}, "invalid");
    }
  }
  if (attrs) {
    const std::string dropoff = Str(*attrs, "dropoff_point");
    if (!dropoff.empty() && !FindPoint(dropoff)) {
      c.Add({"custom_attributes", "dropoff_point"}, "does_not_exist");
    }
  }
  CheckMoney(c, body, "cod", world.options.max_cod_minor);
  CheckMoney(c, body, "insurance", 0);
  if ((service == "inpost_courier_standard" || service.starts_with("inpost_courier_express_")) &&
      !Find(body, "insurance")) {
    c.Add({"insurance"}, "required");
  }
  const std::string reference = Str(body, "reference");
  if (!reference.empty() && reference.size() < 3) c.Add({"reference"}, "too_short");
  if (reference.size() > 100) c.Add({"reference"}, "too_long");
  return std::move(c.details);
}

// ---- the lifecycle --------------------------------------------------------------------------

bool BeforeConfirmation(std::string_view status) {
  return status == "created" || status == "offers_prepared" || status == "offer_selected";
}

std::string NewTrackingNumber(InPostWorld& world) {
  // 24 digits, as section 2.5's example.
  return fmt::format("620000{:018d}", world.next_tracking++);
}

void Confirm(InPostWorld& world, InPostShipment& s, Timestamp now) {
  s.status = "confirmed";
  s.tracking_number = NewTrackingNumber(world);
  s.parcel_tracking_numbers.clear();
  s.parcel_tracking_numbers.push_back(s.tracking_number);
  const auto* parcels = Find(s.body, "parcels");
  const std::size_t n = parcels && parcels->is_array() ? parcels->get_array().size() : 1;
  for (std::size_t i = 1; i < n; ++i) s.parcel_tracking_numbers.push_back(NewTrackingNumber(world));
  s.history.push_back({"confirmed", OriginStatus("confirmed"), now});
  s.updated_at = now;
}

// Lazily moves a shipment along created -> offers_prepared -> offer_selected -> confirmed.
void Advance(InPostWorld& world, InPostShipment& s, Timestamp now) {
  if (!BeforeConfirmation(s.status)) return;
  if (s.force_confirm) {
    Confirm(world, s, now);
    return;
  }
  const int polls_needed = world.options.confirm_after_polls;
  if (polls_needed > 0 && s.polls >= polls_needed && !world.faults.never_confirm) {
    Confirm(world, s, now);
    return;
  }
  if (world.faults.never_confirm) return;
  const auto delay = world.faults.confirm_delay.value_or(world.options.confirm_delay);
  const auto elapsed = now - s.created_at;
  std::string next = "created";
  if (elapsed >= delay) {
    Confirm(world, s, now);
    return;
  }
  if (elapsed * 3 >= delay * 2) {
    next = "offer_selected";
  } else if (elapsed * 3 >= delay) {
    next = "offers_prepared";
  }
  if (next != s.status) {
    s.status = next;
    s.updated_at = now;
  }
}

// ---- rendering ------------------------------------------------------------------------------

json::value PeerOut(const json::object& peer, std::int64_t id) {
  json::object o = peer;
  o["id"] = id;
  for (const char* k : {"name", "company_name", "first_name", "last_name", "email", "phone"}) {
    if (!o.contains(k)) o[k] = nullptr;
  }
  if (auto* a = o.if_contains("address"); a && a->is_object()) {
    auto& address = a->as_object();
    address["id"] = id;
    for (const char* k : {"street", "building_number", "line1", "line2", "city", "post_code"}) {
      if (!address.contains(k)) address[k] = nullptr;
    }
    if (!address.contains("country_code")) address["country_code"] = "PL";
  }
  return o;
}

json::object OrganizationSender(const InPostWorld& world, const std::string& org_id) {
  std::string name = "Sklep";
  for (const auto& o : world.options.organizations) {
    if (o.id == org_id) name = o.name;
  }
  return json::object{{"company_name", name},
                      {"email", "sklep@example.pl"},
                      {"phone", "500600700"},
                      {"address", json::object{{"street", "Malborska"},
                                               {"building_number", "130"},
                                               {"city", "Kraków"},
                                               {"post_code", "30-624"},
                                               {"country_code", "PL"}}}};
}

json::value ShipmentJson(const InPostWorld& world, const InPostShipment& s) {
  const json::object& b = s.body;
  auto or_null = [&](std::string_view key) -> json::value {
    const auto* v = Find(b, key);
    return v ? *v : json::value(nullptr);
  };
  json::object o;
  o["href"] = fmt::format("{}/v1/shipments/{}", kPublicHost, s.id);
  o["id"] = s.id;
  o["status"] = s.status;
  o["tracking_number"] =
      s.tracking_number.empty() ? json::value(nullptr) : json::value(s.tracking_number);
  o["return_tracking_number"] = s.return_tracking_number.empty()
                                    ? json::value(nullptr)
                                    : json::value(s.return_tracking_number);
  o["service"] = s.service;
  o["reference"] = or_null("reference");
  o["is_return"] = Find(b, "is_return") ? *Find(b, "is_return") : json::value(false);
  o["application_id"] = 123;
  o["created_by_id"] = nullptr;
  o["external_customer_id"] = or_null("external_customer_id");
  o["sending_method"] = nullptr;
  o["mpk"] = or_null("mpk");
  o["comments"] = or_null("comments");
  o["additional_services"] =
      Find(b, "additional_services") ? *Find(b, "additional_services") : json::value(json::array{});
  o["custom_attributes"] =
      Find(b, "custom_attributes") ? *Find(b, "custom_attributes") : json::value(json::object{});
  o["cod"] = or_null("cod");
  o["insurance"] = or_null("insurance");
  const auto* sender = Obj(b, "sender");
  o["sender"] = PeerOut(sender ? *sender : OrganizationSender(world, s.organization_id), 1);
  const auto* receiver = Obj(b, "receiver");
  o["receiver"] = receiver ? PeerOut(*receiver, 2) : json::value(nullptr);
  const bool confirmed = !s.tracking_number.empty();
  o["selected_offer"] =
      confirmed ? json::value(json::object{{"id", s.id},
                                           {"status", "bought"},
                                           {"rate", nullptr},
                                           {"currency", "PLN"},
                                           {"service", json::object{{"id", s.service}}}})
                : json::value(nullptr);
  o["offers"] = json::array{};
  o["transactions"] = json::array{};
  json::array parcels;
  if (const auto* list = Find(b, "parcels"); list && list->is_array()) {
    std::int64_t pid = 1;
    for (const auto& p : list->get_array()) {
      json::object parcel = p.is_object() ? p.get_object() : json::object{};
      parcel["id"] = pid;
      const std::size_t idx = static_cast<std::size_t>(pid - 1);
      parcel["tracking_number"] = idx < s.parcel_tracking_numbers.size()
                                      ? json::value(s.parcel_tracking_numbers[idx])
                                      : json::value(nullptr);
      if (!parcel.contains("is_non_standard")) parcel["is_non_standard"] = false;
      if (!parcel.contains("template")) parcel["template"] = nullptr;
      if (!parcel.contains("dimensions")) {
        if (const Template* t = FindTemplate(Str(parcel, "template"))) {
          parcel["dimensions"] = json::object{{"length", static_cast<double>(t->dims[0])},
                                              {"width", static_cast<double>(t->dims[1])},
                                              {"height", static_cast<double>(t->dims[2])},
                                              {"unit", "mm"}};
        }
      }
      parcels.push_back(std::move(parcel));
      ++pid;
    }
  }
  o["parcels"] = std::move(parcels);
  o["end_of_week_collection"] =
      Find(b, "end_of_week_collection") ? *Find(b, "end_of_week_collection") : json::value(false);
  o["created_at"] = WireTime(s.created_at);
  o["updated_at"] = WireTime(s.updated_at);
  return o;
}

std::vector<std::string> PeerLines(const json::object* peer) {
  std::vector<std::string> lines;
  if (!peer) return lines;
  std::string name = Str(*peer, "company_name");
  const std::string person = Str(*peer, "first_name") + " " + Str(*peer, "last_name");
  if (person != " ") name = name.empty() ? person : name + ", " + person;
  if (name.empty()) name = Str(*peer, "name");
  if (!name.empty()) lines.push_back(name);
  if (const auto* a = Obj(*peer, "address")) {
    lines.push_back(Str(*a, "street") + " " + Str(*a, "building_number"));
    lines.push_back(Str(*a, "post_code") + " " + Str(*a, "city"));
  }
  if (!Str(*peer, "phone").empty()) lines.push_back("tel. " + Str(*peer, "phone"));
  return lines;
}

std::vector<documents::LabelData> LabelsOf(const InPostWorld& world, const InPostShipment& s) {
  std::vector<documents::LabelData> out;
  const json::object& b = s.body;
  const auto* parcels = Find(b, "parcels");
  const std::size_t n = parcels && parcels->is_array() ? parcels->get_array().size() : 1;
  const auto* attrs = Obj(b, "custom_attributes");
  const auto* cod = Obj(b, "cod");
  const auto* sender = Obj(b, "sender");
  const json::object org_sender = OrganizationSender(world, s.organization_id);
  for (std::size_t i = 0; i < n; ++i) {
    documents::LabelData l;
    l.carrier = "InPost";
    const json::object* parcel =
        parcels && parcels->is_array() && parcels->get_array()[i].is_object()
            ? &parcels->get_array()[i].get_object()
            : nullptr;
    const std::string tpl = parcel ? Str(*parcel, "template") : "";
    const char* size = tpl == "small" ? "A" : tpl == "medium" ? "B" : tpl == "large" ? "C" : "";
    if (IsLocker(s.service)) {
      l.service = fmt::format("Paczkomat, gabaryt {}", *size ? size : "-");
    } else {
      l.service = fmt::format("Kurier ({}), paczka {} z {}", s.service, i + 1, n);
    }
    l.tracking_number =
        i < s.parcel_tracking_numbers.size() ? s.parcel_tracking_numbers[i] : s.tracking_number;
    l.reference = Str(b, "reference");
    l.sender = PeerLines(sender ? sender : &org_sender);
    l.receiver = PeerLines(Obj(b, "receiver"));
    l.target_point = attrs ? Str(*attrs, "target_point") : "";
    if (cod && i == 0) {
      if (auto minor = MinorOf(*cod)) l.cash_on_delivery = PlAmount(*minor);
    }
    if (parcel) {
      if (const auto* w = Obj(*parcel, "weight")) {
        if (auto kg = Number(Find(*w, "amount"))) {
          std::string text = fmt::format("{:.2f}", *kg);
          while (text.back() == '0') text.pop_back();
          if (text.back() == '.') text.pop_back();
          std::replace(text.begin(), text.end(), '.', ',');
          l.weight = text + " kg";
        }
      }
    }
    l.comment = Str(b, "comments");
    out.push_back(std::move(l));
  }
  return out;
}

// A minimal EPL2 document per parcel (EPL for courier parcels and EPL2 for lockers are both
// answered with this; printers of the simulator don't exist).
std::string RenderEpl(const std::vector<documents::LabelData>& labels) {
  std::string out;
  for (const auto& l : labels) {
    out += "N\nq812\nQ1218,24\n";
    out += fmt::format("A40,40,0,4,1,1,N,\"{} {}\"\n", l.carrier, l.service);
    out += fmt::format("B40,120,0,1,3,6,200,B,\"{}\"\n", l.tracking_number);
    int y = 400;
    for (const auto& line : l.receiver) {
      std::string ascii;
      for (char c : line) ascii += (static_cast<unsigned char>(c) < 0x80 && c != '"') ? c : '?';
      out += fmt::format("A40,{},0,3,1,1,N,\"{}\"\n", y, ascii);
      y += 40;
    }
    if (!l.target_point.empty())
      out += fmt::format("A40,{},0,5,1,1,N,\"{}\"\n", y + 20, l.target_point);
    out += "P1\n";
  }
  return out;
}

struct LabelFile {
  std::string bytes;
  std::string content_type;
  std::string extension;
};

struct LabelRequest {
  std::string format;  // pdf, zpl, epl
  std::string type;    // normal, a6, dpi300
};

std::variant<LabelRequest, Response> ParseLabelRequest(std::string format, std::string type) {
  format = Lower(format.empty() ? "pdf" : format);
  type = Lower(type.empty() ? "normal" : type);
  if (format != "pdf" && format != "zpl" && format != "epl") {
    return ShipxError(400, "invalid_parameter", "Invalid label format: use Pdf, Zpl or Epl.",
                      json::object{{"format", json::array{"invalid"}}});
  }
  if (type != "normal" && type != "a6" && type != "dpi300") {
    return ShipxError(400, "invalid_parameter", "Invalid label type: use normal, A6 or dpi300.",
                      json::object{{"type", json::array{"invalid"}}});
  }
  return LabelRequest{format, type};
}

std::variant<LabelFile, Response> RenderLabel(const InPostWorld& world, const InPostShipment& s,
                                              const LabelRequest& r) {
  if (r.type == "dpi300" && (r.format != "zpl" || !In(kZpl300Services, s.service))) {
    return ShipxError(
        400, "label_template_not_found",
        fmt::format("There is no {} label of type dpi300 for service {}.", r.format, s.service));
  }
  const auto labels = LabelsOf(world, s);
  auto failed = [](const Error& e) {
    return ShipxError(400, "label_generation_failed", "Label generation failed.",
                      json::object{{"error", e.message}});
  };
  if (r.format == "pdf") {
    auto pdf = documents::RenderPdfA6(labels);
    if (!pdf) return failed(pdf.error());
    // "normal" is A4 (four A6 per page); courier services have no normal and answer A6.
    if (r.type == "normal" && IsLocker(s.service)) {
      auto a4 = documents::FourUpA4(*pdf);
      if (!a4) return failed(a4.error());
      return LabelFile{std::move(*a4), "application/pdf", "pdf"};
    }
    return LabelFile{std::move(*pdf), "application/pdf", "pdf"};
  }
  if (r.format == "zpl") {
    std::string zpl;
    for (const auto& l : labels) {
      auto one = documents::RenderZpl(l, r.type == "dpi300" ? 300 : 203);
      if (!one) return failed(one.error());
      zpl += *one;
    }
    return LabelFile{std::move(zpl), "application/octet-stream", "zpl"};
  }
  return LabelFile{RenderEpl(labels), "application/octet-stream",
                   IsLocker(s.service) ? "epl2" : "epl"};
}

Response FileResponse(LabelFile file, std::string_view name) {
  Response r;
  r.status = 200;
  r.body = std::move(file.bytes);
  r.SetHeader("Content-Type", file.content_type);
  r.SetHeader("Content-Disposition",
              fmt::format("attachment; filename=\"{}.{}\"", name, file.extension));
  return r;
}

// A stored (uncompressed) zip of the files, for bulk labels of mixed services.
std::uint32_t Crc32(std::string_view data) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char ch : data) crc = table[(crc ^ ch) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string Zip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out, central;
  auto u16 = [](std::string& s, std::uint16_t v) {
    s += static_cast<char>(v & 0xFF);
    s += static_cast<char>(v >> 8);
  };
  auto u32 = [&](std::string& s, std::uint32_t v) {
    u16(s, static_cast<std::uint16_t>(v & 0xFFFF));
    u16(s, static_cast<std::uint16_t>(v >> 16));
  };
  for (const auto& [name, data] : files) {
    const std::uint32_t offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t crc = Crc32(data);
    const auto size = static_cast<std::uint32_t>(data.size());
    u32(out, 0x04034b50);
    u16(out, 20);
    u16(out, 0);
    u16(out, 0);
    u16(out, 0);
    u16(out, 0x21);
    u32(out, crc);
    u32(out, size);
    u32(out, size);
    u16(out, static_cast<std::uint16_t>(name.size()));
    u16(out, 0);
    out += name;
    out += data;
    u32(central, 0x02014b50);
    u16(central, 20);
    u16(central, 20);
    u16(central, 0);
    u16(central, 0);
    u16(central, 0);
    u16(central, 0x21);
    u32(central, crc);
    u32(central, size);
    u32(central, size);
    u16(central, static_cast<std::uint16_t>(name.size()));
    u16(central, 0);
    u16(central, 0);
    u16(central, 0);
    u16(central, 0);
    u32(central, 0);
    u32(central, offset);
    central += name;
  }
  const auto central_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  u32(out, 0x06054b50);
  u16(out, 0);
  u16(out, 0);
  u16(out, static_cast<std::uint16_t>(files.size()));
  u16(out, static_cast<std::uint16_t>(files.size()));
  u32(out, static_cast<std::uint32_t>(central.size()));
  u32(out, central_offset);
  u16(out, 0);
  return out;
}

// ---- handlers -------------------------------------------------------------------------------

InPostShipment* ShipmentOf(InPostWorld& world, const Caller& caller, const Request& req) {
  const std::string id = req.PathParam("id").value_or("");
  if (id.empty() || id.size() > 18 ||
      !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return nullptr;
  }
  auto it = world.shipments.find(std::stoll(id));
  if (it == world.shipments.end() || it->second.organization_id != caller.organization->id) {
    return nullptr;
  }
  return &it->second;
}

Response PostShipment(InPostWorld& world, Request& req, const Caller& caller) {
  if (auto bad = CheckOrganization(world, caller, req)) return *bad;
  boost::system::error_code ec;
  auto parsed = json::parse(req.body, ec);
  if (ec || !parsed.is_object()) {
    return ShipxError(400, "invalid_parameter", "The request body is not a JSON object.");
  }
  json::object body = std::move(parsed.as_object());
  std::string service;
  json::object details = ValidateCreate(world, body, service);
  if (!details.empty()) {
    return ShipxError(400, "validation_failed",
                      "Data sent by POST or PUT request are not valid. Check details for more "
                      "info",
                      std::move(details));
  }
  // A ParcelPoint as the target of a locker service: ShipX switches the service.
  if (const auto* attrs = Obj(body, "custom_attributes"); attrs && IsLocker(service)) {
    if (const Point* p = FindPoint(Str(*attrs, "target_point"));
        p && std::string_view(p->kind) == "pop") {
      service = "inpost_locker_customer_service_point";
      body["service"] = service;
    }
  }
  const Timestamp now = Now();
  InPostShipment s;
  s.id = world.next_id++;
  s.organization_id = caller.organization->id;
  s.service = service;
  s.body = std::move(body);
  s.created_at = now;
  s.updated_at = now;
  auto& stored = world.shipments[s.id] = std::move(s);
  return Json(201, ShipmentJson(world, stored));
}

Response GetShipment(InPostWorld& world, Request& req, const Caller& caller) {
  InPostShipment* s = ShipmentOf(world, caller, req);
  if (!s) return NotFound();
  ++s->polls;
  Advance(world, *s, Now());
  return Json(200, ShipmentJson(world, *s));
}

Response ListShipments(InPostWorld& world, Request& req, const Caller& caller) {
  if (auto bad = CheckOrganization(world, caller, req)) return *bad;
  const Timestamp now = Now();
  auto int_param = [&](std::string_view key, std::int64_t fallback) -> std::optional<std::int64_t> {
    auto v = req.QueryParam(key);
    if (!v) return fallback;
    if (v->empty() || v->size() > 9 ||
        !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return std::stoll(*v);
  };
  const auto page = int_param("page", 1);
  const auto per_page = int_param("per_page", 25);
  if (!page || !per_page || *page < 1 || *per_page < 1 || *per_page > 100) {
    return ShipxError(400, "invalid_parameter", "page must be >= 1 and per_page 1..100.");
  }
  const auto id = req.QueryParam("id");
  const auto tracking = req.QueryParam("tracking_number");
  const auto status = req.QueryParam("status");
  const std::string sort_by = req.QueryParam("sort_by").value_or("created_at");
  const bool desc = Lower(req.QueryParam("sort_order").value_or("desc")) == "desc";
  if (sort_by != "created_at" && sort_by != "id" && sort_by != "status" &&
      sort_by != "tracking_number" && sort_by != "updated_at") {
    return ShipxError(400, "invalid_parameter", "Unknown sort_by.");
  }
  std::vector<InPostShipment*> matched;
  for (auto& [sid, s] : world.shipments) {
    if (s.organization_id != caller.organization->id) continue;
    Advance(world, s, now);
    if (id && std::to_string(sid) != *id) continue;
    if (tracking && s.tracking_number != *tracking) continue;
    if (status && s.status != *status) continue;
    matched.push_back(&s);
  }
  std::stable_sort(matched.begin(), matched.end(),
                   [&](const InPostShipment* a, const InPostShipment* b) {
                     auto key = [&](const InPostShipment* s) -> std::string {
                       if (sort_by == "status") return s->status;
                       if (sort_by == "tracking_number") return s->tracking_number;
                       if (sort_by == "updated_at")
                         return fmt::format("{:020d}", ToUnixMillis(s->updated_at));
                       if (sort_by == "created_at") {
                         return fmt::format("{:020d}{:020d}", ToUnixMillis(s->created_at), s->id);
                       }
                       return fmt::format("{:020d}", s->id);
                     };
                     return desc ? key(a) > key(b) : key(a) < key(b);
                   });
  json::array items;
  const std::size_t start = static_cast<std::size_t>((*page - 1) * *per_page);
  for (std::size_t i = start; i < matched.size() && i < start + *per_page; ++i) {
    items.push_back(ShipmentJson(world, *matched[i]));
  }
  return Json(200, json::object{
                       {"href", fmt::format("{}/v1/organizations/{}/shipments", kPublicHost,
                                            caller.organization->id)},
                       {"count", matched.size()},
                       {"page", *page},
                       {"per_page", *per_page},
                       {"items", std::move(items)},
                   });
}

Response DeleteShipment(InPostWorld& world, Request& req, const Caller& caller) {
  InPostShipment* s = ShipmentOf(world, caller, req);
  if (!s) return NotFound();
  Advance(world, *s, Now());
  if (s->status != "created" && s->status != "offers_prepared") {
    return ShipxError(400, "invalid_action",
                      fmt::format("Shipment can be cancelled only in status created or "
                                  "offers_prepared; its status is {}.",
                                  s->status));
  }
  s->status = "canceled";
  s->updated_at = Now();
  Response r;
  r.status = 204;
  return r;
}

Response GetLabel(InPostWorld& world, Request& req, const Caller& caller) {
  InPostShipment* s = ShipmentOf(world, caller, req);
  if (!s) return NotFound();
  Advance(world, *s, Now());
  if (s->tracking_number.empty() || s->status == "canceled") {
    return ShipxError(400, "invalid_action",
                      fmt::format("Label is available once the shipment is confirmed; its status "
                                  "is {}.",
                                  s->status));
  }
  auto parsed =
      ParseLabelRequest(req.QueryParam("format").value_or(""), req.QueryParam("type").value_or(""));
  if (auto* bad = std::get_if<Response>(&parsed)) return std::move(*bad);
  auto file = RenderLabel(world, *s, std::get<LabelRequest>(parsed));
  if (auto* bad = std::get_if<Response>(&file)) return std::move(*bad);
  return FileResponse(std::move(std::get<LabelFile>(file)), fmt::format("label_{}", s->id));
}

Response BulkLabels(InPostWorld& world, Request& req, const Caller& caller) {
  if (auto bad = CheckOrganization(world, caller, req)) return *bad;
  std::string format = req.QueryParam("format").value_or("");
  std::string type = req.QueryParam("type").value_or("");
  std::vector<std::string> ids;
  for (auto [it, end] = req.query.equal_range("shipment_ids[]"); it != end; ++it) {
    ids.push_back(it->second);
  }
  if (req.method == "POST") {
    // A PrestaShop client posts {format, type, shipment_ids} (section 2.2's note).
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec || !v.is_object()) {
      return ShipxError(400, "invalid_parameter", "The request body is not a JSON object.");
    }
    const auto& o = v.get_object();
    if (!Str(o, "format").empty()) format = Str(o, "format");
    if (!Str(o, "type").empty()) type = Str(o, "type");
    if (const auto* list = Find(o, "shipment_ids"); list && list->is_array()) {
      for (const auto& e : list->get_array()) {
        if (e.is_int64()) ids.push_back(std::to_string(e.get_int64()));
        if (e.is_string()) ids.push_back(std::string(e.get_string()));
      }
    }
  }
  if (ids.empty()) {
    return ShipxError(400, "validation_failed", "Data sent are not valid. Check details.",
                      json::object{{"shipment_ids", json::array{"required"}}});
  }
  if (ids.size() > 100) {
    return ShipxError(400, "validation_failed", "Data sent are not valid. Check details.",
                      json::object{{"shipment_ids", json::array{"too_long"}}});
  }
  auto parsed = ParseLabelRequest(format, type);
  if (auto* bad = std::get_if<Response>(&parsed)) return std::move(*bad);
  const auto label_request = std::get<LabelRequest>(parsed);
  std::map<std::string, std::vector<InPostShipment*>> by_service;
  const Timestamp now = Now();
  for (const auto& id : ids) {
    Request one = req;
    one.path_params["id"] = id;
    InPostShipment* s = ShipmentOf(world, caller, one);
    if (!s) return NotFound();
    Advance(world, *s, now);
    if (s->tracking_number.empty() || s->status == "canceled") {
      return ShipxError(400, "invalid_action",
                        fmt::format("Shipment {} has no label yet (status {}).", s->id, s->status));
    }
    by_service[s->service].push_back(s);
  }
  std::vector<std::pair<std::string, LabelFile>> files;
  for (const auto& [service, list] : by_service) {
    std::vector<std::string> parts;
    LabelFile merged;
    for (InPostShipment* s : list) {
      auto file = RenderLabel(world, *s, label_request);
      if (auto* bad = std::get_if<Response>(&file)) return std::move(*bad);
      auto& f = std::get<LabelFile>(file);
      merged.content_type = f.content_type;
      merged.extension = f.extension;
      parts.push_back(std::move(f.bytes));
    }
    if (label_request.format == "pdf") {
      auto pdf = documents::MergePdfs(parts);
      if (!pdf) {
        return ShipxError(400, "label_generation_failed", "Label generation failed.",
                          json::object{{"error", pdf.error().message}});
      }
      merged.bytes = std::move(*pdf);
    } else {
      for (auto& p : parts) merged.bytes += p;
    }
    files.emplace_back(service, std::move(merged));
  }
  if (files.size() == 1) return FileResponse(std::move(files[0].second), "labels");
  std::vector<std::pair<std::string, std::string>> entries;
  for (auto& [service, f] : files)
    entries.emplace_back(service + "." + f.extension, std::move(f.bytes));
  return FileResponse(LabelFile{Zip(entries), "application/zip", "zip"}, "labels");
}

json::object PointJson(const Point& p) {
  return json::object{
      {"href", fmt::format("https://api-pl-points.easypack24.net/v1/points/{}", p.name)},
      {"name", p.name},
      {"type", json::array{json::string(p.kind)}},
      {"status", "Operating"},
      {"location", json::object{{"latitude", p.lat}, {"longitude", p.lng}}},
      {"location_type", "Outdoor"},
      {"location_description", fmt::format("przy {} {}", p.street, p.building)},
      {"opening_hours", "24/7"},
      {"address", json::object{{"line1", fmt::format("{} {}", p.street, p.building)},
                               {"line2", fmt::format("{} {}", p.post_code, p.city)}}},
      {"address_details", json::object{{"city", p.city},
                                       {"province", nullptr},
                                       {"post_code", p.post_code},
                                       {"street", p.street},
                                       {"building_number", p.building},
                                       {"flat_number", nullptr}}},
      {"payment_available", true},
      {"functions", json::array{"parcel_collect", "parcel_send"}},
      {"partner_id", std::string_view(p.kind) == "pop" ? 30 : 0},
      {"location_247", true},
  };
}

Response GetTracking(InPostWorld& world, Request& req) {
  const std::string number = req.PathParam("number").value_or("");
  const Timestamp now = Now();
  for (auto& [id, s] : world.shipments) {
    Advance(world, s, now);
    const bool match = !s.tracking_number.empty() &&
                       std::find(s.parcel_tracking_numbers.begin(), s.parcel_tracking_numbers.end(),
                                 number) != s.parcel_tracking_numbers.end();
    if (!match) continue;
    const auto* attrs = Obj(s.body, "custom_attributes");
    json::object custom;
    const auto* parcels = Find(s.body, "parcels");
    if (parcels && parcels->is_array() && !parcels->get_array().empty() &&
        parcels->get_array()[0].is_object()) {
      const std::string tpl = Str(parcels->get_array()[0].get_object(), "template");
      if (!tpl.empty()) custom["size"] = tpl == "small" ? "A" : tpl == "medium" ? "B" : "C";
    }
    if (attrs) {
      const std::string target = Str(*attrs, "target_point");
      if (const Point* p = FindPoint(target)) {
        custom["target_point_id"] = target;
        json::object detail = PointJson(*p);
        json::object machine;
        for (const char* k : {"href", "name", "opening_hours", "location_description", "location",
                              "address", "type"}) {
          machine[k] = detail[k];
        }
        custom["target_machine_detail"] = std::move(machine);
      }
    }
    json::array details;
    for (auto it = s.history.rbegin(); it != s.history.rend(); ++it) {
      details.push_back(json::object{{"status", it->status},
                                     {"origin_status", it->origin_status},
                                     {"datetime", WireTime(it->at)}});
    }
    return Json(200, json::object{{"tracking_number", number},
                                  {"type", s.service},
                                  {"service", s.service},
                                  {"status", s.status},
                                  {"custom_attributes", std::move(custom)},
                                  {"tracking_details", std::move(details)},
                                  {"expected_flow", json::array{}},
                                  {"created_at", WireTime(s.created_at)},
                                  {"updated_at", WireTime(s.updated_at)}});
  }
  return NotFound();
}

Response GetStatuses(InPostWorld&, Request& req) {
  const std::string lang = req.QueryParam("lang").value_or("pl_PL");
  if (lang != "pl_PL" && lang != "en_GB") {
    return ShipxError(400, "invalid_parameter", "lang must be pl_PL or en_GB.");
  }
  json::array items;
  for (const char* name : kStatuses) {
    std::string title = name;
    std::replace(title.begin(), title.end(), '_', ' ');
    title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    items.push_back(json::object{{"name", name}, {"title", title}, {"description", title}});
  }
  return Json(200, json::object{{"href", fmt::format("{}/v1/statuses", kPublicHost)},
                                {"items", std::move(items)}});
}

Response GetPoints(InPostWorld&, Request& req) {
  const auto name = req.QueryParam("name");
  const auto type = req.QueryParam("type");
  const auto city = req.QueryParam("city");
  json::array items;
  for (const auto& p : kPoints) {
    if (name && *name != p.name) continue;
    if (type && *type != p.kind) continue;
    if (city && *city != p.city) continue;
    items.push_back(PointJson(p));
  }
  const auto count = items.size();
  return Json(200, json::object{{"href", "https://api-pl-points.easypack24.net/v1/points"},
                                {"count", count},
                                {"page", 1},
                                {"per_page", std::max<std::size_t>(count, 25)},
                                {"items", std::move(items)}});
}

Response GetPoint(InPostWorld&, Request& req) {
  const Point* p = FindPoint(req.PathParam("name").value_or(""));
  if (!p) return NotFound();
  return Json(200, PointJson(*p));
}

// ---- admin ----------------------------------------------------------------------------------

Response AdminBad(std::string message) {
  return Json(400, json::object{{"error", std::move(message)}});
}

InPostShipment* AdminShipment(InPostWorld& world, const Request& req) {
  const std::string id = req.PathParam("id").value_or("");
  if (id.empty() || id.size() > 18 ||
      !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return nullptr;
  }
  auto it = world.shipments.find(std::stoll(id));
  return it == world.shipments.end() ? nullptr : &it->second;
}

Response AdminConfirm(InPostWorld& world, Request& req) {
  InPostShipment* s = AdminShipment(world, req);
  if (!s) return Json(404, json::object{{"error", "no such shipment"}});
  if (s->status == "canceled") return AdminBad("the shipment is cancelled");
  s->force_confirm = true;
  Advance(world, *s, Now());
  return Json(200, ShipmentJson(world, *s));
}

Response AdminAdvance(InPostWorld& world, Request& req) {
  InPostShipment* s = AdminShipment(world, req);
  if (!s) return Json(404, json::object{{"error", "no such shipment"}});
  const Timestamp now = Now();
  Advance(world, *s, now);
  if (s->tracking_number.empty() || s->status == "canceled") {
    return AdminBad("the shipment is not confirmed yet: POST .../confirm first");
  }
  boost::system::error_code ec;
  auto body =
      json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), ec);
  std::string next = !ec && body.is_object() ? Str(body.get_object(), "status") : "";
  if (next.empty()) {
    std::vector<const char*> journey(
        IsLocker(s->service) ? kLockerJourney.begin() : kCourierJourney.begin(),
        IsLocker(s->service) ? kLockerJourney.end() : kCourierJourney.end());
    auto it = std::find(journey.begin(), journey.end(), s->status);
    if (s->status == "confirmed") {
      next = journey.front();
    } else if (it != journey.end() && std::next(it) != journey.end()) {
      next = *std::next(it);
    } else {
      return AdminBad(
          fmt::format("'{}' is the end of the journey: name a status to go on", s->status));
    }
  } else if (!In(kStatuses, next) || BeforeConfirmation(next)) {
    return AdminBad(fmt::format("'{}' is not a ShipX status after confirmation (section 2.8)",
                                TruncateUtf8(next, 64)));
  }
  s->status = next;
  s->updated_at = now;
  s->history.push_back({next, OriginStatus(next), now});
  if (next == "returned_to_sender" && s->return_tracking_number.empty()) {
    s->return_tracking_number = NewTrackingNumber(world);
  }
  return Json(200, ShipmentJson(world, *s));
}

Response AdminList(InPostWorld& world, Request&) {
  json::array items;
  const Timestamp now = Now();
  for (auto& [id, s] : world.shipments) {
    Advance(world, s, now);
    items.push_back(ShipmentJson(world, s));
  }
  return Json(200, json::object{{"items", std::move(items)}});
}

json::array ActiveScenarios(const InPostWorld& world) {
  const InPostFaults& f = world.faults;
  json::array out;
  if (f.never_confirm || f.confirm_delay) {
    json::object o{{"name", "slow-confirmation"}};
    if (f.confirm_delay) o["delayMs"] = f.confirm_delay->count();
    out.push_back(std::move(o));
  }
  if (f.server_error_every > 0) {
    out.push_back(json::object{{"name", "server-errors"},
                               {"every", f.server_error_every},
                               {"burst", f.server_error_burst}});
  }
  if (f.rate_limit_every > 0) {
    out.push_back(json::object{{"name", "rate-limit"},
                               {"every", f.rate_limit_every},
                               {"burst", f.rate_limit_burst},
                               {"retryAfter", f.retry_after_seconds}});
  }
  if (f.slow.count() > 0)
    out.push_back(json::object{{"name", "slow"}, {"delayMs", f.slow.count()}});
  return out;
}

Response AdminPostScenario(InPostWorld& world, Request& req) {
  boost::system::error_code ec;
  auto body = json::parse(req.body, ec);
  if (ec || !body.is_object()) {
    return AdminBad("send {\"name\": \"slow-confirmation\", \"on\": true} and optional parameters");
  }
  const auto& o = body.get_object();
  const auto* on = Find(o, "on");
  auto set = SetInPostScenario(world, Str(o, "name"), !on || !on->is_bool() || on->get_bool(), o);
  if (!set) return AdminBad(set.error().message);
  return Json(200, json::object{{"active", ActiveScenarios(world)}});
}

Response AdminGetScenarios(InPostWorld& world, Request&) {
  json::array known;
  for (const auto& [name, description] : InPostScenarios()) {
    known.push_back(json::object{{"name", name}, {"description", description}});
  }
  return Json(200, json::object{{"active", ActiveScenarios(world)}, {"known", std::move(known)}});
}

std::int64_t Param(const json::object& params, std::string_view key, std::int64_t fallback,
                   std::int64_t min, std::int64_t max) {
  const auto* v = Find(params, key);
  if (!v || !v->is_int64()) return fallback;
  return std::clamp(v->get_int64(), min, max);
}

}  // namespace

InPostWorld::InPostWorld(InPostOptions o) : options(std::move(o)) {
  for (const auto& name : options.scenarios) (void)SetInPostScenario(*this, name, true);
}

const std::vector<std::pair<std::string_view, std::string_view>>& InPostScenarios() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kScenarios = {
      {"slow-confirmation",
       "shipments stay 'created' until POST /__sandbox/inpost/shipments/{id}/confirm (or take "
       "delayMs)"},
      {"server-errors", "bursts of HTTP 500 on ShipX calls (every 20th call starts a burst of 3)"},
      {"rate-limit",
       "bursts of HTTP 429 with Retry-After (every 10th call, burst 1, retryAfter 1)"},
      {"slow", "ShipX answers take 1.5 s (delayMs)"},
  };
  return kScenarios;
}

Result<void> SetInPostScenario(InPostWorld& world, std::string_view name, bool on,
                               const json::object& params) {
  InPostFaults& f = world.faults;
  if (name == "slow-confirmation") {
    const auto* delay = Find(params, "delayMs");
    f.never_confirm = on && !(delay && delay->is_int64());
    f.confirm_delay.reset();
    if (on && delay && delay->is_int64()) {
      f.confirm_delay =
          std::chrono::milliseconds(std::clamp<std::int64_t>(delay->get_int64(), 0, 86400000));
    }
  } else if (name == "server-errors") {
    f.server_error_every = on ? static_cast<int>(Param(params, "every", 20, 1, 1000000)) : 0;
    f.server_error_burst = on ? static_cast<int>(Param(params, "burst", 3, 1, 1000)) : 0;
  } else if (name == "rate-limit") {
    f.rate_limit_every = on ? static_cast<int>(Param(params, "every", 10, 1, 1000000)) : 0;
    f.rate_limit_burst = on ? static_cast<int>(Param(params, "burst", 1, 1, 1000)) : 0;
    f.retry_after_seconds = static_cast<int>(Param(params, "retryAfter", 1, 0, 3600));
  } else if (name == "slow") {
    f.slow = std::chrono::milliseconds(on ? Param(params, "delayMs", 1500, 1, 120000) : 0);
  } else {
    std::string known;
    for (const auto& [n, d] : InPostScenarios())
      known += (known.empty() ? "" : ", ") + std::string(n);
    return Fail(ErrorCode::kInvalidArgument, fmt::format("unknown InPost scenario '{}'; known: {}",
                                                         TruncateUtf8(name, 64), known));
  }
  f.requests = 0;
  return Ok();
}

InPostFaultDecision InPostBeforeRequest(InPostWorld& world, const Request& request) {
  InPostFaultDecision decision;
  if (!request.path.starts_with(std::string(kPrefix) + "/")) return decision;
  InPostFaults& f = world.faults;
  ++f.requests;
  auto in_burst = [&](int every, int burst) {
    return every > 0 && f.requests >= every && f.requests % every < burst;
  };
  if (in_burst(f.server_error_every, f.server_error_burst)) {
    decision.response =
        ShipxError(500, "internal_server_error", "Something went wrong. Please try again later.");
    return decision;
  }
  if (in_burst(f.rate_limit_every, f.rate_limit_burst)) {
    Response r = ShipxError(429, "too_many_requests", "Too many requests. Slow down.");
    r.SetHeader("Retry-After", std::to_string(f.retry_after_seconds));
    decision.response = std::move(r);
    return decision;
  }
  decision.delay = f.slow;
  return decision;
}

void RegisterInPostRoutes(http::Router& router, InPostWorld& world) {
  using Authed = Response (*)(InPostWorld&, Request&, const Caller&);
  using Open = Response (*)(InPostWorld&, Request&);
  auto authed = [&world](Authed fn) {
    return [&world, fn](Request& req) {
      std::lock_guard lock(world.mu);
      auto caller = Authorize(world, req);
      if (auto* denied = std::get_if<Response>(&caller)) return std::move(*denied);
      return fn(world, req, std::get<Caller>(caller));
    };
  };
  auto open = [&world](Open fn) {
    return [&world, fn](Request& req) {
      std::lock_guard lock(world.mu);
      return fn(world, req);
    };
  };
  const std::string p(kPrefix);
  router.Post(p + "/v1/organizations/{org}/shipments", authed(PostShipment));
  router.Get(p + "/v1/organizations/{org}/shipments", authed(ListShipments));
  router.Get(p + "/v1/organizations/{org}/shipments/labels", authed(BulkLabels));
  router.Post(p + "/v1/organizations/{org}/shipments/labels", authed(BulkLabels));
  router.Get(p + "/v1/shipments/{id}", authed(GetShipment));
  router.Add("DELETE", p + "/v1/shipments/{id}", authed(DeleteShipment));
  router.Get(p + "/v1/shipments/{id}/label", authed(GetLabel));
  router.Get(p + "/v1/tracking/{number}", open(GetTracking));
  router.Get(p + "/v1/statuses", open(GetStatuses));
  router.Get(p + "/v1/points", open(GetPoints));
  router.Get(p + "/v1/points/{name}", open(GetPoint));
  router.Post("/__sandbox/inpost/shipments/{id}/confirm", open(AdminConfirm));
  router.Post("/__sandbox/inpost/shipments/{id}/advance", open(AdminAdvance));
  router.Get("/__sandbox/inpost/shipments", open(AdminList));
  router.Post("/__sandbox/inpost/scenarios", open(AdminPostScenario));
  router.Get("/__sandbox/inpost/scenarios", open(AdminGetScenarios));
}

}  // namespace nadajnik::sandbox::inpost
