#include "sandbox/allegro/generator.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/text.hpp"

namespace nadajnik::sandbox::allegro {

namespace {

// ---- Deterministic randomness -----------------------------------------------------------------
// Everything below draws from SplitMix64 streams keyed by hashes of (seed, what, which), and
// bounded numbers come from Lemire's multiply-and-reject: no <random> distributions, whose
// output differs between standard libraries, and no floating point.

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

// SplitMix64's finalizer: a bijection on 64 bits.
constexpr std::uint64_t Mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// For a fixed `a`, distinct `b` give distinct hashes (Mix64 is a bijection).
constexpr std::uint64_t Hash(std::uint64_t a, std::uint64_t b) {
  return Mix64(Mix64(a + kGolden) ^ (b + 0xD1B54A32D192ED03ULL));
}

// "lowbias32" (C. Wellons): a bijection on 32 bits with good avalanche.
constexpr std::uint32_t Permute32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352DU;
  x ^= x >> 15;
  x *= 0x846CA68BU;
  x ^= x >> 16;
  return x;
}

// Independent streams per purpose, so adding a draw to one never shifts another.
constexpr std::uint64_t kOrderStream = 1;
constexpr std::uint64_t kBuyerStream = 2;
constexpr std::uint64_t kBuyerIdStream = 3;
constexpr std::uint64_t kOfferStream = 4;
constexpr std::uint64_t kUuidHighStream = 5;
constexpr std::uint64_t kUuidLowStream = 6;
constexpr std::uint64_t kRevisionStream = 7;

// Tags of DeterministicUuid(seed, index, tag) for one order's ids. The state relies on tag 0
// being the checkout form id (World::CheckoutFormId).
constexpr std::uint64_t kCheckoutFormTag = 0;
constexpr std::uint64_t kPaymentTag = 1;
constexpr std::uint64_t kSurchargeTag = 2;
constexpr std::uint64_t kLineItemTag = 16;  // + item number

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    state_ += kGolden;
    return Mix64(state_);
  }
  // Uniform in [0, n), n > 0, without modulo bias.
  std::uint64_t Below(std::uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(Next()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
  // Uniform in [lo, hi].
  std::int64_t Between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  bool Percent(int percent) { return Below(100) < static_cast<std::uint64_t>(percent); }

  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }
  // Items with a `weight` member, chosen in proportion to it.
  template <typename T>
  const T& PickWeighted(std::span<const T> items) {
    std::uint64_t total = 0;
    for (const T& t : items) total += static_cast<std::uint64_t>(t.weight);
    std::uint64_t r = Below(total);
    for (const T& t : items) {
      if (r < static_cast<std::uint64_t>(t.weight)) return t;
      r -= static_cast<std::uint64_t>(t.weight);
    }
    return items.back();
  }

  std::string Chars(std::string_view alphabet, int n) {
    std::string out;
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) out += alphabet[Below(alphabet.size())];
    return out;
  }
  std::string Digits(int n) { return Chars("0123456789", n); }
  std::string Hex(int n) { return Chars("0123456789abcdef", n); }

 private:
  std::uint64_t state_;
};

// ---- Text helpers -----------------------------------------------------------------------------

// Latin-1 Supplement and Latin Extended-A letters (U+00C0..U+017F) folded to their ASCII base
// letter ('_' = no letter: dropped). Logins are ASCII, names are not.
constexpr std::string_view kFoldTable =
    "AAAAAAACEEEEIIIIDNOOOOO_OUUUUYTsaaaaaaaceeeeiiiidnooooo_ouuuuyty"
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlL"
    "lLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
static_assert(kFoldTable.size() == 0x180 - 0xC0);

std::string AsciiFold(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out += static_cast<char>(c);
      }
      continue;
    }
    if ((c & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
      const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu);
      ++i;
      if (cp >= 0xC0 && cp < 0x180 && kFoldTable[cp - 0xC0] != '_') out += kFoldTable[cp - 0xC0];
      continue;
    }
    while (i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) ++i;
  }
  return out;
}

std::string Replace(std::string_view pattern, std::string_view value) {
  std::string out(pattern);
  if (auto at = out.find("{}"); at != std::string::npos) out.replace(at, 2, value);
  return out;
}

// Splits "a|b|c" and picks one; then every '#' becomes a random digit.
std::string FromPattern(std::string_view alternatives, Rng& rng) {
  std::array<std::string_view, 32> parts{};
  std::size_t n = 0;
  while (n < parts.size()) {
    const auto bar = alternatives.find('|');
    parts[n++] = alternatives.substr(0, bar);
    if (bar == std::string_view::npos) break;
    alternatives.remove_prefix(bar + 1);
  }
  std::string out(parts[rng.Below(n)]);
  for (char& ch : out) {
    if (ch == '#') ch = static_cast<char>('0' + rng.Below(10));
  }
  return out;
}

// ---- Data -------------------------------------------------------------------------------------

struct Surname {
  std::string_view male;
  std::string_view female;
};

struct City {
  std::string_view name;
  std::string_view postal;  // alternatives separated by '|', '#' = a random digit
  std::string_view code;    // InPost's locker prefix (Poland only)
  int weight;
};

enum class PointKind : std::uint8_t {
  kNone,  // courier to an address
  kInpostLocker,
  kOneBox,
  kOrlenPaczka,
  kDpdPickupPl,
  kPacketa,
  kZBox,
  kBalikovna,
  kDpdPickupSk,
  kFoxpost,
  kGlsPoint,
};

struct DeliveryMethod {
  std::string_view id;  // Allegro's delivery method UUID
  std::string_view name;
  PointKind point;
  bool cod;
  int weight;  // popularity among the methods of the same kind
  // Cost when not Smart: base + step * [0, steps), in the marketplace's minor units.
  std::int64_t cost_base;
  std::int64_t cost_step;
  int cost_steps;
};

enum class PriceStyle : std::uint8_t { kCents, kWholeCrowns, kWholeForints };
enum class HouseStyle : std::uint8_t { kPolish, kCzechoslovak, kHungarian };
enum class TaxIdKind : std::uint8_t { kPlNip, kCzIco, kSkIco, kHuAdoszam };

struct Country {
  std::string_view country_code;
  std::string_view language;
  std::string_view phone_prefix;
  std::span<const std::string_view> mobile_prefixes;  // 2 digits, then 7 more
  std::span<const std::string_view> female;
  std::span<const std::string_view> male;
  std::span<const Surname> surnames;
  std::span<const City> cities;
  std::span<const std::string_view> streets;
  std::span<const std::string_view> nicknames;  // login stems
  std::span<const std::string_view> hobbies;    // login stems too
  std::span<const std::string_view> companies;  // "{}" = a surname
  std::span<const std::string_view> point_descriptions;
  std::span<const std::string_view> notes;
  std::span<const DeliveryMethod> methods;
  HouseStyle house;
  PriceStyle price_style;
  TaxIdKind tax_id;
  // One PLN in this currency, as a fraction (prices are kept in PLN and converted).
  std::int64_t rate_num;
  std::int64_t rate_den;
  int smart_percent;  // of online orders above the Smart! minimum
};

// -- Poland

constexpr std::string_view kPlMobile[] = {"50", "51", "53", "57", "60", "66",
                                          "69", "72", "73", "78", "79", "88"};
constexpr std::string_view kPlFemale[] = {
    "Anna",   "Katarzyna",  "Małgorzata", "Agnieszka", "Joanna", "Barbara",  "Ewa",
    "Żaneta", "Magdalena",  "Elżbieta",   "Grażyna",   "Bożena", "Jadwiga",  "Zofia",
    "Łucja",  "Aleksandra", "Natalia",    "Wiktoria",  "Dorota", "Jolanta",  "Urszula",
    "Halina", "Iwona",      "Sylwia",     "Renata",    "Monika", "Weronika", "Alicja"};
constexpr std::string_view kPlMale[] = {
    "Jan",     "Piotr",    "Krzysztof", "Andrzej",    "Tomasz",    "Paweł",    "Michał",
    "Łukasz",  "Grzegorz", "Mikołaj",   "Bartłomiej", "Wojciech",  "Maciej",   "Jarosław",
    "Józef",   "Marek",    "Rafał",     "Sławomir",   "Zbigniew",  "Jędrzej",  "Przemysław",
    "Mateusz", "Kamil",    "Szymon",    "Dariusz",    "Stanisław", "Mirosław", "Adam"};
constexpr Surname kPlSurnames[] = {
    {"Nowak", "Nowak"},
    {"Kowalski", "Kowalska"},
    {"Wiśniewski", "Wiśniewska"},
    {"Wójcik", "Wójcik"},
    {"Kowalczyk", "Kowalczyk"},
    {"Kamiński", "Kamińska"},
    {"Lewandowski", "Lewandowska"},
    {"Zieliński", "Zielińska"},
    {"Szymański", "Szymańska"},
    {"Woźniak", "Woźniak"},
    {"Dąbrowski", "Dąbrowska"},
    {"Kozłowski", "Kozłowska"},
    {"Jankowski", "Jankowska"},
    {"Mazur", "Mazur"},
    {"Kwiatkowski", "Kwiatkowska"},
    {"Krawczyk", "Krawczyk"},
    {"Piotrowski", "Piotrowska"},
    {"Grabowski", "Grabowska"},
    {"Pawłowski", "Pawłowska"},
    {"Michalski", "Michalska"},
    {"Król", "Król"},
    {"Wieczorek", "Wieczorek"},
    {"Jabłoński", "Jabłońska"},
    {"Wróbel", "Wróbel"},
    {"Stępień", "Stępień"},
    {"Górski", "Górska"},
    {"Kaźmierczak", "Kaźmierczak"},
    {"Maćkowiak", "Maćkowiak"},
    {"Śliwiński", "Śliwińska"},
    {"Zając", "Zając"},
    {"Bąk", "Bąk"},
    {"Pająk", "Pająk"},
    {"Gołębiowski", "Gołębiowska"},
    {"Żółkiewski", "Żółkiewska"},
    {"Chmielewski", "Chmielewska"},
    {"Cieślak", "Cieślak"},
    {"Głowacki", "Głowacka"},
    {"Sobczak", "Sobczak"},
    {"Kołodziej", "Kołodziej"},
    {"Ziółkowski", "Ziółkowska"},
};
constexpr City kPlCities[] = {
    {"Warszawa", "00-###|01-###|02-###|03-###|04-###", "WAW", 14},
    {"Kraków", "30-###|31-###", "KRA", 7},
    {"Łódź", "90-###|91-###|92-###|93-###|94-###", "LOD", 6},
    {"Wrocław", "50-###|51-###|52-###|53-###|54-###", "WRO", 6},
    {"Poznań", "60-###|61-###", "POZ", 5},
    {"Gdańsk", "80-###", "GDA", 4},
    {"Szczecin", "70-###|71-###", "SZC", 3},
    {"Bydgoszcz", "85-###", "BYD", 3},
    {"Lublin", "20-###", "LUB", 3},
    {"Białystok", "15-###", "BIA", 2},
    {"Katowice", "40-###", "KAT", 3},
    {"Gdynia", "81-###", "GDY", 2},
    {"Częstochowa", "42-2##", "CZE", 2},
    {"Radom", "26-6##", "RAD", 2},
    {"Toruń", "87-1##", "TOR", 2},
    {"Rzeszów", "35-###", "RZE", 2},
    {"Kielce", "25-###", "KIE", 2},
    {"Olsztyn", "10-###", "OLS", 2},
    {"Zielona Góra", "65-###", "ZGO", 1},
    {"Opole", "45-###", "OPO", 1},
    {"Gorzów Wielkopolski", "66-4##", "GOR", 1},
    {"Bielsko-Biała", "43-3##", "BBI", 1},
    {"Płock", "09-4##", "PLC", 1},
    {"Elbląg", "82-3##", "ELB", 1},
    {"Tarnów", "33-1##", "TAR", 1},
    {"Koszalin", "75-###", "KOS", 1},
    {"Zamość", "22-4##", "ZAM", 1},
    {"Łańcut", "37-100", "LAN", 1},
    {"Świdnica", "58-1##", "SWD", 1},
    {"Nowy Sącz", "33-3##", "NSA", 1},
    {"Żyrardów", "96-300", "ZYR", 1},
    {"Mińsk Mazowiecki", "05-300", "MIN", 1},
    {"Kędzierzyn-Koźle", "47-2##", "KKO", 1},
    {"Gniezno", "62-200", "GNI", 1},
};
constexpr std::string_view kPlStreets[] = {
    "Grunwaldzka",
    "Marszałkowska",
    "Piotrkowska",
    "Świętokrzyska",
    "Żeromskiego",
    "al. Jana Pawła II",
    "Kościuszki",
    "Mickiewicza",
    "Słowackiego",
    "Źródlana",
    "os. Bolesława Chrobrego",
    "Łąkowa",
    "Ogrodowa",
    "Długa",
    "Wiśniowa",
    "Żwirki i Wigury",
    "Gęsia",
    "Poniatowskiego",
    "pl. Wolności",
    "Sienkiewicza",
    "Krótka",
    "Polna",
    "Leśna",
    "Lipowa",
    "Szkolna",
    "Kwiatowa",
    "Różana",
    "Słoneczna",
    "Młyńska",
    "Kolejowa",
    "Brzozowa",
    "3 Maja",
    "Armii Krajowej",
    "Piękna",
    "Ćmielowska",
    "Solna",
    "Chełmońskiego",
    "Wojska Polskiego",
    "Bohaterów Westerplatte",
    "al. Niepodległości",
};
constexpr std::string_view kPlNicknames[] = {
    "Kasia", "Tomek", "Ania", "Gosia",  "Kuba", "Bartek", "Magda",    "Pawel", "Zosia", "Olek",
    "Jacek", "Ewka",  "Asia", "Wojtek", "Ola",  "Basia",  "Krzysiek", "Michu", "Grzes", "Marta"};
constexpr std::string_view kPlHobbies[] = {"wedkarz",       "rowerzysta", "mama",    "kolekcjoner",
                                           "majsterkowicz", "ogrodnik",   "kociara", "biegacz",
                                           "modelarz",      "gracz"};
constexpr std::string_view kPlCompanies[] = {"P.H.U. {}",
                                             "{} Sp. z o.o.",
                                             "Biuro Rachunkowe {} s.c.",
                                             "Zakład Stolarski {}",
                                             "Auto-Serwis {} Sp. j.",
                                             "{} & Syn Sp. z o.o.",
                                             "F.H. „{}” Sp. z o.o.",
                                             "Hurtownia Budowlana {}",
                                             "Usługi Remontowo-Budowlane {}"};
constexpr std::string_view kPlPointDescriptions[] = {"Stacja paliw BP",
                                                     "Przy sklepie Żabka",
                                                     "Obok wejścia do Biedronki",
                                                     "Parking przy Lidlu",
                                                     "Stacja paliw ORLEN",
                                                     "Przy wejściu do bloku nr 12",
                                                     "Galeria handlowa, poziom -1",
                                                     "Przy przystanku tramwajowym",
                                                     "Naprzeciwko poczty",
                                                     "Osiedlowy pawilon handlowy"};
constexpr std::string_view kPlNotes[] = {"Proszę o staranne zapakowanie, to prezent 🎁",
                                         "Proszę dzwonić przed dostawą.\nDomofon nie działa.",
                                         "Czy można wysłać dzisiaj? Z góry dziękuję 🙂",
                                         "Bez paragonu w paczce – to \"niespodzianka\" 😊",
                                         "Kolor czarny, nie szary – poprzednio przyszedł zły.",
                                         "Proszę o wysyłkę w poniedziałek, w weekend mnie nie ma.",
                                         "Paczkę proszę zostawić u sąsiada pod 5 👍",
                                         "Faktura na firmę, dane w zamówieniu. Dziękuję!",
                                         "PILNE!!! Potrzebuję na piątek <urodziny córki> 🎂",
                                         "Adres: wejście od podwórza, klatka B & domofon 12.",
                                         "Rozmiar \"M\", nie \"L\".\nDziękuję 😉",
                                         "Proszę dołączyć instrukcję po polsku, jeśli można."};

constexpr DeliveryMethod kPlMethods[] = {
    {"2488f7b7-5d1c-4d65-b85c-4cbcf253fd93", "Allegro Paczkomaty InPost", PointKind::kInpostLocker,
     false, 45, 999, 100, 5},
    {"cfdcd8ce-c9b4-4f9c-a895-ccc418e259ff", "Allegro Paczkomaty InPost pobranie",
     PointKind::kInpostLocker, true, 60, 1499, 100, 4},
    {"8d2a481e-856c-4bb6-8b31-0c5a9d495bd7", "Allegro One Box", PointKind::kOneBox, false, 12, 899,
     100, 3},
    {"d39f92f2-b49d-4cd3-ac6b-ab7f3b17c52d", "Allegro Odbiór w Punkcie ORLEN Paczka",
     PointKind::kOrlenPaczka, false, 10, 899, 100, 3},
    {"20173e52-318a-4249-b1d9-760f777b5663", "Allegro Odbiór w Punkcie ORLEN Paczka pobranie",
     PointKind::kOrlenPaczka, true, 15, 1299, 100, 3},
    {"6c321e46-50eb-41aa-886a-cf0cbcc4d0be", "Allegro Odbiór w Punkcie DPD Pickup",
     PointKind::kDpdPickupPl, false, 6, 999, 100, 3},
    {"e8465779-7c98-4301-ad9f-24786136b1bb", "Allegro Kurier DPD", PointKind::kNone, false, 30,
     1399, 100, 6},
    {"cb0c5ea6-c259-4f9f-bd6c-042bb9affce2", "Allegro Kurier DPD pobranie", PointKind::kNone, true,
     40, 1899, 100, 5},
    {"862502fa-344e-4573-8577-00f9c78dc5a4", "Allegro Pocztex Kurier 48", PointKind::kNone, false,
     15, 1199, 100, 4},
    {"fc1839e3-b140-4acb-ad32-455667c01977", "Allegro Pocztex Kurier 48 pobranie", PointKind::kNone,
     true, 25, 1699, 100, 4},
    {"7fa3731c-a4b2-44ad-8e45-df4f6412640a", "Allegro Kurier24 InPost", PointKind::kNone, false, 25,
     1299, 100, 5},
    {"b978908e-5703-4603-9a1f-c1ae4fc4ce3e", "Allegro Kurier24 InPost pobranie", PointKind::kNone,
     true, 35, 1799, 100, 4},
    {"d4869ef2-2ba3-4361-8f97-b6f1517c8f5f", "Allegro One Kurier", PointKind::kNone, false, 10,
     1199, 100, 3},
};

// -- Czechia

constexpr std::string_view kCzMobile[] = {"60", "70", "72", "73", "77", "79"};
constexpr std::string_view kCzFemale[] = {"Jana",     "Marie",  "Eva",   "Hana",      "Lenka",
                                          "Kateřina", "Lucie",  "Věra",  "Petra",     "Tereza",
                                          "Markéta",  "Zdeňka", "Šárka", "Eliška",    "Anežka",
                                          "Barbora",  "Radka",  "Alena", "Jaroslava", "Ivana"};
constexpr std::string_view kCzMale[] = {"Jiří",   "Jan",    "Petr",      "Josef",    "Pavel",
                                        "Martin", "Tomáš",  "Jaroslav",  "Miroslav", "Zdeněk",
                                        "Václav", "Michal", "František", "Jakub",    "Lukáš",
                                        "Radek",  "Ondřej", "Vojtěch",   "Matěj",    "Přemysl"};
constexpr Surname kCzSurnames[] = {
    {"Novák", "Nováková"},      {"Svoboda", "Svobodová"},  {"Novotný", "Novotná"},
    {"Dvořák", "Dvořáková"},    {"Černý", "Černá"},        {"Procházka", "Procházková"},
    {"Kučera", "Kučerová"},     {"Veselý", "Veselá"},      {"Horák", "Horáková"},
    {"Němec", "Němcová"},       {"Pokorný", "Pokorná"},    {"Pospíšil", "Pospíšilová"},
    {"Hájek", "Hájková"},       {"Král", "Králová"},       {"Jelínek", "Jelínková"},
    {"Růžička", "Růžičková"},   {"Beneš", "Benešová"},     {"Fiala", "Fialová"},
    {"Sedláček", "Sedláčková"}, {"Doležal", "Doležalová"}, {"Kolář", "Kolářová"},
    {"Čermák", "Čermáková"},    {"Kříž", "Křížová"},       {"Vaněk", "Vaňková"},
    {"Šťastný", "Šťastná"},     {"Kůrka", "Kůrková"},      {"Štěpánek", "Štěpánková"},
};
constexpr City kCzCities[] = {
    {"Praha", "1#0 00", "", 10},
    {"Brno", "602 00|612 00|615 00|616 00|617 00|621 00|625 00|628 00|635 00|638 00", "", 5},
    {"Ostrava", "702 00|700 30|708 00|709 00|710 00", "", 4},
    {"Plzeň", "301 00|312 00|318 00|323 00|326 00", "", 2},
    {"Liberec", "460 01|460 06|460 07", "", 1},
    {"Olomouc", "779 00", "", 1},
    {"České Budějovice", "370 01|370 04|370 05", "", 1},
    {"Hradec Králové", "500 02|500 03|500 09", "", 1},
    {"Ústí nad Labem", "400 01|400 03|400 11", "", 1},
    {"Pardubice", "530 02|530 03|530 09", "", 1},
    {"Zlín", "760 01|760 05", "", 1},
    {"Havířov", "736 01", "", 1},
    {"Kladno", "272 01", "", 1},
    {"Jihlava", "586 01", "", 1},
    {"Třebíč", "674 01", "", 1},
    {"Karlovy Vary", "360 01|360 05", "", 1},
    {"Český Krumlov", "381 01", "", 1},
    {"Kroměříž", "767 01", "", 1},
    {"Děčín", "405 02", "", 1},
    {"Přerov", "750 02", "", 1},
};
constexpr std::string_view kCzStreets[] = {"Vinohradská",
                                           "Národní",
                                           "Palackého",
                                           "Husova",
                                           "Masarykova",
                                           "Nádražní",
                                           "Žižkova",
                                           "Komenského",
                                           "Tyršova",
                                           "Jiráskova",
                                           "Štefánikova",
                                           "Křižíkova",
                                           "Sokolovská",
                                           "Říční",
                                           "Dlouhá",
                                           "Polní",
                                           "Zahradní",
                                           "Lidická",
                                           "Na Příkopě",
                                           "Jungmannova",
                                           "Školní",
                                           "Nerudova",
                                           "Bělehradská",
                                           "Květná",
                                           "Lesní",
                                           "Krátká",
                                           "Třída Svobody",
                                           "U Družstva Ideál",
                                           "Václavské náměstí"};
constexpr std::string_view kCzNicknames[] = {"Honza", "Pepa",  "Lenka", "Petr",  "Kuba",
                                             "Bara",  "Misa",  "Tonda", "Jirka", "Katka",
                                             "Verca", "Terka", "Ondra", "Luky"};
constexpr std::string_view kCzHobbies[] = {"rybar", "cyklista",  "maminka", "sberatel",
                                           "kutil", "zahradnik", "hracka",  "chatar"};
constexpr std::string_view kCzCompanies[] = {
    "{} s.r.o.",       "Stavebniny {} a.s.",   "Truhlářství {}",
    "{} & syn s.r.o.", "Autoservis {} s.r.o.", "Účetní kancelář {}"};
constexpr std::string_view kCzPointDescriptions[] = {
    "Trafika u nádraží",   "Večerka Na Růžku", "Papírnictví Klíček",
    "Čerpací stanice MOL", "Albert, u vchodu", "Lékárna U Zlaté koruny"};
constexpr std::string_view kCzNotes[] = {"Prosím o pečlivé zabalení, je to dárek 🎁",
                                         "Prosím volejte před doručením.\nZvonek nefunguje.",
                                         "Potřebuji do pátku, děkuji moc! 🙂",
                                         "Barva \"černá\", ne šedá.",
                                         "Nechte prosím u sousedů v č. 5 & napište SMS.",
                                         "Fakturu prosím na firmu <viz údaje>."};

constexpr DeliveryMethod kCzMethods[] = {
    {"92fc8a86-d922-441b-ae6e-dc92cc49e1af", "Allegro Zásilkovna – výdejní místa",
     PointKind::kPacketa, false, 40, 5900, 1000, 4},
    {"6e150cfd-2a26-4364-b45a-3a155a0d75b3", "Allegro Zásilkovna – výdejní místa, dobírka",
     PointKind::kPacketa, true, 70, 8900, 1000, 3},
    {"9697c559-05d1-497c-a7ae-a46159068d6c", "Allegro Zásilkovna Z-BOX", PointKind::kZBox, false,
     15, 4900, 1000, 3},
    {"991253ed-586d-435f-8750-690342f721e8", "Allegro One Box", PointKind::kOneBox, false, 10, 4900,
     1000, 3},
    {"b8d1e761-f9a7-47d4-bc63-ccbe88bd42e5", "Allegro Balíkovna", PointKind::kBalikovna, false, 8,
     5900, 1000, 3},
    {"656143be-3b3f-4414-b384-4c58a7fee4fc", "Allegro Zásilkovna – doručení na adresu",
     PointKind::kNone, false, 35, 8900, 1000, 4},
    {"abe546f0-eab8-40af-958a-52c66309883a", "Allegro PPL kurýr", PointKind::kNone, false, 25, 9900,
     1000, 4},
    {"263299d0-0382-49dd-8eb6-b34dc20a1375", "Allegro PPL kurýr, dobírka", PointKind::kNone, true,
     30, 12900, 1000, 4},
    {"4cae1df7-91b8-44d7-abbd-c6f8df68418a", "Allegro DPD kurýr", PointKind::kNone, false, 20, 9900,
     1000, 3},
};

// -- Slovakia

constexpr std::string_view kSkMobile[] = {"90", "91", "94", "95"};
constexpr std::string_view kSkFemale[] = {"Zuzana",  "Lucia",    "Mária",    "Katarína", "Ľubica",
                                          "Jana",    "Silvia",   "Simona",   "Andrea",   "Veronika",
                                          "Ľudmila", "Dominika", "Michaela", "Jarmila",  "Ivana"};
constexpr std::string_view kSkMale[] = {"Ľubomír", "Ján",   "Peter",  "Martin",   "Michal",
                                        "Juraj",   "Marek", "Tomáš",  "Štefan",   "Dušan",
                                        "Ľuboš",   "Jozef", "Marián", "Miroslav", "Ondrej"};
constexpr Surname kSkSurnames[] = {
    {"Horváth", "Horváthová"}, {"Kováč", "Kováčová"},   {"Varga", "Vargová"},
    {"Tóth", "Tóthová"},       {"Baláž", "Balážová"},   {"Molnár", "Molnárová"},
    {"Lukáč", "Lukáčová"},     {"Šimko", "Šimková"},    {"Mikuláš", "Mikulášová"},
    {"Krajčír", "Krajčírová"}, {"Kollár", "Kollárová"}, {"Ďurica", "Ďuricová"},
    {"Ševčík", "Ševčíková"},   {"Hudák", "Hudáková"},   {"Oravec", "Oravcová"},
    {"Kráľ", "Kráľová"},       {"Mäsiar", "Mäsiarová"}, {"Pôbiš", "Pôbišová"},
};
constexpr City kSkCities[] = {
    {"Bratislava",
     "811 01|811 02|811 04|811 06|811 08|821 01|821 04|821 08|831 01|831 04|841 01|841 04|851 01|"
     "851 04",
     "", 8},
    {"Košice", "040 01|040 11|040 12|040 13|040 22", "", 4},
    {"Prešov", "080 01", "", 2},
    {"Žilina", "010 01|010 04|010 08", "", 2},
    {"Banská Bystrica", "974 01|974 04|974 05", "", 2},
    {"Nitra", "949 01", "", 2},
    {"Trnava", "917 01", "", 1},
    {"Trenčín", "911 01", "", 1},
    {"Martin", "036 01", "", 1},
    {"Poprad", "058 01", "", 1},
    {"Zvolen", "960 01", "", 1},
    {"Topoľčany", "955 01", "", 1},
    {"Šaľa", "927 01", "", 1},
    {"Veľký Krtíš", "990 01", "", 1},
    {"Piešťany", "921 01", "", 1},
    {"Liptovský Mikuláš", "031 01", "", 1},
    {"Ružomberok", "034 01", "", 1},
    {"Dolný Kubín", "026 01", "", 1},
};
constexpr std::string_view kSkStreets[] = {"Obchodná",
                                           "Štúrova",
                                           "Hlavná",
                                           "Námestie SNP",
                                           "Mäsiarska",
                                           "Kúpeľná",
                                           "Hviezdoslavova",
                                           "Jesenského",
                                           "Vajnorská",
                                           "Mlynské nivy",
                                           "Ružová",
                                           "Záhradnícka",
                                           "Dlhá",
                                           "Krížna",
                                           "Sládkovičova",
                                           "Dolná",
                                           "Staničná",
                                           "Žilinská",
                                           "Hurbanova",
                                           "Kollárova",
                                           "Mierová",
                                           "Kukučínova",
                                           "Nám. Ľudovíta Štúra"};
constexpr std::string_view kSkNicknames[] = {"Janko", "Zuzka", "Majo", "Katka", "Palo",  "Jozo",
                                             "Lubo",  "Evka",  "Mato", "Dano",  "Simka", "Peto"};
constexpr std::string_view kSkHobbies[] = {"rybar", "cyklista",  "mamicka", "zberatel",
                                           "kutil", "zahradkar", "hrac",    "chatar"};
constexpr std::string_view kSkCompanies[] = {
    "{} s.r.o.",       "Stavebniny {} a.s.",   "Stolárstvo {}",
    "{} & syn s.r.o.", "Autoservis {} s.r.o.", "Účtovníctvo {} s.r.o."};
constexpr std::string_view kSkPointDescriptions[] = {
    "Potraviny Jednota",   "Trafika pri pošte", "Čerpacia stanica Slovnaft",
    "Pri vchode do Tesca", "Kvetinárstvo Ruža", "Papiernictvo na námestí"};
constexpr std::string_view kSkNotes[] = {"Prosím o dôkladné zabalenie, je to darček 🎁",
                                         "Prosím zavolajte pred doručením.\nZvonček nefunguje.",
                                         "Balík prosím nechajte pri stĺpe brány, ďakujem.",
                                         "Ďakujem pekne, dôležité je rýchle doručenie 🙂",
                                         "Farba \"čierna\" & veľkosť M.",
                                         "Faktúru prosím na firmu <údaje v objednávke>."};

constexpr DeliveryMethod kSkMethods[] = {
    {"728308b4-023d-4989-82c0-39ff0b01558c", "Allegro Packeta – výdajné miesta",
     PointKind::kPacketa, false, 45, 249, 50, 4},
    {"b2eb71f6-3dbe-4120-96ba-65aaeeeaa2e1", "Allegro Packeta – výdajné miesta, dobierka",
     PointKind::kPacketa, true, 70, 349, 50, 4},
    {"1785860e-6d09-4324-aeaf-407eb425bb03", "Allegro Packeta Z-BOX", PointKind::kZBox, false, 10,
     199, 50, 3},
    {"be66e066-766e-433e-b549-0feb0ab1bb87", "Allegro DPD Pickup", PointKind::kDpdPickupSk, false,
     8, 249, 50, 3},
    {"75e08ec5-d6b3-4912-9ae9-cf901efb7304", "Allegro Packeta – doručenie na adresu",
     PointKind::kNone, false, 30, 399, 50, 4},
    {"fdc792f9-159c-4ce8-8089-1c764d7bf7bc", "Allegro DPD kuriér", PointKind::kNone, false, 25, 449,
     50, 4},
    {"4a57d725-3e56-4c54-9265-46a8262e40dc", "Allegro DPD kuriér, dobierka", PointKind::kNone, true,
     30, 549, 50, 4},
};

// -- Hungary

constexpr std::string_view kHuMobile[] = {"20", "30", "31", "50", "70"};
constexpr std::string_view kHuFemale[] = {
    "Mária", "Erzsébet", "Katalin", "Éva",     "Ilona",     "Zsuzsanna", "Judit",
    "Ágnes", "Eszter",   "Réka",    "Dóra",    "Nóra",      "Boglárka",  "Tünde",
    "Enikő", "Ildikó",   "Tímea",   "Gyöngyi", "Krisztina", "Orsolya"};
constexpr std::string_view kHuMale[] = {"László", "István", "József",  "János",  "Zoltán",
                                        "Sándor", "Gábor",  "Ferenc",  "Attila", "Péter",
                                        "Tamás",  "Zsolt",  "Csaba",   "György", "Gergő",
                                        "Bence",  "Máté",   "Levente", "Ödön",   "Győző"};
constexpr Surname kHuSurnames[] = {
    {"Nagy", "Nagy"},       {"Kovács", "Kovács"},     {"Tóth", "Tóth"},     {"Szabó", "Szabó"},
    {"Horváth", "Horváth"}, {"Varga", "Varga"},       {"Kiss", "Kiss"},     {"Molnár", "Molnár"},
    {"Németh", "Németh"},   {"Farkas", "Farkas"},     {"Balogh", "Balogh"}, {"Takács", "Takács"},
    {"Juhász", "Juhász"},   {"Mészáros", "Mészáros"}, {"Szűcs", "Szűcs"},   {"Török", "Török"},
    {"Fülöp", "Fülöp"},     {"Hegedűs", "Hegedűs"},   {"Vörös", "Vörös"},   {"Szőke", "Szőke"},
    {"Kőszegi", "Kőszegi"}, {"Fehér", "Fehér"},       {"Lukács", "Lukács"}, {"Bíró", "Bíró"},
};
constexpr City kHuCities[] = {
    {"Budapest",
     "1011|1024|1036|1042|1051|1065|1073|1082|1092|1106|1118|1122|1134|1145|1152|1163|1173|1181|"
     "1191|1203|1211|1221|1239",
     "", 10},
    {"Debrecen", "4024|4025|4026|4027|4028|4029|4031|4032", "", 2},
    {"Szeged", "672#", "", 2},
    {"Miskolc", "352#|353#", "", 2},
    {"Pécs", "762#", "", 2},
    {"Győr", "902#", "", 2},
    {"Nyíregyháza", "440#", "", 1},
    {"Kecskemét", "600#", "", 1},
    {"Székesfehérvár", "8000", "", 1},
    {"Szombathely", "9700", "", 1},
    {"Hódmezővásárhely", "6800", "", 1},
    {"Gödöllő", "2100", "", 1},
    {"Törökbálint", "2045", "", 1},
    {"Budaörs", "2040", "", 1},
    {"Eger", "3300", "", 1},
    {"Sopron", "9400", "", 1},
    {"Veszprém", "8200", "", 1},
    {"Zalaegerszeg", "8900", "", 1},
    {"Békéscsaba", "5600", "", 1},
    {"Tatabánya", "2800", "", 1},
};
constexpr std::string_view kHuStreets[] = {"Andrássy út",
                                           "Váci utca",
                                           "Rákóczi út",
                                           "Petőfi Sándor utca",
                                           "Kossuth Lajos utca",
                                           "Dózsa György út",
                                           "Széchenyi tér",
                                           "Bajcsy-Zsilinszky út",
                                           "Fő utca",
                                           "Szőlő utca",
                                           "Üllői út",
                                           "Arany János utca",
                                           "Jókai Mór utca",
                                           "Hűség utca",
                                           "Tűzoltó utca",
                                           "Kölcsey Ferenc utca",
                                           "Béke utca",
                                           "Deák Ferenc tér",
                                           "Könyves Kálmán körút",
                                           "Ady Endre utca",
                                           "Bartók Béla út",
                                           "Szent István körút",
                                           "Vörösmarty utca",
                                           "Móricz Zsigmond körtér"};
constexpr std::string_view kHuNicknames[] = {"Laci",  "Pisti", "Zsuzsi", "Kati", "Gabi",   "Feri",
                                             "Marci", "Eszti", "Bence",  "Dori", "Zsolti", "Niki"};
constexpr std::string_view kHuHobbies[] = {"horgasz",    "bringas", "anyuka", "gyujto",
                                           "ezermester", "kertesz", "gamer",  "futo"};
constexpr std::string_view kHuCompanies[] = {
    "{} Kft.",       "{} és Társa Bt.", "{} Építőipari Kft.", "{} Autószerviz Kft.",
    "{} & Fia Kft.", "{} Zrt."};
constexpr std::string_view kHuPointDescriptions[] = {
    "MOL töltőállomás", "Tesco bejárata mellett", "Dohánybolt",
    "SPAR áruház",      "Posta melletti parkoló", "Virágbolt a sarkon"};
constexpr std::string_view kHuNotes[] = {
    "Kérem, gondosan csomagolják be, ajándék lesz 🎁",
    "Kérem, hívjanak a kiszállítás előtt.\nA kapucsengő nem működik.",
    "Köszönöm szépen! 😊",
    "Szín: \"fekete\" & méret: M.",
    "Hétköznap 16 óra után vagyok otthon.",
    "Számlát kérek a cégre <adatok a rendelésben>."};

constexpr DeliveryMethod kHuMethods[] = {
    {"666a1a8a-304d-4203-960d-232645b2a2dc", "Allegro Foxpost csomagautomata", PointKind::kFoxpost,
     false, 40, 99000, 10000, 5},
    {"c7a4aeca-0df1-4071-add2-1e95650caad5", "Allegro Foxpost csomagautomata, utánvét",
     PointKind::kFoxpost, true, 70, 139000, 10000, 5},
    {"3b1f7a52-8e0c-4d6a-9f21-5c7e2b0d4a86", "Allegro Packeta átvevőhely", PointKind::kPacketa,
     false, 15, 89000, 10000, 4},
    {"5e9c2d17-a3f4-4b08-8c6e-1d0f7a9b3e52", "Allegro GLS CsomagPont", PointKind::kGlsPoint, false,
     10, 109000, 10000, 4},
    {"a0d4e6b3-7c21-4f95-b8e0-2f6a1c9d5e74", "Allegro GLS futár", PointKind::kNone, false, 40,
     149000, 10000, 6},
    {"e2c8b5f1-46d9-4a37-9b0e-8d3f7a1c6b29", "Allegro GLS futár, utánvét", PointKind::kNone, true,
     30, 189000, 10000, 6},
    {"7f3a9c0e-2b5d-4e81-a6f4-0c9e3d8b1a57", "Allegro MPL házhozszállítás", PointKind::kNone, false,
     10, 129000, 10000, 4},
};

constexpr Country kCountries[] = {
    {"PL",
     "pl-PL",
     "+48",
     kPlMobile,
     kPlFemale,
     kPlMale,
     kPlSurnames,
     kPlCities,
     kPlStreets,
     kPlNicknames,
     kPlHobbies,
     kPlCompanies,
     kPlPointDescriptions,
     kPlNotes,
     kPlMethods,
     HouseStyle::kPolish,
     PriceStyle::kCents,
     TaxIdKind::kPlNip,
     1,
     1,
     75},
    {"CZ",
     "cs-CZ",
     "+420",
     kCzMobile,
     kCzFemale,
     kCzMale,
     kCzSurnames,
     kCzCities,
     kCzStreets,
     kCzNicknames,
     kCzHobbies,
     kCzCompanies,
     kCzPointDescriptions,
     kCzNotes,
     kCzMethods,
     HouseStyle::kCzechoslovak,
     PriceStyle::kWholeCrowns,
     TaxIdKind::kCzIco,
     58,
     10,
     45},
    {"SK",
     "sk-SK",
     "+421",
     kSkMobile,
     kSkFemale,
     kSkMale,
     kSkSurnames,
     kSkCities,
     kSkStreets,
     kSkNicknames,
     kSkHobbies,
     kSkCompanies,
     kSkPointDescriptions,
     kSkNotes,
     kSkMethods,
     HouseStyle::kCzechoslovak,
     PriceStyle::kCents,
     TaxIdKind::kSkIco,
     232,
     1000,
     35},
    {"HU",
     "hu-HU",
     "+36",
     kHuMobile,
     kHuFemale,
     kHuMale,
     kHuSurnames,
     kHuCities,
     kHuStreets,
     kHuNicknames,
     kHuHobbies,
     kHuCompanies,
     kHuPointDescriptions,
     kHuNotes,
     kHuMethods,
     HouseStyle::kHungarian,
     PriceStyle::kWholeForints,
     TaxIdKind::kHuAdoszam,
     92,
     1,
     30},
};

const Country& CountryOf(Marketplace m) { return kCountries[static_cast<std::size_t>(m)]; }

// One product of the seller's catalogue, as each marketplace shows it (Allegro translates offers;
// stock and the offer id are shared), with its price in PLN grosze.
struct Product {
  std::string_view pl;
  std::string_view cs;
  std::string_view sk;
  std::string_view hu;
  std::string_view sku_code;  // "SKU-<code>-123456"; empty: the offer has no SKU
  std::int64_t pln_minor;
};

constexpr Product kProducts[] = {
    {"Słuchawki bezprzewodowe douszne ANC czarne", "Bezdrátová sluchátka do uší ANC černá",
     "Bezdrôtové slúchadlá do uší ANC čierne", "Vezeték nélküli fülhallgató ANC fekete", "SL",
     14999},
    {"Ładowarka sieciowa GaN 65 W USB-C", "Síťová nabíječka GaN 65 W USB-C",
     "Sieťová nabíjačka GaN 65 W USB-C", "GaN hálózati töltő 65 W USB-C", "LG", 9999},
    {"Kubek termiczny 450 ml \"Kawa & Ty\"", "Termohrnek 450 ml \"Káva & Ty\"",
     "Termohrnček 450 ml \"Káva & Ty\"", "Termobögre 450 ml \"Kávé & Te\"", "KT", 4990},
    {"Klocki konstrukcyjne <Miasto> 520 el.", "Stavebnice <Město> 520 dílků",
     "Stavebnica <Mesto> 520 dielikov", "Építőjáték <Város> 520 db", "KK", 11999},
    {"Pościel bawełniana 160×200 szara", "Bavlněné povlečení 160×200 šedé",
     "Bavlnené obliečky 160×200 sivé", "Pamut ágyneműhuzat 160×200 szürke", "PB", 12900},
    {"Ręcznik kąpielowy 70×140 zielony", "Osuška 70×140 zelená", "Osuška 70×140 zelená",
     "Fürdőlepedő 70×140 zöld", "RK", 3490},
    {"Żelazko parowe 2400 W z prasowaniem pionowym",
     "Napařovací žehlička 2400 W s vertikálním "
     "napařováním",
     "Naparovacia žehlička 2400 W s vertikálnym naparovaním",
     "Gőzölős vasaló 2400 W függőleges gőzöléssel", "ZP", 18999},
    {"Buty męskie zimowe skórzane r. 43", "Pánské zimní kožené boty vel. 43",
     "Pánske zimné kožené topánky veľ. 43", "Férfi téli bőrcipő 43-as", "BM", 25900},
    {"Gra planszowa \"Wsiąść do Pociągu: Europa\"", "Desková hra \"Ticket to Ride: Evropa\"",
     "Spoločenská hra \"Ticket to Ride: Európa\"", "Társasjáték \"Ticket to Ride: Európa\"", "GP",
     17999},
    {"Wiertarko-wkrętarka akumulatorowa 18 V + 2 akumulatory", "Aku vrtačka 18 V + 2 baterie",
     "Aku vŕtačka 18 V + 2 batérie", "Akkus fúrócsavarozó 18 V + 2 akkumulátor", "WK", 29900},
    {"Wentylator stojący 40 cm z pilotem", "Stojanový ventilátor 40 cm s dálkovým ovládáním",
     "Stĺpový ventilátor 40 cm s diaľkovým ovládaním", "Álló ventilátor 40 cm távirányítóval", "WS",
     15900},
    {"Kosz na pranie 60 l bambusowy", "Koš na prádlo 60 l bambusový",
     "Kôš na bielizeň 60 l bambusový", "Szennyeskosár 60 l bambusz", "KP", 8990},
    {"Koc polarowy 150×200 miękki", "Měkká fleecová deka 150×200", "Mäkká fleecová deka 150×200",
     "Puha polár takaró 150×200", "KC", 4999},
    {"Stolik kawowy dąb 90×60", "Konferenční stolek dub 90×60", "Konferenčný stolík dub 90×60",
     "Dohányzóasztal tölgy 90×60", "SK", 39900},
    {"Zestaw śrubokrętów precyzyjnych 24 w 1 <iFix>", "Sada přesných šroubováků 24 v 1 <iFix>",
     "Sada presných skrutkovačov 24 v 1 <iFix>", "Precíziós csavarhúzó készlet 24 az 1-ben <iFix>",
     "ZS", 5990},
    {"Karma dla kota z łososiem 2 kg", "Krmivo pro kočky s lososem 2 kg",
     "Krmivo pre mačky s lososom 2 kg", "Macskatáp lazaccal 2 kg", "", 4490},
    {"Świeca sojowa \"Wanilia & Bursztyn\" 200 g", "Sójová svíčka \"Vanilka & Jantar\" 200 g",
     "Sójová sviečka \"Vanilka & Jantár\" 200 g", "Szójagyertya \"Vanília & Borostyán\" 200 g",
     "SW", 3990},
    {"Opona zimowa 205/55 R16 91H", "Zimní pneumatika 205/55 R16 91H",
     "Zimná pneumatika 205/55 R16 91H", "Téli gumiabroncs 205/55 R16 91H", "OZ", 27900},
    {"Ekspres do kawy kolbowy 15 bar", "Pákový kávovar 15 barů", "Pákový kávovar 15 barov",
     "Karos kávéfőző 15 bar", "EK", 59900},
    {"Hulajnoga elektryczna 350 W 25 km/h", "Elektrická koloběžka 350 W 25 km/h",
     "Elektrická kolobežka 350 W 25 km/h", "Elektromos roller 350 W 25 km/h", "HE", 179900},
    {"Smartwatch damski różowe złoto", "Dámské chytré hodinky růžové zlato",
     "Dámske inteligentné hodinky ružové zlato", "Női okosóra rozéarany", "SD", 24900},
    {"Gąbki do naczyń 10 szt.", "Houbičky na nádobí 10 ks", "Hubky na riad 10 ks",
     "Mosogatószivacs 10 db", "", 999},
    {"Wkłady filtrujące do dzbanka 3 szt.", "Filtrační patrony do konvice 3 ks",
     "Filtračné patróny do kanvice 3 ks", "Vízszűrő betét kancsóhoz 3 db", "WF", 5490},
    {"Lampka nocna LED dla dzieci \"Miś\" <ciepłe światło>",
     "Dětská noční LED lampička \"Méďa\" <teplé světlo>",
     "Detská nočná LED lampička \"Macko\" <teplé svetlo>",
     "Gyerek éjjeli LED lámpa \"Maci\" <meleg fény>", "LN", 6990},
    {"Torba na laptopa 15,6\" wodoodporna", "Taška na notebook 15,6\" voděodolná",
     "Taška na notebook 15,6\" vodeodolná", "Laptoptáska 15,6\" vízálló", "TL", 7990},
    {"Rękawice robocze nitrylowe 12 par", "Pracovní rukavice nitrilové 12 párů",
     "Pracovné rukavice nitrilové 12 párov", "Nitril munkavédelmi kesztyű 12 pár", "RR", 3290},
    {"Herbata zielona liściasta 250 g", "Zelený sypaný čaj 250 g", "Zelený sypaný čaj 250 g",
     "Zöld szálas tea 250 g", "HZ", 2890},
    {"Mata do jogi 6 mm antypoślizgowa", "Podložka na jógu 6 mm protiskluzová",
     "Podložka na jogu 6 mm protišmyková", "Jógaszőnyeg 6 mm csúszásmentes", "MJ", 6990},
    {"Płyn do spryskiwaczy zimowy -22 °C 5 l", "Zimní kapalina do ostřikovačů -22 °C 5 l",
     "Zimná kvapalina do ostrekovačov -22 °C 5 l", "Téli szélvédőmosó folyadék -22 °C 5 l", "",
     2990},
    {"Zabawka interaktywna dla psa & kota", "Interaktivní hračka pro psa & kočku",
     "Interaktívna hračka pre psa & mačku", "Interaktív játék kutyának & macskának", "ZI", 3990},
};

// Cheap things sell more often than scooters.
constexpr std::uint64_t Popularity(const Product& p) {
  return p.pln_minor < 5000 ? 8 : p.pln_minor < 15000 ? 5 : p.pln_minor < 40000 ? 2 : 1;
}

std::size_t PickProduct(Rng& rng) {
  constexpr std::uint64_t kTotal = [] {
    std::uint64_t total = 0;
    for (const Product& p : kProducts) total += Popularity(p);
    return total;
  }();
  std::uint64_t r = rng.Below(kTotal);
  for (std::size_t i = 0; i < std::size(kProducts); ++i) {
    if (r < Popularity(kProducts[i])) return i;
    r -= Popularity(kProducts[i]);
  }
  return 0;
}

std::string_view ProductName(const Product& p, Marketplace m) {
  switch (m) {
    case Marketplace::kCz:
      return p.cs;
    case Marketplace::kSk:
      return p.sk;
    case Marketplace::kHu:
      return p.hu;
    case Marketplace::kPl:
      break;
  }
  return p.pl;
}

// ---- Building blocks --------------------------------------------------------------------------

// Buyers come from a pool per marketplace, so some buy more than once (same id, login, address).
constexpr std::uint64_t kBuyersPerMarketplace = 500'000;
constexpr std::uint64_t kBuyerIdMask = (1ULL << 27) - 1;  // pool ids fit in 27 bits

Currency CurrencyOf(Marketplace m) { return *Currency::Parse(MarketplaceCurrency(m)); }

std::int64_t Granularity(PriceStyle style) {
  return style == PriceStyle::kCents ? 1 : 100;  // CZK and HUF prices are whole units
}

// A shop price ("12.99", "349", "4990") near `minor`, in the currency's habits.
std::int64_t ShopPrice(std::int64_t minor, PriceStyle style, Rng& rng) {
  switch (style) {
    case PriceStyle::kCents: {
      const std::int64_t whole = std::max<std::int64_t>(minor / 100, 1);
      const auto r = rng.Below(100);
      if (r < 55) return whole * 100 - 1;   // 12.99
      if (r < 75) return whole * 100;       // 13.00
      if (r < 85) return whole * 100 - 51;  // 12.49
      return whole * 100 - 10;              // 12.90
    }
    case PriceStyle::kWholeCrowns: {
      std::int64_t crowns = std::max<std::int64_t>(minor / 100, 19);
      if (crowns >= 100) {
        crowns = (crowns + 5) / 10 * 10;
        if (rng.Percent(70)) crowns -= 1;  // 349 Kč
      }
      return crowns * 100;
    }
    case PriceStyle::kWholeForints: {
      std::int64_t forints = std::max<std::int64_t>(minor / 100, 290);
      if (forints >= 1000) {
        forints = (forints + 50) / 100 * 100;
        if (rng.Percent(70)) forints -= 10;  // 4990 Ft
      } else {
        forints = (forints + 5) / 10 * 10 - 1;  // 899 Ft
      }
      return forints * 100;
    }
  }
  return minor;
}

std::string Phone(const Country& c, Rng& rng) {
  return std::string(c.phone_prefix) + std::string(rng.Pick(c.mobile_prefixes)) + rng.Digits(7);
}

// "Grunwaldzka 182/14", "Vinohradská 1511/12", "Petőfi Sándor utca 12. 3. em. 7."
std::string StreetLine(const Country& c, Rng& rng, bool with_flat) {
  std::string street(rng.Pick(c.streets));
  switch (c.house) {
    case HouseStyle::kPolish: {
      const bool prefixed = street.size() > 3 && street[2] == '.';  // "al.", "os.", "pl."
      if (!prefixed && rng.Percent(30)) street = "ul. " + street;
      std::string line = fmt::format("{} {}", street, rng.Between(1, 199));
      if (rng.Percent(8)) line += static_cast<char>('A' + rng.Below(4));
      if (with_flat && rng.Percent(45)) line += fmt::format("/{}", rng.Between(1, 140));
      return line;
    }
    case HouseStyle::kCzechoslovak:
      if (rng.Percent(65)) {
        return fmt::format("{} {}/{}", street, rng.Between(100, 3999), rng.Between(1, 80));
      }
      return fmt::format("{} {}", street, rng.Between(1, 120));
    case HouseStyle::kHungarian: {
      std::string line = fmt::format("{} {}.", street, rng.Between(1, 160));
      if (with_flat && rng.Percent(40)) {
        line += fmt::format(" {}. em. {}.", rng.Between(1, 10), rng.Between(1, 24));
      }
      return line;
    }
  }
  return street;
}

WireAddress AddressIn(const Country& c, const City& city, Rng& rng) {
  WireAddress a;
  a.street = StreetLine(c, rng, /*with_flat=*/true);
  a.city = std::string(city.name);
  a.zip_code = FromPattern(city.postal, rng);
  a.country_code = std::string(c.country_code);
  return a;
}

// Tax ids with their real check digits, so a client's validation accepts them.
std::string PolishNip(Rng& rng) {
  static constexpr int kWeights[] = {6, 5, 7, 2, 3, 4, 5, 6, 7};
  for (;;) {
    std::string d = std::to_string(rng.Between(101, 999)) + rng.Digits(6);
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += kWeights[i] * (d[static_cast<std::size_t>(i)] - '0');
    if (sum % 11 == 10) continue;  // no valid check digit: the office never issues these
    return d + static_cast<char>('0' + sum % 11);
  }
}

// Czech and Slovak IČO share the Czechoslovak algorithm.
std::string Ico(Rng& rng) {
  std::string d = std::to_string(rng.Between(1, 9)) + rng.Digits(6);
  int sum = 0;
  for (int i = 0; i < 7; ++i) sum += (8 - i) * (d[static_cast<std::size_t>(i)] - '0');
  return d + static_cast<char>('0' + (11 - sum % 11) % 10);
}

// "12345676-2-42": törzsszám with its check digit, VAT code, county code.
std::string HungarianAdoszam(Rng& rng) {
  static constexpr int kWeights[] = {9, 7, 3, 1, 9, 7, 3};
  std::string d = std::to_string(rng.Between(1, 3)) + rng.Digits(6);
  int sum = 0;
  for (int i = 0; i < 7; ++i) sum += kWeights[i] * (d[static_cast<std::size_t>(i)] - '0');
  d += static_cast<char>('0' + (10 - sum % 10) % 10);
  const int vat = rng.Percent(85) ? 2 : static_cast<int>(rng.Between(1, 3));
  const auto county = rng.Percent(50) ? rng.Between(2, 20) : rng.Between(22, 44);
  return fmt::format("{}-{}-{:02}", d, vat, county);
}

std::string_view TaxIdType(TaxIdKind k) {
  switch (k) {
    case TaxIdKind::kPlNip:
      return "PL_NIP";
    case TaxIdKind::kCzIco:
      return "CZ_ICO";
    case TaxIdKind::kSkIco:
      return "SK_ICO";
    case TaxIdKind::kHuAdoszam:
      return "HU_ADOSZAM";
  }
  return "OTHER";
}

std::string TaxId(TaxIdKind k, Rng& rng) {
  switch (k) {
    case TaxIdKind::kPlNip:
      return PolishNip(rng);
    case TaxIdKind::kCzIco:
    case TaxIdKind::kSkIco:
      return Ico(rng);
    case TaxIdKind::kHuAdoszam:
      return HungarianAdoszam(rng);
  }
  return {};
}

// "Kasia_1987", "marek.nowak", "wedkarz_77"; ASCII, at most 20 characters.
std::string Login(const Country& c, std::string_view first, std::string_view last, Rng& rng) {
  const std::string nick(rng.Pick(c.nicknames));
  const std::string first_ascii = AsciiFold(first);
  const std::string last_ascii = AsciiFold(last);
  std::string login;
  switch (rng.Below(7)) {
    case 0:
      login = fmt::format("{}_{}", nick, rng.Between(1960, 2006));
      break;
    case 1:
      login = fmt::format("{}{}{}", first_ascii, last_ascii.substr(0, 1), rng.Between(1, 99));
      break;
    case 2:
      login = AsciiLower(first_ascii + "." + last_ascii);
      break;
    case 3:
      login = fmt::format("{}{}", AsciiLower(last_ascii), rng.Between(1, 999));
      break;
    case 4:
      login = fmt::format("{}_{}", rng.Pick(c.hobbies), rng.Between(1, 99));
      break;
    case 5:
      login = first_ascii + last_ascii;
      break;
    default:
      login = fmt::format("{}-{:02}", AsciiLower(nick), rng.Between(0, 99));
      break;
  }
  if (login.size() > 20) login.resize(20);
  return login;
}

// What the buyer's account holds; the same for every order of this buyer.
struct BuyerProfile {
  std::string id;
  std::string login;
  std::string email_local;  // the masked address's random part
  std::string first_name;
  std::string last_name;
  std::string phone;
  bool guest = false;
  bool female = false;
  const Surname* surname = nullptr;
  const City* city = nullptr;
  WireAddress address;
  std::string company;
  std::string tax_id;
};

BuyerProfile MakeBuyer(std::uint64_t seed, Marketplace m, std::uint64_t key) {
  const Country& c = CountryOf(m);
  Rng rng(Hash(Hash(Hash(seed, kBuyerStream), static_cast<std::uint64_t>(m)), key));
  BuyerProfile b;
  // A bijection of (marketplace, key) onto 27 bits: distinct buyers never share an id.
  const std::uint64_t slot = static_cast<std::uint64_t>(m) * kBuyersPerMarketplace + key;
  const std::uint64_t scrambled =
      ((slot ^ (Hash(seed, kBuyerIdStream) & kBuyerIdMask)) * 0x2545F491ULL) & kBuyerIdMask;
  b.id = std::to_string(10'000'000 + scrambled);
  b.female = rng.Percent(52);
  b.first_name = std::string(rng.Pick(b.female ? c.female : c.male));
  const Surname& s = rng.Pick(c.surnames);
  b.surname = &s;
  b.last_name = std::string(b.female ? s.female : s.male);
  b.guest = rng.Percent(8);
  b.login = b.guest ? "Client:" + b.id : Login(c, b.first_name, b.last_name, rng);
  b.email_local = rng.Chars("abcdefghijklmnopqrstuvwxyz0123456789", 10);
  b.phone = Phone(c, rng);
  b.city = &rng.PickWeighted(c.cities);
  b.address = AddressIn(c, *b.city, rng);
  if (rng.Percent(15)) {
    b.company = Replace(rng.Pick(c.companies), s.male);
    b.tax_id = TaxId(c.tax_id, rng);
  }
  b.address.first_name = b.first_name;
  b.address.last_name = b.last_name;
  b.address.company = b.company;
  b.address.phone = b.phone;
  return b;
}

std::string InpostSuffix(Rng& rng) {
  const auto r = rng.Below(100);
  if (r < 45) return "A";
  if (r < 65) return "M";
  if (r < 75) return "N";
  if (r < 88) return "APP";
  if (r < 93) return "BAPP";
  return "MP";
}

constexpr int kOrlenPsdMin = 100000;
constexpr int kOrlenPsdMax = 399999;

WirePickupPoint MakePoint(const Country& c, PointKind kind, const City& city, Rng& rng) {
  WirePickupPoint p;
  switch (kind) {
    case PointKind::kInpostLocker:
      p.id = fmt::format("{}{:02}{}", city.code, rng.Between(1, 99), InpostSuffix(rng));
      p.name = "Paczkomat " + p.id;
      break;
    case PointKind::kOneBox:
      p.id = "AOB" + rng.Digits(6);
      p.name = "Allegro One Box " + p.id;
      break;
    case PointKind::kOrlenPaczka:  // FindGeneratedOrlenPoint knows this range
      p.id = std::to_string(rng.Between(kOrlenPsdMin, kOrlenPsdMax));
      p.name = "ORLEN Paczka " + p.id;
      break;
    case PointKind::kDpdPickupPl:
      p.id = "PL" + std::to_string(rng.Between(10000, 99999));
      p.name = "DPD Pickup " + p.id;
      break;
    case PointKind::kPacketa:
      p.id = std::to_string(rng.Between(1000, 29999));
      p.name = (c.country_code == "CZ" ? "Zásilkovna " : "Packeta ") + std::string(city.name);
      break;
    case PointKind::kZBox:
      p.id = std::to_string(rng.Between(10000, 39999));
      p.name = "Z-BOX " + std::string(city.name);
      break;
    case PointKind::kBalikovna:
      p.id = "CZ-" + std::to_string(rng.Between(1000, 9999));
      p.name = "Balíkovna " + std::string(city.name);
      break;
    case PointKind::kDpdPickupSk:
      p.id = "SK" + std::to_string(rng.Between(10000, 99999));
      p.name = "DPD Pickup " + p.id;
      break;
    case PointKind::kFoxpost:
      p.id = "HU-FP" + std::to_string(rng.Between(1000, 9999));
      p.name = "Foxpost " + std::string(city.name);
      break;
    case PointKind::kGlsPoint:
      p.id = "HU-GLS" + std::to_string(rng.Between(1000, 9999));
      p.name = "GLS CsomagPont " + std::string(city.name);
      break;
    case PointKind::kNone:
      break;
  }
  p.description = std::string(rng.Pick(c.point_descriptions));
  p.address.street = StreetLine(c, rng, /*with_flat=*/false);
  p.address.city = std::string(city.name);
  p.address.zip_code = FromPattern(city.postal, rng);
  p.address.country_code = std::string(c.country_code);
  if (kind == PointKind::kPacketa || kind == PointKind::kZBox || kind == PointKind::kBalikovna) {
    p.name += ", " + p.address.street;  // Packeta names its points by their address
  }
  return p;
}

// An offer's id, SKU and price are the same in every order (seed-wide catalogue).
struct Offer {
  std::string id;
  std::string sku;
  std::int64_t price_minor = 0;
};

Offer MakeOffer(std::uint64_t seed, std::uint32_t seller, std::size_t product, Marketplace m) {
  const Product& p = kProducts[product];
  const Country& c = CountryOf(m);
  // Each seller has its own offers: ids never collide between sellers of one run.
  const std::uint64_t h = Hash(Hash(seed, kOfferStream), seller);
  Offer o;
  // Bijective in the product number: two products never share an offer id.
  o.id = std::to_string(10'000'000'000ULL + Permute32(static_cast<std::uint32_t>(h) +
                                                      static_cast<std::uint32_t>(product)));
  if (!p.sku_code.empty()) {
    o.sku = fmt::format("SKU-{}-{}", p.sku_code,
                        100000 + Permute32(static_cast<std::uint32_t>(h >> 32) +
                                           static_cast<std::uint32_t>(product)) %
                                     900000);
  }
  Rng rng(Hash(Hash(h, product), static_cast<std::uint64_t>(m)));
  const std::int64_t pln =
      p.pln_minor * (92 + static_cast<std::int64_t>(Hash(h, product) % 17)) / 100;
  o.price_minor = ShopPrice(pln * c.rate_num / c.rate_den, c.price_style, rng);
  return o;
}

// A top-up paid later (a faster delivery, a forgotten item): 3-30 zł, converted, in the
// currency's granularity (forints in steps of 10 Ft).
std::int64_t SurchargeAmount(const Country& c, Rng& rng) {
  const std::int64_t unit =
      c.price_style == PriceStyle::kWholeForints ? 1000 : Granularity(c.price_style);
  const std::int64_t minor = rng.Between(300, 3000) * c.rate_num / c.rate_den;
  return std::max(unit, minor / unit * unit);
}

}  // namespace

std::string DeterministicUuid(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  std::uint64_t hi = Hash(Hash(Hash(seed, kUuidHighStream), a), b);
  std::uint64_t lo = Hash(Hash(Hash(seed, kUuidLowStream), a), b);
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

std::string RevisionHex(std::uint64_t seed, std::uint64_t index, std::uint32_t version) {
  // A bijection of the version: every version of one order has its own revision.
  const auto base = static_cast<std::uint32_t>(Hash(Hash(seed, kRevisionStream), index));
  return fmt::format("{:08x}", Permute32(base + version));
}

GeneratedOrder GenerateOrder(const OrderSeed& seed) {
  const Country& c = CountryOf(seed.marketplace);
  const Currency currency = CurrencyOf(seed.marketplace);
  auto money = [&](std::int64_t minor) { return Money{minor, currency}; };
  Rng rng(Hash(Hash(seed.seed, kOrderStream), seed.index));

  GeneratedOrder o;
  o.checkout_form_id = DeterministicUuid(seed.seed, seed.index, kCheckoutFormTag);
  o.marketplace = seed.marketplace;

  // Buyer.
  const BuyerProfile buyer =
      MakeBuyer(seed.seed, seed.marketplace, rng.Below(kBuyersPerMarketplace));
  o.buyer_id = buyer.id;
  o.buyer_login = buyer.login;
  o.buyer_email = buyer.email_local + "+" + rng.Hex(9) + "@allegromail.pl";
  o.buyer_first_name = buyer.first_name;
  o.buyer_last_name = buyer.last_name;
  o.buyer_company = buyer.company;
  o.buyer_phone = buyer.phone;
  o.guest = buyer.guest;
  o.buyer_language = std::string(c.language);
  o.buyer_address = buyer.address;

  // Line items: 1-4 distinct offers, mostly one.
  const auto items_roll = rng.Below(100);
  const int item_count = items_roll < 60 ? 1 : items_roll < 85 ? 2 : items_roll < 95 ? 3 : 4;
  std::array<std::size_t, 4> chosen{};
  std::int64_t items_total = 0;
  for (int i = 0; i < item_count; ++i) {
    std::size_t product = 0;
    do {
      product = PickProduct(rng);
    } while (std::find(chosen.begin(), chosen.begin() + i, product) != chosen.begin() + i);
    chosen[static_cast<std::size_t>(i)] = product;
    const Offer offer = MakeOffer(seed.seed, seed.seller, product, seed.marketplace);
    WireLineItem li;
    li.id = DeterministicUuid(seed.seed, seed.index, kLineItemTag + static_cast<std::uint64_t>(i));
    li.offer_id = offer.id;
    li.offer_name = std::string(ProductName(kProducts[product], seed.marketplace));
    li.external_id = offer.sku;
    const auto qty_roll = rng.Below(100);
    li.quantity = qty_roll < 80 ? 1 : qty_roll < 94 ? 2 : 3;
    li.original_price = money(offer.price_minor);
    std::int64_t price = offer.price_minor;
    if (rng.Percent(15)) {  // a promotion or coupon
      const std::int64_t unit = Granularity(c.price_style);
      price = offer.price_minor * (100 - rng.Between(5, 30)) / 100 / unit * unit;
      price = std::clamp(price, unit, std::max(unit, offer.price_minor - unit));
    }
    li.price = money(price);
    li.bought_at = seed.bought_at;
    items_total += price * li.quantity;
    o.line_items.push_back(std::move(li));
  }

  // Payment and delivery.
  const bool cod = rng.Percent(15);
  const bool pickup = rng.Percent(60);
  std::array<DeliveryMethod, 16> candidates{};
  std::size_t n = 0;
  for (const DeliveryMethod& m : c.methods) {
    if (m.cod == cod && (m.point != PointKind::kNone) == pickup) candidates[n++] = m;
  }
  const DeliveryMethod& method =
      rng.PickWeighted(std::span<const DeliveryMethod>(candidates.data(), n));
  o.delivery_method_id = std::string(method.id);
  o.delivery_method_name = std::string(method.name);
  // Allegro Smart!: free delivery from a minimum basket (45 zł, converted), never for COD.
  const std::int64_t smart_minimum = 4500 * c.rate_num / c.rate_den;
  o.smart = !cod && items_total >= smart_minimum && rng.Percent(c.smart_percent);
  o.delivery_cost = money(
      o.smart ? 0 : method.cost_base + method.cost_step * rng.Between(0, method.cost_steps - 1));
  if (pickup) {
    const City& city = rng.Percent(85) ? *buyer.city : rng.PickWeighted(c.cities);
    o.pickup_point = MakePoint(c, method.point, city, rng);
  } else if (rng.Percent(85)) {
    o.delivery_address = buyer.address;
  } else {
    // To work or to family: another address, sometimes another person of the family (whose
    // surname takes their own gender's form: Nowak/Nowak, Kowalski/Kowalska, Novák/Nováková).
    WireAddress a = AddressIn(c, rng.PickWeighted(c.cities), rng);
    if (rng.Percent(50)) {
      a.first_name = buyer.first_name;
      a.last_name = buyer.last_name;
      a.phone = buyer.phone;
    } else {
      const bool female = rng.Percent(50);
      a.first_name = std::string(rng.Pick(female ? c.female : c.male));
      a.last_name = std::string(female ? buyer.surname->female : buyer.surname->male);
      a.phone = Phone(c, rng);
    }
    o.delivery_address = std::move(a);
  }

  o.payment.id = DeterministicUuid(seed.seed, seed.index, kPaymentTag);
  std::int64_t surcharges_total = 0;
  if (cod) {
    o.payment.type = "CASH_ON_DELIVERY";
    o.payment.provider = "OFFLINE";
  } else {
    o.payment.type = "ONLINE";
    const auto r = rng.Below(100);
    if (seed.marketplace == Marketplace::kPl) {
      o.payment.provider = r < 45 ? "P24" : r < 85 ? "PAYU" : "AF";
    } else {
      o.payment.provider = r < 60 ? "PAYU" : "AF";
    }
    // A surcharge is a second online payment (a later top-up), so COD orders never get one:
    // their totalToPay is what the courier collects.
    if (rng.Percent(6)) {
      WirePayment s;
      s.id = DeterministicUuid(seed.seed, seed.index, kSurchargeTag);
      s.type = "ONLINE";
      s.provider = o.payment.provider;
      s.paid_amount = money(SurchargeAmount(c, rng));
      surcharges_total = s.paid_amount->minor;
      o.surcharges.push_back(std::move(s));
    }
  }

  if (!buyer.company.empty()) {
    o.invoice.required = true;
    o.invoice.company_name = buyer.company;
    o.invoice.tax_id = buyer.tax_id;
    o.invoice.tax_id_type = std::string(TaxIdType(c.tax_id));
    o.invoice.address = buyer.address;
  }

  if (rng.Percent(20)) o.message_to_seller = std::string(rng.Pick(c.notes));

  o.total_to_pay = money(items_total + o.delivery_cost.minor + surcharges_total);
  // The main payment carried everything except the later surcharge payments.
  if (!cod) o.payment.paid_amount = money(o.total_to_pay.minor - surcharges_total);
  return o;
}

std::vector<CatalogueOffer> SellerCatalogue(std::uint64_t seed, std::uint32_t seller,
                                            Marketplace marketplace) {
  std::vector<CatalogueOffer> out;
  out.reserve(std::size(kProducts));
  for (std::size_t product = 0; product < std::size(kProducts); ++product) {
    const Offer offer = MakeOffer(seed, seller, product, marketplace);
    CatalogueOffer entry;
    entry.id = offer.id;
    entry.sku = offer.sku;
    entry.name = std::string(ProductName(kProducts[product], marketplace));
    // A leaf category of Allegro's tree: a stable number per product.
    entry.category_id =
        std::to_string(250000 + Permute32(static_cast<std::uint32_t>(product)) % 90000);
    entry.price = Money{offer.price_minor, CurrencyOf(marketplace)};
    out.push_back(std::move(entry));
  }
  return out;
}

std::optional<GeneratedLocker> FindGeneratedLocker(std::string_view id) {
  if (id.size() < 6) return std::nullopt;
  const std::string_view code = id.substr(0, 3), digits = id.substr(3, 2), suffix = id.substr(5);
  if (digits[0] < '0' || digits[0] > '9' || digits[1] < '0' || digits[1] > '9' || digits == "00") {
    return std::nullopt;
  }
  bool known_suffix = false;
  for (std::string_view s : {"A", "M", "N", "APP", "BAPP", "MP"}) known_suffix |= suffix == s;
  if (!known_suffix) return std::nullopt;
  for (const City& c : kPlCities) {
    if (c.code != code) continue;
    std::string postal(c.postal.substr(0, c.postal.find('|')));
    for (char& ch : postal) {
      if (ch == '#') ch = '1';
    }
    return GeneratedLocker{std::string(c.name), postal};
  }
  return std::nullopt;
}

std::optional<GeneratedOrlenPoint> FindGeneratedOrlenPoint(std::string_view psd) {
  if (psd.size() != 6 ||
      !std::all_of(psd.begin(), psd.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return std::nullopt;
  }
  const int number = std::stoi(std::string(psd));
  if (number < kOrlenPsdMin || number > kOrlenPsdMax) return std::nullopt;
  const City& c = kPlCities[static_cast<std::size_t>(number) % std::size(kPlCities)];
  std::string postal(c.postal.substr(0, c.postal.find('|')));
  int digit = number;
  for (char& ch : postal) {
    if (ch == '#') {
      ch = static_cast<char>('0' + digit % 10);
      digit /= 10;
    }
  }
  return GeneratedOrlenPoint{std::string(psd), std::string(c.name), std::string(c.code), postal};
}

}  // namespace nadajnik::sandbox::allegro
