#include "carriers/carrier_factory.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "carriers/allegro_shipping/api.hpp"
#include "carriers/allegro_shipping/mapping.hpp"
#include "carriers/dpd/api.hpp"
#include "carriers/inpost/api.hpp"
#include "carriers/orlen/api.hpp"
#include "carriers/poczta_polska/api.hpp"
#include "carriers/polish_address.hpp"
#include "core/text.hpp"
#include "marketplace/marketplace_connector.hpp"

namespace nadajnik::carriers {

namespace {

using domain::Carrier;

// How a plain value is checked; secrets are only checked for presence.
enum class Kind {
  kText,
  kNumericId,  // digits only (organization id, PartnerID, FID ...)
  kSmallInt,   // digits, fits an int (bufor, posting office)
  kUrl,
  kBool,
  kWeight,  // grams, 1..kMaxWeightGrams
  kLength,  // millimetres, 1..kMaxLengthMm
  kNrb,
  kService,
  kTemplate,
  kSendingMethod,
  kAllegroShipping,  // checked by the Allegro shipping connector's own ParseSettings
};

struct KeySpec {
  SettingKey key;
  Kind kind = Kind::kText;
};

// A pallet (InPost courier palette) is the heaviest thing any of the carriers takes.
constexpr long long kMaxWeightGrams = 1000000;
constexpr long long kMaxLengthMm = 10000;

KeySpec Plain(std::string key, bool required, Kind kind, std::string description) {
  return {SettingKey{std::move(key), false, required, std::move(description)}, kind};
}
KeySpec SecretKey(std::string key, std::string description) {
  return {SettingKey{std::move(key), true, true, std::move(description)}, Kind::kText};
}

std::vector<KeySpec> SharedSpecs() {
  return {
      Plain("default_service", false, Kind::kService,
            "Usługa przewoźnika używana, gdy przesyłka nie wskazuje innej"),
      Plain("default_template", false, Kind::kTemplate,
            "Domyślny gabaryt paczki (np. InPost A/B/C, ORLEN S/M/L, Pocztex S–2XL)"),
      Plain("default_weight_grams", false, Kind::kWeight,
            "Domyślna waga paczki w gramach, gdy przesyłka jej nie podaje"),
      Plain("default_length_mm", false, Kind::kLength,
            "Domyślna długość paczki w milimetrach (Wysyłam z Allegro wymaga wymiarów)"),
      Plain("default_width_mm", false, Kind::kLength, "Domyślna szerokość paczki w milimetrach"),
      Plain("default_height_mm", false, Kind::kLength, "Domyślna wysokość paczki w milimetrach"),
      Plain("sending_point", false, Kind::kText,
            "Punkt nadania (np. paczkomat), jeśli paczki nie są odbierane przez kuriera"),
      Plain("bank_account", false, Kind::kNrb,
            "Numer rachunku (NRB, 26 cyfr) do zwrotu pobrań, jeśli przewoźnik go wymaga"),
      Plain("comment_template", false, Kind::kText,
            "Komentarz przesyłki, np. „Zamówienie {order.checkoutFormId}”"),
      Plain("status_after_label", false, Kind::kText,
            "Status zamówienia ustawiany po wygenerowaniu etykiety (puste: bez zmiany)"),
  };
}

std::vector<KeySpec> Specs(Carrier carrier) {
  std::vector<KeySpec> own;
  switch (carrier) {
    case Carrier::kInPost:
      own = {
          Plain("base_url", false, Kind::kUrl,
                "Adres API ShipX (domyślnie produkcyjny https://api-shipx-pl.easypack24.net)"),
          Plain("organization_id", true, Kind::kNumericId,
                "Identyfikator organizacji ShipX (Manager Paczek > Moje konto > API)"),
          SecretKey("token", "Token API ShipX (Manager Paczek > Moje konto > API > ShipX)"),
          Plain("default_sending_method", false, Kind::kSendingMethod,
                "Sposób nadania, gdy przesyłka nie wskazuje punktu (domyślnie dispatch_order)"),
      };
      break;
    case Carrier::kPocztaPolska:
      own = {
          Plain("base_url", false, Kind::kUrl,
                "Adres e-Nadawcy (domyślnie produkcyjny https://e-nadawca.poczta-polska.pl)"),
          Plain("login", true, Kind::kText, "Login WebAPI e-Nadawcy"),
          SecretKey("password", "Hasło WebAPI e-Nadawcy"),
          Plain("id_bufor", false, Kind::kSmallInt,
                "Numer bufora e-Nadawcy (puste: domyślny bufor konta)"),
          Plain("urzad_nadania", false, Kind::kSmallInt,
                "Numer urzędu nadania do wysyłki zbioru (getUrzedyNadania)"),
          Plain("pdf_page_a4", false, Kind::kBool,
                "true, jeśli w panelu e-Nadawcy ustawiono etykiety PDF na stronie A4"),
      };
      break;
    case Carrier::kOrlenPaczka:
      own = {
          Plain("endpoint", false, Kind::kUrl,
                "Adres usługi ORLEN Paczka (domyślnie produkcyjny "
                "https://api.orlenpaczka.pl/WebServicePwRProd/WebServicePwR.asmx)"),
          Plain("partner_id", true, Kind::kNumericId, "PartnerID nadany przez ORLEN Paczka"),
          SecretKey("partner_key", "PartnerKey (hasło WebTrucker) nadany przez ORLEN Paczka"),
          Plain("auto_destination_change", false, Kind::kBool,
                "true (domyślnie): ORLEN może zmienić niedostępny punkt na pobliski"),
      };
      break;
    case Carrier::kDpd:
      own = {
          Plain("package_base_url", false, Kind::kUrl,
                "Adres DPDServices (domyślnie produkcyjny https://dpdservices.dpd.com.pl)"),
          Plain("info_base_url", false, Kind::kUrl,
                "Adres DPD InfoServices do śledzenia (domyślnie "
                "https://dpdinfoservices.dpd.com.pl)"),
          Plain("login", true, Kind::kNumericId, "Login DPDServices (liczba nadana przez DPD)"),
          SecretKey("password", "Hasło DPDServices"),
          Plain("master_fid", true, Kind::kNumericId, "Numer klienta DPD (masterFid, FID)"),
      };
      break;
    case Carrier::kAllegroShipping:
      // allegro_shipping/mapping.hpp ParseSettings reads these and checks their values.
      own = {
          Plain("delivery_method_id", false, Kind::kAllegroShipping,
                "UUID metody dostawy Allegro używanej zamiast metody z zamówienia (puste: z "
                "zamówienia)"),
          Plain("credentials_id", false, Kind::kAllegroShipping,
                "UUID własnej umowy z przewoźnikiem w Wysyłam z Allegro (puste: Allegro "
                "Standard)"),
          Plain("label_format", false, Kind::kAllegroShipping,
                "Format etykiet tworzonych przez Allegro: pdf (domyślnie) albo zpl"),
          Plain("tracking_carrier_id", false, Kind::kAllegroShipping,
                "Identyfikator przewoźnika w Allegro do śledzenia (np. INPOST, DPD; puste: "
                "rozpoznawany z numeru)"),
      };
      break;
  }
  auto shared = SharedSpecs();
  own.insert(own.end(), shared.begin(), shared.end());
  return own;
}

// For messages: a value the seller typed, bounded and without control characters.
std::string Shown(std::string_view value) { return TruncateUtf8(CleanText(value), 40); }

std::size_t Distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const bool same = a[i - 1] == b[j - 1];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "Organization-ID" and "organization_id" are the same slip.
std::string Canonical(std::string_view key) {
  std::string out = AsciiLower(key);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::optional<std::string> Suggest(std::string_view unknown, const std::vector<KeySpec>& specs) {
  const std::string wanted = Canonical(unknown);
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, wanted.size() / 3) + 1;
  for (const auto& s : specs) {
    const std::size_t d = Distance(wanted, s.key.key);
    if (d < best_distance) {
      best_distance = d;
      best = s.key.key;
    }
  }
  return best;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<bool> ParseBool(std::string_view s) {
  const std::string v = AsciiLower(s);
  if (v == "true" || v == "1" || v == "yes" || v == "tak") return true;
  if (v == "false" || v == "0" || v == "no" || v == "nie") return false;
  return std::nullopt;
}

// http(s)://host[...], nothing that can't be in a URL.
std::optional<std::string> UrlProblem(std::string_view url) {
  std::string_view rest;
  const std::string lower = AsciiLower(url);
  if (lower.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (lower.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return fmt::format(
        "„{}” nie jest adresem http:// ani https://: podaj pełny adres, np. "
        "https://…",
        Shown(url));
  }
  const std::size_t host_end = rest.find_first_of("/?#");
  if (rest.substr(0, host_end).empty()) {
    return fmt::format("w adresie „{}” brakuje nazwy serwera", Shown(url));
  }
  for (unsigned char c : url) {
    if (c <= ' ' || c == 0x7f) {
      return fmt::format("adres „{}” zawiera spacje lub znaki sterujące", Shown(url));
    }
  }
  return std::nullopt;
}

// NRB: 26 digits (spaces, dashes and a leading "PL" allowed) whose first two are the IBAN check
// digits for country PL.
std::optional<std::string> NrbProblem(std::string_view account) {
  std::string_view a = account;
  while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
  if (a.size() >= 2 && (a[0] == 'P' || a[0] == 'p') && (a[1] == 'L' || a[1] == 'l')) {
    a.remove_prefix(2);
  }
  std::string digits;
  for (char c : a) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-') {
      return "numer rachunku może zawierać tylko cyfry (spacje i myślniki są pomijane): podaj "
             "26-cyfrowy NRB";
    }
  }
  if (digits.size() != 26) {
    const std::size_t n = digits.size();
    const bool few = n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14);
    return fmt::format(
        "numer rachunku ma {} {}, a NRB ma ich 26: sprawdź, czy nie brakuje lub nie "
        "przybyło cyfry",
        n,
        n == 1 ? "cyfrę"
        : few  ? "cyfry"
               : "cyfr");
  }
  // IBAN mod 97: the 24 digits after the check digits, "PL" as 25 21, then the check digits.
  const std::string rearranged = digits.substr(2) + "2521" + digits.substr(0, 2);
  int mod = 0;
  for (char c : rearranged) mod = (mod * 10 + (c - '0')) % 97;
  if (mod != 1) {
    return "suma kontrolna numeru rachunku się nie zgadza (to nie jest poprawny NRB): przepisz "
           "numer z wyciągu lub z banku";
  }
  return std::nullopt;
}

bool ValidService(Carrier carrier, std::string_view service) {
  switch (carrier) {
    case Carrier::kInPost:
      return inpost::IsKnownService(service);
    case Carrier::kPocztaPolska:
      return poczta_polska::IsPocztex(service) || poczta_polska::IsPaczka(service);
    case Carrier::kDpd:
      return service == dpd::kServiceClassic || service == dpd::kServicePickup;
    case Carrier::kOrlenPaczka:
    case Carrier::kAllegroShipping:
      return true;  // one product (ORLEN); the order's delivery method (Allegro)
  }
  return true;
}

std::string_view ServiceHint(Carrier carrier) {
  switch (carrier) {
    case Carrier::kInPost:
      return "np. inpost_locker_standard lub inpost_courier_standard";
    case Carrier::kPocztaPolska:
      return "pocztex_kurier, paczka_pocztowa lub paczka_pocztowa_priorytet";
    case Carrier::kDpd:
      return "dpd_classic lub dpd_pickup";
    default:
      return "";
  }
}

// The sizes each carrier names; empty: any text (DPD has none, Allegro takes the order's).
std::vector<std::string_view> Templates(Carrier carrier) {
  switch (carrier) {
    case Carrier::kInPost:
      return {"A", "B", "C", "small", "medium", "large"};
    case Carrier::kOrlenPaczka:
      return {"S", "M", "L", "A", "B", "C"};
    case Carrier::kPocztaPolska:
      return {"S", "M", "L", "XL", "2XL", "A", "B", "GABARYT_A", "GABARYT_B"};
    default:
      return {};
  }
}

constexpr std::string_view kSendingMethods[] = {"parcel_locker",  "pok", "courier_pok", "branch",
                                                "dispatch_order", "pop", "any_point"};

std::string Join(const std::vector<std::string_view>& items) {
  std::string out;
  for (auto i : items) {
    if (!out.empty()) out += ", ";
    out += i;
  }
  return out;
}

std::optional<std::string> ValueProblem(Carrier carrier, const KeySpec& spec,
                                        std::string_view value) {
  switch (spec.kind) {
    case Kind::kText:
      return std::nullopt;
    case Kind::kNumericId:
      if (AllDigits(value) && value.size() <= 18) return std::nullopt;
      return fmt::format("„{}” nie jest liczbą: podaj sam numer, same cyfry", Shown(value));
    case Kind::kSmallInt:
      if (AllDigits(value) && value.size() <= 9) return std::nullopt;
      return fmt::format("„{}” nie jest numerem: podaj same cyfry (najwyżej 9)", Shown(value));
    case Kind::kUrl:
      return UrlProblem(value);
    case Kind::kBool:
      if (ParseBool(value)) return std::nullopt;
      return fmt::format("„{}” to nie tak/nie: podaj true albo false", Shown(value));
    case Kind::kWeight:
      if (AllDigits(value) && value.size() <= 7 && std::stoll(std::string(value)) >= 1 &&
          std::stoll(std::string(value)) <= kMaxWeightGrams) {
        return std::nullopt;
      }
      return fmt::format(
          "„{}” nie jest wagą w gramach: podaj liczbę całkowitą od 1 do {} (np. 1000 to 1 kg)",
          Shown(value), kMaxWeightGrams);
    case Kind::kLength:
      if (AllDigits(value) && value.size() <= 5 && std::stoll(std::string(value)) >= 1 &&
          std::stoll(std::string(value)) <= kMaxLengthMm) {
        return std::nullopt;
      }
      return fmt::format(
          "„{}” nie jest wymiarem w milimetrach: podaj liczbę całkowitą od 1 do {} (np. 300)",
          Shown(value), kMaxLengthMm);
    case Kind::kNrb:
      return NrbProblem(value);
    case Kind::kService:
      if (ValidService(carrier, value)) return std::nullopt;
      return fmt::format("{} nie ma usługi „{}”: wybierz {}", domain::CarrierDisplayName(carrier),
                         Shown(value), ServiceHint(carrier));
    case Kind::kTemplate: {
      const auto names = Templates(carrier);
      if (names.empty()) return std::nullopt;
      const std::string upper = [&] {
        std::string u(value);
        for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return u;
      }();
      for (auto n : names) {
        if (value == n || upper == n) return std::nullopt;
      }
      return fmt::format("{} nie ma gabarytu „{}”: wybierz jeden z: {}",
                         domain::CarrierDisplayName(carrier), Shown(value), Join(names));
    }
    case Kind::kAllegroShipping: {
      auto parsed = allegro_shipping::ParseSettings({{spec.key.key, std::string(value)}});
      if (parsed) return std::nullopt;
      return parsed.error().message;
    }
    case Kind::kSendingMethod:
      for (auto m : kSendingMethods) {
        if (value == m) return std::nullopt;
      }
      return fmt::format("„{}” nie jest sposobem nadania ShipX: wybierz jeden z: {}", Shown(value),
                         Join({std::begin(kSendingMethods), std::end(kSendingMethods)}));
  }
  return std::nullopt;
}

const KeySpec* FindSpec(const std::vector<KeySpec>& specs, std::string_view key) {
  for (const auto& s : specs) {
    if (s.key.key == key) return &s;
  }
  return nullptr;
}

// A plain value, empty when not set.
std::string Value(const domain::CarrierSettings& s, const std::string& key) {
  auto it = s.settings.find(key);
  return it == s.settings.end() ? std::string() : std::string(Trim(it->second));
}

Secret<std::string> SecretValue(const domain::CarrierSettings& s, const std::string& key) {
  auto it = s.secrets.find(key);
  return it == s.secrets.end() ? Secret<std::string>() : it->second;
}

std::string UrlOr(const domain::CarrierSettings& s, const std::string& key,
                  const std::string& fallback) {
  const std::string v = Value(s, key);
  return v.empty() ? fallback : TrimTrailingSlashes(v);
}

std::optional<int> IntOf(const std::string& v) {
  if (!AllDigits(v) || v.size() > 9) return std::nullopt;
  return std::stoi(v);
}

}  // namespace

std::vector<SettingKey> SettingKeys(Carrier carrier) {
  std::vector<SettingKey> out;
  for (auto& s : Specs(carrier)) out.push_back(std::move(s.key));
  return out;
}

std::vector<SettingProblem> ValidateCarrierSettings(const domain::CarrierSettings& settings) {
  const Carrier carrier = settings.carrier;
  const auto specs = Specs(carrier);
  std::vector<SettingProblem> problems;
  auto unknown = [&](const std::string& key) {
    if (auto suggestion = Suggest(key, specs)) {
      problems.push_back(
          {key, fmt::format("{} nie zna ustawienia „{}”: czy chodziło o „{}”?",
                            domain::CarrierDisplayName(carrier), Shown(key), *suggestion)});
      return;
    }
    std::vector<std::string_view> names;
    for (const auto& s : specs) names.push_back(s.key.key);
    problems.push_back(
        {key, fmt::format("{} nie zna ustawienia „{}”; zna: {}",
                          domain::CarrierDisplayName(carrier), Shown(key), Join(names))});
  };

  for (const auto& [key, value] : settings.settings) {
    const KeySpec* spec = FindSpec(specs, key);
    if (!spec) {
      unknown(key);
      continue;
    }
    if (spec->key.secret) {
      problems.push_back({key, fmt::format("„{}” jest sekretem: podaj go jako sekret (w CLI "
                                           "--secret {}=…), nie jako zwykłe ustawienie",
                                           key, key)});
      continue;
    }
    const std::string v(Trim(value));
    if (v.empty()) continue;
    if (auto problem = ValueProblem(carrier, *spec, v)) problems.push_back({key, *problem});
  }
  for (const auto& [key, value] : settings.secrets) {
    const KeySpec* spec = FindSpec(specs, key);
    if (!spec) {
      unknown(key);
      continue;
    }
    if (!spec->key.secret) {
      problems.push_back({key, fmt::format("„{}” nie jest sekretem: podaj je jako zwykłe "
                                           "ustawienie (w CLI --set {}=…)",
                                           key, key)});
    }
  }
  for (const auto& spec : specs) {
    if (!spec.key.required) continue;
    const bool present = spec.key.secret ? !SecretValue(settings, spec.key.key).empty()
                                         : !Value(settings, spec.key.key).empty();
    const bool misplaced = spec.key.secret ? settings.settings.count(spec.key.key) > 0
                                           : settings.secrets.count(spec.key.key) > 0;
    if (!present && !misplaced) {
      problems.push_back({spec.key.key, fmt::format("brak wymaganego ustawienia „{}”: {}",
                                                    spec.key.key, spec.key.description)});
    }
  }
  const auto& sender = settings.sender;
  if (!sender.postal_code.empty() && (sender.country_code.empty() || sender.country_code == "PL") &&
      !NormalizePostalCode(sender.postal_code)) {
    problems.push_back(
        {"sender.postal_code", fmt::format("kod pocztowy nadawcy „{}” nie ma postaci NN-NNN",
                                           Shown(sender.postal_code))});
  }
  if (!sender.phone.empty() && (sender.country_code.empty() || sender.country_code == "PL") &&
      !NormalizePolishPhone(sender.phone)) {
    problems.push_back(
        {"sender.phone", fmt::format("telefon nadawcy „{}” nie jest polskim numerem (9 cyfr)",
                                     Shown(sender.phone))});
  }
  return problems;
}

Result<std::unique_ptr<CarrierConnector>> MakeCarrierConnector(
    const domain::CarrierSettings& settings, CarrierEnv& env) {
  if (auto problems = ValidateCarrierSettings(settings); !problems.empty()) {
    std::string listed;
    for (const auto& p : problems) {
      if (!listed.empty()) listed += "; ";
      listed += p.key + ": " + p.message;
    }
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("Ustawienia przewoźnika {} wymagają poprawy (Ustawienia > "
                            "Przewoźnicy): {}",
                            domain::CarrierDisplayName(settings.carrier), listed));
  }
  switch (settings.carrier) {
    case Carrier::kInPost: {
      inpost::InPostSettings s;
      s.base_url = UrlOr(settings, "base_url", s.base_url);
      s.organization_id = Value(settings, "organization_id");
      s.token = SecretValue(settings, "token");
      if (auto m = Value(settings, "default_sending_method"); !m.empty()) {
        s.default_sending_method = m;
      }
      return std::unique_ptr<CarrierConnector>(
          std::make_unique<inpost::InPostConnector>(env.http, std::move(s)));
    }
    case Carrier::kPocztaPolska: {
      poczta_polska::PocztaPolskaSettings s;
      s.base_url = UrlOr(settings, "base_url", s.base_url);
      s.login = Value(settings, "login");
      s.password = SecretValue(settings, "password");
      s.id_bufor = IntOf(Value(settings, "id_bufor"));
      s.urzad_nadania = IntOf(Value(settings, "urzad_nadania"));
      if (auto a4 = ParseBool(Value(settings, "pdf_page_a4"))) s.pdf_page_a4 = *a4;
      return std::unique_ptr<CarrierConnector>(
          std::make_unique<poczta_polska::PocztaPolskaConnector>(env.http, std::move(s)));
    }
    case Carrier::kOrlenPaczka: {
      orlen::OrlenSettings s;
      s.endpoint = UrlOr(settings, "endpoint", s.endpoint);
      s.partner_id = Value(settings, "partner_id");
      s.partner_key = SecretValue(settings, "partner_key");
      if (auto change = ParseBool(Value(settings, "auto_destination_change"))) {
        s.pack_options.auto_destination_change = *change;
      }
      return std::unique_ptr<CarrierConnector>(
          std::make_unique<orlen::OrlenConnector>(env.http, std::move(s)));
    }
    case Carrier::kDpd: {
      dpd::DpdSettings s;
      s.package_base_url = UrlOr(settings, "package_base_url", s.package_base_url);
      s.info_base_url = UrlOr(settings, "info_base_url", s.info_base_url);
      s.login = Value(settings, "login");
      s.password = SecretValue(settings, "password");
      s.master_fid = Value(settings, "master_fid");
      // The credentials check asks about a postal code: the seller's own is the natural one.
      if (auto code = NormalizePostalCode(settings.sender.postal_code)) {
        s.check_postal_code = *code;
      }
      return std::unique_ptr<CarrierConnector>(
          std::make_unique<dpd::DpdConnector>(env.http, std::move(s)));
    }
    case Carrier::kAllegroShipping: {
      if (!env.allegro) {
        return Fail(ErrorCode::kFailedPrecondition,
                    "Wysyłam z Allegro needs the account's Allegro connection, which this process "
                    "does not have: use it from `nadajnik serve` or the CLI with the account "
                    "connected");
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto allegro, env.allegro->ForAccount(settings.account_id));
      return allegro_shipping::MakeConnector(settings, std::move(allegro));
    }
  }
  return Fail(ErrorCode::kInvalidArgument, "unknown carrier");
}

}  // namespace nadajnik::carriers
