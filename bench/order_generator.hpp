// OrderGenerator: deterministic, realistic Allegro orders for benchmarks and load tests.
//
// Make(index, version) returns the same domain::Order for the same (seed, account, now, index,
// version) on every machine and compiler (its own SplitMix64 generator, no <random>
// distributions, whose results differ between standard libraries). Orders come from
// allegro.pl (about 85%, PLN), allegro.cz (CZK), allegro.sk (EUR) and allegro.hu (HUF), with
// buyers named in their own language (diacritics included), masked allegromail addresses,
// parcel lockers or courier addresses, cash on delivery or online payment, Smart, invoices with
// a valid NIP/IČO, buyer notes, and 1-4 line items from a small catalogue (stable offer ids and
// SKUs, prices in the marketplace currency). bought_at is spread over the `spread` before `now`.
// Version 0 is the order as first imported; version v > 0 is the same checkout form v revisions
// later (new revision, later remote_updated_at, fulfilment moved on, same line items).
// id and local_status_id are left unset: the store assigns them.
// Thread-safe: Make() is const and keeps no state between calls.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"
#include "domain/marketplace.hpp"
#include "domain/order.hpp"

namespace nadajnik::bench {

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and identical everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); the modulo bias is below 2^-40 for the n used here.
  std::uint64_t Below(std::uint64_t n) { return n == 0 ? 0 : Next() % n; }
  // Uniform in [lo, hi].
  std::int64_t Between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  // True with probability percent/100.
  bool Percent(int percent) { return static_cast<int>(Below(100)) < percent; }
  template <typename T, std::size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[Below(N)];
  }
  std::string Digits(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += static_cast<char>('0' + Below(10));
    return out;
  }
  std::string Hex(int n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < n; ++i) out += kHex[Below(16)];
    return out;
  }
  std::string Alnum(int n) {
    static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (int i = 0; i < n; ++i) out += kChars[Below(36)];
    return out;
  }
  // "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93": a version-4 UUID's shape.
  std::string Uuid() {
    return Hex(8) + "-" + Hex(4) + "-4" + Hex(3) + "-" + std::string(1, "89ab"[Below(4)]) + Hex(3) +
           "-" + Hex(12);
  }

 private:
  std::uint64_t state_;
};

inline std::uint64_t MixSeed(std::uint64_t a, std::uint64_t b) {
  Rng r(a ^ (b * 0xD6E8FEB86659FD93ULL) ^ 0xA0761D6478BD642FULL);
  r.Next();
  return r.Next();
}

// Latin letters with diacritics (U+00C0..U+017F) folded to ASCII; other non-ASCII dropped.
inline std::string AsciiFold(std::string_view utf8) {
  static constexpr std::string_view kFold =
      "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty"
      "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlL"
      "lLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
  static_assert(kFold.size() == 0x180 - 0xC0);
  std::string out;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
      const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3Fu);
      if (cp >= 0xC0 && cp <= 0x17F) out += kFold[cp - 0xC0];
    } else {
      while (i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) ++i;
    }
  }
  return out;
}

inline std::string AsciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

namespace generator_data {

// One surname in its male and female form (Kowalski/Kowalska, Novák/Nováková, Nagy/Nagy).
struct Surname {
  std::string_view male;
  std::string_view female;
};

// postal: '#' is replaced by a random digit. locker: InPost's city prefix of locker ids.
struct City {
  std::string_view name;
  std::string_view postal;
  std::string_view locker;
};

struct Country {
  domain::Marketplace marketplace;
  std::string_view code;          // ISO 3166-1
  std::string_view phone_prefix;  // "+48"
  std::string_view mobile_first;  // first digits a mobile number starts with
  int phone_digits;               // after the prefix
};

inline constexpr std::array<std::string_view, 26> kPlFemale = {
    "Żaneta",     "Agnieszka", "Małgorzata", "Katarzyna", "Joanna",  "Anna",     "Magdalena",
    "Łucja",      "Urszula",   "Grażyna",    "Bożena",    "Jadwiga", "Zofia",    "Wiktoria",
    "Aleksandra", "Natalia",   "Julia",      "Alicja",    "Halina",  "Elżbieta", "Dorota",
    "Iwona",      "Renata",    "Sylwia",     "Ewelina",   "Jolanta"};
inline constexpr std::array<std::string_view, 26> kPlMale = {
    "Łukasz",    "Paweł",   "Michał",     "Krzysztof", "Piotr",    "Tomasz",   "Grzegorz",
    "Jędrzej",   "Mateusz", "Bartłomiej", "Wojciech",  "Józef",    "Zbigniew", "Przemysław",
    "Kamil",     "Jakub",   "Marek",      "Rafał",     "Sławomir", "Dariusz",  "Andrzej",
    "Stanisław", "Maciej",  "Szymon",     "Jarosław",  "Mirosław"};
inline constexpr std::array<Surname, 40> kPlSurnames = {{
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
    {"Nowakowski", "Nowakowska"},
    {"Pawłowski", "Pawłowska"},
    {"Michalski", "Michalska"},
    {"Nowicki", "Nowicka"},
    {"Adamczyk", "Adamczyk"},
    {"Dudek", "Dudek"},
    {"Zając", "Zając"},
    {"Wieczorek", "Wieczorek"},
    {"Jabłoński", "Jabłońska"},
    {"Król", "Król"},
    {"Majewski", "Majewska"},
    {"Olszewski", "Olszewska"},
    {"Jaworski", "Jaworska"},
    {"Wróbel", "Wróbel"},
    {"Stępień", "Stępień"},
    {"Górski", "Górska"},
    {"Śliwiński", "Śliwińska"},
    {"Gołębiowski", "Gołębiowska"},
    {"Żółtowski", "Żółtowska"},
    {"Pająk", "Pająk"},
    {"Bąk", "Bąk"},
    {"Gęśla", "Gęśla"},
}};
inline constexpr std::array<std::string_view, 15> kCzFemale = {
    "Lucie",    "Tereza",  "Kateřina", "Markéta", "Zuzana", "Jana",  "Petra", "Hana",
    "Veronika", "Barbora", "Michaela", "Eliška",  "Anežka", "Šárka", "Radka"};
inline constexpr std::array<std::string_view, 15> kCzMale = {
    "Jiří",  "Tomáš",   "Petr",  "Jan",      "Ondřej", "Lukáš", "Martin", "Pavel",
    "Jakub", "Vojtěch", "Matěj", "Miroslav", "Zdeněk", "Radek", "Václav"};
inline constexpr std::array<Surname, 24> kCzSurnames = {{
    {"Novák", "Nováková"},      {"Svoboda", "Svobodová"},  {"Novotný", "Novotná"},
    {"Dvořák", "Dvořáková"},    {"Černý", "Černá"},        {"Procházka", "Procházková"},
    {"Kučera", "Kučerová"},     {"Veselý", "Veselá"},      {"Horák", "Horáková"},
    {"Němec", "Němcová"},       {"Pokorný", "Pokorná"},    {"Pospíšil", "Pospíšilová"},
    {"Hájek", "Hájková"},       {"Král", "Králová"},       {"Jelínek", "Jelínková"},
    {"Růžička", "Růžičková"},   {"Beneš", "Benešová"},     {"Fiala", "Fialová"},
    {"Sedláček", "Sedláčková"}, {"Doležal", "Doležalová"}, {"Kolář", "Kolářová"},
    {"Čermák", "Čermáková"},    {"Kříž", "Křížová"},       {"Vaněk", "Vaňková"},
}};
inline constexpr std::array<std::string_view, 10> kSkFemale = {
    "Zuzana", "Lucia",  "Mária",  "Katarína", "Ľubica",
    "Jana",   "Silvia", "Simona", "Andrea",   "Veronika"};
inline constexpr std::array<std::string_view, 10> kSkMale = {
    "Ľubomír", "Ján", "Peter", "Martin", "Michal", "Juraj", "Marek", "Tomáš", "Štefan", "Dušan"};
inline constexpr std::array<Surname, 14> kSkSurnames = {{
    {"Horváth", "Horváthová"},
    {"Kováč", "Kováčová"},
    {"Varga", "Vargová"},
    {"Tóth", "Tóthová"},
    {"Baláž", "Balážová"},
    {"Molnár", "Molnárová"},
    {"Lukáč", "Lukáčová"},
    {"Šimko", "Šimková"},
    {"Mikuláš", "Mikulášová"},
    {"Krajčír", "Krajčírová"},
    {"Kollár", "Kollárová"},
    {"Ďurica", "Ďuricová"},
    {"Ševčík", "Ševčíková"},
    {"Hudák", "Hudáková"},
}};
inline constexpr std::array<std::string_view, 15> kHuFemale = {
    "Zsófia",    "Eszter",   "Katalin", "Erzsébet", "Réka",    "Ildikó", "Anikó", "Gabriella",
    "Krisztina", "Boglárka", "Tünde",   "Júlia",    "Orsolya", "Nóra",   "Dóra"};
inline constexpr std::array<std::string_view, 15> kHuMale = {
    "László", "István", "József", "Zoltán", "Gábor", "Ferenc",  "Attila", "Péter",
    "Tamás",  "Balázs", "Dániel", "Gyula",  "Ákos",  "Levente", "Bence"};
inline constexpr std::array<Surname, 20> kHuSurnames = {{
    {"Nagy", "Nagy"},       {"Kovács", "Kovács"},     {"Tóth", "Tóth"},       {"Szabó", "Szabó"},
    {"Horváth", "Horváth"}, {"Varga", "Varga"},       {"Kiss", "Kiss"},       {"Molnár", "Molnár"},
    {"Németh", "Németh"},   {"Farkas", "Farkas"},     {"Balogh", "Balogh"},   {"Takács", "Takács"},
    {"Juhász", "Juhász"},   {"Mészáros", "Mészáros"}, {"Szűcs", "Szűcs"},     {"Török", "Török"},
    {"Fülöp", "Fülöp"},     {"Kőszegi", "Kőszegi"},   {"Hegedűs", "Hegedűs"}, {"Vörös", "Vörös"},
}};

inline constexpr std::array<City, 40> kPlCities = {{
    {"Warszawa", "0#-###", "WAW"},
    {"Kraków", "3#-###", "KRA"},
    {"Łódź", "9#-###", "LOD"},
    {"Wrocław", "5#-###", "WRO"},
    {"Poznań", "6#-###", "POZ"},
    {"Gdańsk", "80-###", "GDA"},
    {"Szczecin", "7#-###", "SZC"},
    {"Bydgoszcz", "85-###", "BYD"},
    {"Lublin", "20-###", "LUB"},
    {"Białystok", "15-###", "BIA"},
    {"Katowice", "40-###", "KAT"},
    {"Gdynia", "81-###", "GDY"},
    {"Częstochowa", "42-2##", "CZE"},
    {"Radom", "26-6##", "RAD"},
    {"Toruń", "87-1##", "TOR"},
    {"Rzeszów", "35-###", "RZE"},
    {"Kielce", "25-###", "KIE"},
    {"Olsztyn", "10-###", "OLS"},
    {"Zielona Góra", "65-###", "ZIG"},
    {"Opole", "45-###", "OPO"},
    {"Gorzów Wielkopolski", "66-4##", "GOR"},
    {"Bielsko-Biała", "43-3##", "BBA"},
    {"Elbląg", "82-3##", "ELB"},
    {"Płock", "09-4##", "PLO"},
    {"Wałbrzych", "58-3##", "WAL"},
    {"Tarnów", "33-1##", "TAR"},
    {"Chorzów", "41-5##", "CHO"},
    {"Koszalin", "75-###", "KOS"},
    {"Legnica", "59-2##", "LEG"},
    {"Słupsk", "76-2##", "SLU"},
    {"Nowy Sącz", "33-3##", "NSA"},
    {"Jelenia Góra", "58-5##", "JEL"},
    {"Siedlce", "08-1##", "SIE"},
    {"Gniezno", "62-2##", "GNI"},
    {"Zakopane", "34-5##", "ZAK"},
    {"Sopot", "81-7##", "SOP"},
    {"Świnoujście", "72-6##", "SWI"},
    {"Żory", "44-2##", "ZOR"},
    {"Łomża", "18-4##", "LOM"},
    {"Ełk", "19-3##", "ELK"},
}};
inline constexpr std::array<City, 12> kCzCities = {{
    {"Praha", "1## ##", ""},
    {"Brno", "6## ##", ""},
    {"Ostrava", "7## ##", ""},
    {"Plzeň", "3## ##", ""},
    {"Liberec", "460 ##", ""},
    {"Olomouc", "77# ##", ""},
    {"České Budějovice", "370 ##", ""},
    {"Hradec Králové", "500 ##", ""},
    {"Ústí nad Labem", "400 ##", ""},
    {"Pardubice", "530 ##", ""},
    {"Zlín", "760 01", ""},
    {"Děčín", "405 02", ""},
}};
inline constexpr std::array<City, 8> kSkCities = {{
    {"Bratislava", "8## ##", ""},
    {"Košice", "040 ##", ""},
    {"Prešov", "080 01", ""},
    {"Žilina", "010 01", ""},
    {"Nitra", "949 01", ""},
    {"Banská Bystrica", "974 01", ""},
    {"Trnava", "917 01", ""},
    {"Trenčín", "911 01", ""},
}};
inline constexpr std::array<City, 10> kHuCities = {{
    {"Budapest", "1###", ""},
    {"Debrecen", "40##", ""},
    {"Szeged", "67##", ""},
    {"Miskolc", "35##", ""},
    {"Pécs", "76##", ""},
    {"Győr", "90##", ""},
    {"Nyíregyháza", "44##", ""},
    {"Kecskemét", "60##", ""},
    {"Székesfehérvár", "80##", ""},
    {"Hódmezővásárhely", "6800", ""},
}};

inline constexpr std::array<std::string_view, 24> kPlStreets = {"ul. Grunwaldzka",
                                                                "ul. Marszałkowska",
                                                                "ul. Piotrkowska",
                                                                "ul. Świętokrzyska",
                                                                "ul. Żeromskiego",
                                                                "al. Jana Pawła II",
                                                                "ul. Kościuszki",
                                                                "ul. Mickiewicza",
                                                                "ul. Słowackiego",
                                                                "ul. Źródlana",
                                                                "os. Bolesława Śmiałego",
                                                                "ul. Łąkowa",
                                                                "ul. Ogrodowa",
                                                                "ul. Długa",
                                                                "ul. Wiśniowa",
                                                                "ul. Żwirki i Wigury",
                                                                "ul. Chełmońskiego",
                                                                "ul. Ciołkowskiego",
                                                                "ul. Gęsia",
                                                                "ul. Poniatowskiego",
                                                                "pl. Wolności",
                                                                "ul. Sienkiewicza",
                                                                "ul. Świerkowa",
                                                                "ul. Krótka"};
inline constexpr std::array<std::string_view, 14> kCzStreets = {
    "Vinohradská", "Národní", "Palackého", "Husova",      "Masarykova", "Nádražní",   "Žižkova",
    "Komenského",  "Tyršova", "Jiráskova", "Štefánikova", "Křižíkova",  "Sokolovská", "Říční"};
inline constexpr std::array<std::string_view, 8> kSkStreets = {
    "Obchodná",   "Štúrova", "Hlavná",     "Námestie SNP",
    "Ružinovská", "Mierová", "Jesenského", "Kukučínova"};
inline constexpr std::array<std::string_view, 10> kHuStreets = {"Andrássy út",
                                                                "Váci utca",
                                                                "Rákóczi út",
                                                                "Petőfi Sándor utca",
                                                                "Kossuth Lajos utca",
                                                                "Dózsa György út",
                                                                "Széchenyi tér",
                                                                "Bajcsy-Zsilinszky út",
                                                                "Fő utca",
                                                                "Szőlő utca"};

enum class PointKind {
  kNone,
  kInpostLocker,
  kOrlen,
  kOneBox,
  kPocztex,
  kDpdPickup,
  kPacketa,
  kFoxpost
};

struct DeliveryMethod {
  std::string_view id;
  std::string_view name;
  PointKind point;
  bool cod;
  std::int64_t cost_minor;  // in the marketplace currency
  int weight;               // relative popularity within the marketplace
};

inline constexpr std::array<DeliveryMethod, 12> kPlMethods = {{
    {"2488f7b7-5d1c-4d65-b85c-4cbcf253fd93", "Allegro Paczkomaty InPost", PointKind::kInpostLocker,
     false, 1199, 40},
    {"b20ef9e1-faa2-4f25-9032-adbea23e5cb9", "Allegro Paczkomaty InPost pobranie",
     PointKind::kInpostLocker, true, 1599, 5},
    {"7203cb90-864b-4f0a-b2c9-4fc5b3ee1f1d", "Allegro One Box, One Kurier", PointKind::kOneBox,
     false, 899, 10},
    {"e9ff1e2e-3b1c-4b4f-8f7a-1f1e6c2bd6a1", "Allegro Automat ORLEN Paczka", PointKind::kOrlen,
     false, 899, 8},
    {"c3066682-97a3-42fe-9ad2-e52e1b2f3c8a", "Allegro Odbiór w Punkcie Pocztex",
     PointKind::kPocztex, false, 999, 4},
    {"5d6b9a3c-1f0e-4c8f-9a07-0a7e3b6a1d22", "Allegro Odbiór w Punkcie DPD Pickup",
     PointKind::kDpdPickup, false, 999, 4},
    {"85c3ad2f-4ec1-446c-866e-63473ed10e26", "Allegro Kurier DPD", PointKind::kNone, false, 1599,
     10},
    {"1fa56f79-4b6a-4821-a6f2-ca9c16d5c925", "Allegro Kurier DPD pobranie", PointKind::kNone, true,
     1999, 4},
    {"0f6b0e45-5a58-4d70-9a0d-5c6f0e2d3a11", "Allegro Kurier24 InPost", PointKind::kNone, false,
     1499, 8},
    {"3f2a7c4e-8d1b-4e6f-a0c9-7b5d2e1f4a33", "Allegro Kurier24 InPost pobranie", PointKind::kNone,
     true, 1899, 3},
    {"9b8e7d6c-5a4b-4c3d-8e2f-1a0b9c8d7e66", "Allegro Pocztex Kurier 48", PointKind::kNone, false,
     1399, 3},
    {"6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a077", "Allegro MiniKurier24 InPost", PointKind::kNone, false,
     1099, 1},
}};
inline constexpr std::array<DeliveryMethod, 4> kCzMethods = {{
    {"4d3c2b1a-0f9e-4d8c-a7b6-a5f4e3d2c188", "Allegro Zásilkovna – výdejní místa",
     PointKind::kPacketa, false, 6900, 55},
    {"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "Allegro Zásilkovna – doručení na adresu",
     PointKind::kNone, false, 9900, 20},
    {"b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e", "Allegro PPL – kurýr", PointKind::kNone, false, 11900,
     15},
    {"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f", "Allegro PPL – kurýr, dobírka", PointKind::kNone, true,
     14900, 10},
}};
inline constexpr std::array<DeliveryMethod, 3> kSkMethods = {{
    {"d4e5f6a7-b8c9-4d0e-9f2a-3b4c5d6e7f80", "Allegro Packeta – výdajné miesta",
     PointKind::kPacketa, false, 249, 60},
    {"e5f6a7b8-c9d0-4e1f-8a3b-4c5d6e7f8091", "Allegro Packeta – kuriér", PointKind::kNone, false,
     399, 30},
    {"f6a7b8c9-d0e1-4f2a-9b4c-5d6e7f8091a2", "Allegro Packeta – kuriér, dobierka", PointKind::kNone,
     true, 499, 10},
}};
inline constexpr std::array<DeliveryMethod, 3> kHuMethods = {{
    {"a7b8c9d0-e1f2-4a3b-8c5d-6e7f8091a2b3", "Allegro Foxpost csomagautomata", PointKind::kFoxpost,
     false, 99000, 55},
    {"b8c9d0e1-f2a3-4b4c-9d6e-7f8091a2b3c4", "Allegro GLS futár", PointKind::kNone, false, 149000,
     30},
    {"c9d0e1f2-a3b4-4c5d-8e7f-8091a2b3c4d5", "Allegro GLS futár utánvéttel", PointKind::kNone, true,
     189000, 15},
}};

inline constexpr std::array<std::string_view, 10> kPointDescriptionsPl = {
    "Przy sklepie Żabka",          "Stacja paliw ORLEN",          "Obok wejścia do Biedronki",
    "Parking przy Lidlu",          "Przy wejściu do bloku nr 12", "Galeria handlowa, poziom -1",
    "Przy przystanku tramwajowym", "Naprzeciwko poczty",          "Osiedlowy pawilon handlowy",
    "Przy szkole podstawowej nr 3"};
inline constexpr std::array<std::string_view, 4> kPointDescriptionsCz = {
    "Trafika u nádraží", "Večerka Na Růžku", "Papírnictví Klíček", "Lékárna U Zlaté koruny"};
inline constexpr std::array<std::string_view, 3> kPointDescriptionsSk = {
    "Potraviny Jednota", "Trafika pri pošte", "Čerpacia stanica Slovnaft"};
inline constexpr std::array<std::string_view, 3> kPointDescriptionsHu = {
    "MOL töltőállomás", "Spar áruház bejárata mellett", "Posta melletti parkoló"};

// A product of the seller's catalogue: names as the marketplace shows them (Allegro translates
// offers), a base SKU, variants, and a price in PLN grosze (converted per marketplace).
struct Product {
  std::string_view pl;
  std::string_view cs;
  std::string_view sk;
  std::string_view hu;
  std::string_view sku;
  std::int64_t price_pln_minor;
  bool colours = true;  // offered in the colour variants below (tea is not)
};
struct Variant {
  std::string_view pl;
  std::string_view cs;
  std::string_view sk;
  std::string_view hu;
  std::string_view code;
};

inline constexpr std::array<Product, 20> kProducts = {{
    {"Etui silikonowe do iPhone 13", "Silikonové pouzdro pro iPhone 13",
     "Silikónové puzdro pre iPhone 13", "Szilikon tok iPhone 13-hoz", "ETU-IP13", 1999},
    {"Kabel USB-C – USB-C 2 m w oplocie", "Kabel USB-C – USB-C 2 m opletený",
     "Kábel USB-C – USB-C 2 m opletený", "USB-C – USB-C kábel 2 m fonott", "KAB-CC2M", 2499},
    {"Żarówka LED E27 9 W ciepła biel", "LED žárovka E27 9 W teplá bílá",
     "LED žiarovka E27 9 W teplá biela", "LED izzó E27 9 W meleg fehér", "ZAR-E27-9W", 1290, false},
    {"Kubek termiczny 450 ml ze stali", "Termohrnek 450 ml z nerezové oceli",
     "Termohrnček 450 ml z nerezovej ocele", "Termobögre 450 ml rozsdamentes acél", "KUB-TERM450",
     5990, false},
    {"Szczoteczka soniczna z 4 końcówkami", "Sonický zubní kartáček se 4 hlavicemi",
     "Sonická zubná kefka so 4 hlavicami", "Szónikus fogkefe 4 fejjel", "SZC-SON4", 14900},
    {"Koc polarowy 150×200 cm", "Fleecová deka 150×200 cm", "Fleecová deka 150×200 cm",
     "Polár takaró 150×200 cm", "KOC-POL150", 4999},
    {"Ładowarka sieciowa GaN 65 W", "Síťová nabíječka GaN 65 W", "Sieťová nabíjačka GaN 65 W",
     "GaN hálózati töltő 65 W", "LAD-GAN65", 11999},
    {"Słuchawki bezprzewodowe douszne", "Bezdrátová sluchátka do uší",
     "Bezdrôtové slúchadlá do uší", "Vezeték nélküli fülhallgató", "SLU-TWS", 8999},
    {"Pościel bawełniana 160×200 z poszewkami", "Bavlněné povlečení 160×200 s povlaky",
     "Bavlnené obliečky 160×200 s obliečkami", "Pamut ágynemű 160×200 huzatokkal", "POS-BAW160",
     12900},
    {"Ręcznik kąpielowy 70×140 bawełna egipska", "Osuška 70×140 egyptská bavlna",
     "Osuška 70×140 egyptská bavlna", "Fürdőlepedő 70×140 egyiptomi pamut", "REC-70140", 3490},
    {"Lampka nocna z czujnikiem ruchu", "Noční světlo s pohybovým senzorem",
     "Nočné svetlo so senzorom pohybu", "Éjjeli lámpa mozgásérzékelővel", "LAM-PIR", 2990},
    {"Klocki konstrukcyjne 520 elementów", "Stavebnice 520 dílků", "Stavebnica 520 dielikov",
     "Építőkocka 520 darabos", "KLO-520", 9999, false},
    {"Plecak miejski 25 l wodoodporny", "Městský batoh 25 l voděodolný",
     "Mestský batoh 25 l vodoodolný", "Városi hátizsák 25 l vízálló", "PLE-25L", 15900},
    {"Smycz dla psa 5 m automatyczna", "Samonavíjecí vodítko pro psa 5 m",
     "Samonavíjacie vodítko pre psa 5 m", "Automata póráz kutyának 5 m", "SMY-AUTO5", 3999},
    {"Karma dla kota z łososiem 2 kg", "Krmivo pro kočky s lososem 2 kg",
     "Krmivo pre mačky s lososom 2 kg", "Macskatáp lazaccal 2 kg", "KAR-KOT2", 4490, false},
    {"Świeca sojowa „Wanilia i bursztyn”", "Sójová svíčka „Vanilka a jantar“",
     "Sójová sviečka „Vanilka a jantár“", "Szójagyertya „Vanília és borostyán”", "SWI-WAN", 3990,
     false},
    {"Mata do jogi 6 mm antypoślizgowa", "Podložka na jógu 6 mm protiskluzová",
     "Podložka na jogu 6 mm protišmyková", "Jógaszőnyeg 6 mm csúszásmentes", "MAT-JOG6", 6990},
    {"Zestaw śrubokrętów precyzyjnych 24 szt.", "Sada přesných šroubováků 24 ks",
     "Sada presných skrutkovačov 24 ks", "Precíziós csavarhúzó készlet 24 db", "ZES-SRU24", 4590,
     false},
    {"Herbata zielona liściasta 250 g", "Zelený sypaný čaj 250 g", "Zelený sypaný čaj 250 g",
     "Zöld szálas tea 250 g", "HER-ZIE250", 2890, false},
    {"Pokrowiec na kanapę trzyosobową", "Potah na trojmístnou pohovku",
     "Poťah na trojmiestnu pohovku", "Huzat háromszemélyes kanapéra", "POK-KAN3", 10900},
}};
inline constexpr std::array<Variant, 5> kVariants = {{
    {"czarny", "černá", "čierna", "fekete", "BLK"},
    {"biały", "bílá", "biela", "fehér", "WHT"},
    {"szary", "šedá", "sivá", "szürke", "GRY"},
    {"granatowy", "tmavě modrá", "tmavomodrá", "sötétkék", "NVY"},
    {"różowy", "růžová", "ružová", "rózsaszín", "PNK"},
}};

inline constexpr std::array<std::string_view, 12> kBuyerNotesPl = {
    "Proszę o staranne zapakowanie, to prezent 🎁",
    "Proszę nie dzwonić domofonem, dziecko śpi.",
    "Czy mogę prosić o fakturę na firmę? Dane w formularzu.",
    "Proszę o wysyłkę jak najszybciej, potrzebuję na sobotę!",
    "Kolor czarny, nie szary – poprzednio przyszedł zły.",
    "Bez paragonu w paczce, to niespodzianka 😊",
    "Paczkomat przy Żabce, dziękuję!",
    "Proszę o kontakt SMS przed wysyłką.",
    "Dołączyć instrukcję po polsku, jeśli można.",
    "Zamawiam drugi raz, wszystko super 👍",
    "Proszę o dwa osobne paragony.",
    "Adres dostawy: wejście od podwórza, klatka B."};
inline constexpr std::array<std::string_view, 3> kBuyerNotesCz = {
    "Prosím zabalit jako dárek, děkuji!", "Prosím o rychlé odeslání, potřebuji do pátku.",
    "Zvonek nefunguje, volejte prosím."};
inline constexpr std::array<std::string_view, 2> kBuyerNotesSk = {
    "Prosím, volajte pred doručením.", "Ďakujem, zabaľte to prosím ako darček."};
inline constexpr std::array<std::string_view, 3> kBuyerNotesHu = {
    "Kérem, csengessen kétszer!", "Ajándékba lesz, kérem szépen csomagolják.",
    "Hétköznap 16 óra után vagyok otthon."};
inline constexpr std::array<std::string_view, 6> kSellerNotes = {
    "Klient prosił o fakturę mailem",
    "Sprawdzić stan – ostatnia sztuka na magazynie",
    "Dołożyć gratis (naklejki)",
    "Stały klient – rabat 5% przy następnym zamówieniu",
    "Wysyłka po uzupełnieniu dostawy od hurtowni",
    "Uwaga: reklamacja poprzedniego zamówienia"};

inline constexpr std::array<std::string_view, 6> kPlCompanyForms = {
    "P.H.U. {}",
    "{} Usługi Remontowe",
    "Zakład Stolarski {}",
    "{} i Wspólnicy sp.j.",
    "Firma Handlowa „Słonecznik” {}",
    "{} Sklep Ogrodniczy"};

}  // namespace generator_data

class OrderGenerator {
 public:
  OrderGenerator(std::uint64_t seed, AccountId account, Timestamp now,
                 std::chrono::milliseconds spread = std::chrono::hours(24 * 30))
      : seed_(seed), account_(account), now_(now), spread_(spread) {}

  domain::Order Make(std::uint64_t index, int version = 0) const {
    using namespace generator_data;
    Rng rng(MixSeed(seed_, index));
    domain::Order o;
    o.account_id = account_;
    o.checkout_form_id = CheckoutFormId(rng.Uuid());
    o.revision = rng.Hex(8);

    const std::uint64_t m = rng.Below(100);
    o.marketplace = m < 85   ? domain::Marketplace::kAllegroPl
                    : m < 93 ? domain::Marketplace::kAllegroCz
                    : m < 96 ? domain::Marketplace::kAllegroSk
                             : domain::Marketplace::kAllegroHu;
    const Currency currency = domain::MarketplaceCurrency(o.marketplace);
    const Country country = CountryOf(o.marketplace);

    const auto bought = now_ - spread_ + milliseconds(rng.Below(spread_.count()));
    o.bought_at = bought;

    // Buyer.
    const bool female = rng.Percent(55);
    FillName(rng, o.marketplace, female, o.buyer.first_name, o.buyer.last_name);
    o.buyer.remote_id = std::to_string(rng.Between(10000000, 129999999));
    o.buyer.login = Login(rng, o.buyer.first_name, o.buyer.last_name);
    o.buyer.email = rng.Alnum(10) + "+" + rng.Hex(9) + "@allegromail.pl";
    o.buyer.phone = Phone(rng, country);
    o.buyer.guest = rng.Percent(4);
    if (rng.Percent(7)) o.buyer.company = Company(rng, o.marketplace, o.buyer.last_name);
    const generator_data::City& city = PickCity(rng, o.marketplace);
    o.buyer.address = AddressIn(rng, o.marketplace, country, city);
    o.buyer.address.first_name = o.buyer.first_name;
    o.buyer.address.last_name = o.buyer.last_name;
    o.buyer.address.company = o.buyer.company;
    o.buyer.address.phone = o.buyer.phone;

    // Line items: 1-4, mostly one.
    const std::uint64_t n_items_roll = rng.Below(100);
    const int n_items = n_items_roll < 62 ? 1 : n_items_roll < 85 ? 2 : n_items_roll < 95 ? 3 : 4;
    std::int64_t items_total = 0;
    for (int i = 0; i < n_items; ++i) {
      domain::LineItem item = MakeItem(rng, o.marketplace, currency, bought);
      items_total += item.unit_price.minor * item.quantity;
      o.items.push_back(std::move(item));
    }

    // Delivery.
    const DeliveryMethod& method = PickMethod(rng, o.marketplace);
    o.delivery.method_id = std::string(method.id);
    o.delivery.method_name = std::string(method.name);
    const bool smart_market = o.marketplace == domain::Marketplace::kAllegroPl ||
                              o.marketplace == domain::Marketplace::kAllegroCz;
    // Allegro Smart! covers delivery from 45 PLN (one parcel, non-COD for lockers).
    const std::int64_t smart_threshold = ConvertPln(4500, currency);
    o.delivery.smart =
        smart_market && !method.cod && items_total >= smart_threshold && rng.Percent(55);
    o.delivery.cost = Money{o.delivery.smart ? 0 : method.cost_minor, currency};
    o.delivery.dispatch_by = bought + std::chrono::hours(rng.Between(20, 72));
    o.delivery.packages = items_total > ConvertPln(30000, currency) && rng.Percent(30) ? 2 : 1;
    if (method.point == PointKind::kNone) {
      // Some buyers send the parcel to work or to family: another address, often another city.
      domain::Address a =
          rng.Percent(88) ? o.buyer.address
                          : AddressIn(rng, o.marketplace, country, PickCity(rng, o.marketplace));
      a.first_name = o.buyer.first_name;
      a.last_name = o.buyer.last_name;
      a.company = o.buyer.company;
      a.phone = o.buyer.phone;
      o.delivery.address = std::move(a);
    } else {
      // Mostly a point in the buyer's own city.
      const generator_data::City& point_city =
          rng.Percent(90) ? city : PickCity(rng, o.marketplace);
      o.delivery.pickup_point = MakePoint(rng, method.point, o.marketplace, country, point_city);
    }

    o.total = Money{items_total + o.delivery.cost->minor, currency};

    // Checkout status and payment.
    const std::uint64_t s = rng.Below(100);
    o.checkout_status = s < 86   ? domain::CheckoutStatus::kReadyForProcessing
                        : s < 90 ? domain::CheckoutStatus::kBought
                        : s < 96 ? domain::CheckoutStatus::kFilledIn
                                 : domain::CheckoutStatus::kCancelled;
    Timestamp updated = bought + milliseconds(rng.Between(20'000, 1'200'000));
    if (o.checkout_status != domain::CheckoutStatus::kBought) {
      domain::Payment p;
      p.remote_id = rng.Uuid();
      if (method.cod) {
        p.type = domain::PaymentType::kCashOnDelivery;
      } else {
        const std::uint64_t t = rng.Below(100);
        p.type = t < 94   ? domain::PaymentType::kOnline
                 : t < 97 ? domain::PaymentType::kExtendedTerm
                 : t < 99 ? domain::PaymentType::kWireTransfer
                          : domain::PaymentType::kSplitPayment;
        const std::uint64_t prov = rng.Below(100);
        p.provider = p.type == domain::PaymentType::kExtendedTerm   ? "AF"
                     : p.type == domain::PaymentType::kWireTransfer ? "OFFLINE"
                     : prov < 55                                    ? "P24"
                     : prov < 85                                    ? "PAYU"
                     : prov < 97                                    ? "AF"
                                                                    : "EPT";
        const bool paid =
            o.checkout_status == domain::CheckoutStatus::kReadyForProcessing ||
            (o.checkout_status == domain::CheckoutStatus::kCancelled && rng.Percent(50));
        if (paid) {
          p.paid = o.total;
          p.finished_at = bought + milliseconds(rng.Between(15'000, 900'000));
          if (*p.finished_at > updated) updated = *p.finished_at + milliseconds(1500);
        }
      }
      o.payment = std::move(p);
    }
    if (rng.Percent(1) && o.payment && o.payment->paid) {
      domain::Surcharge sc;
      sc.remote_id = rng.Uuid();
      sc.type = domain::PaymentType::kOnline;
      sc.provider = o.payment->provider;
      sc.paid = Money{ConvertPln(999, currency), currency};
      sc.finished_at = updated + std::chrono::hours(rng.Between(1, 20));
      updated = *sc.finished_at + milliseconds(800);
      o.surcharges.push_back(std::move(sc));
    }

    // Invoice.
    const int invoice_percent = o.marketplace == domain::Marketplace::kAllegroPl ? 8 : 4;
    if (!o.buyer.company.empty() || rng.Percent(invoice_percent)) {
      o.invoice.required = true;
      o.invoice.company_name = o.buyer.company.empty()
                                   ? Company(rng, o.marketplace, o.buyer.last_name)
                                   : o.buyer.company;
      FillTaxIds(rng, o.marketplace, o.invoice);
      o.invoice.address = o.buyer.address;
      o.invoice.address.company = o.invoice.company_name;
    }

    // Notes.
    if (rng.Percent(14)) o.buyer_note = BuyerNote(rng, o.marketplace);
    if (rng.Percent(4)) o.seller_note = std::string(rng.Pick(kSellerNotes));

    o.fulfillment_provider = rng.Percent(2) ? domain::FulfillmentProvider::kAllegro
                                            : domain::FulfillmentProvider::kSeller;
    o.fulfillment_status = FulfillmentFor(rng, o.checkout_status, now_ - bought);
    o.remote_updated_at = updated;
    o.imported_at = updated + milliseconds(rng.Between(1'000, 90'000));
    o.updated_at = o.imported_at;

    if (version > 0) ApplyVersion(o, index, version);
    return o;
  }

 private:
  // A later revision of the same checkout form: what Allegro changes after the import.
  void ApplyVersion(domain::Order& o, std::uint64_t index, int version) const {
    Rng rng(MixSeed(MixSeed(seed_, index), static_cast<std::uint64_t>(version)));
    std::string revision = rng.Hex(8);
    if (revision == o.revision) revision[0] = revision[0] == 'f' ? '0' : 'f';
    o.revision = std::move(revision);
    for (int v = 0; v < version; ++v) {
      o.remote_updated_at += std::chrono::minutes(rng.Between(30, 600));
      o.fulfillment_status = Advance(o.fulfillment_status);
      if (o.checkout_status == domain::CheckoutStatus::kFilledIn && o.payment &&
          o.payment->type != domain::PaymentType::kCashOnDelivery) {
        o.checkout_status = domain::CheckoutStatus::kReadyForProcessing;
        o.payment->paid = o.total;
        o.payment->finished_at = o.remote_updated_at - milliseconds(2'000);
      }
    }
    if (rng.Percent(10)) o.seller_note = std::string(rng.Pick(generator_data::kSellerNotes));
    o.imported_at = o.remote_updated_at + milliseconds(rng.Between(1'000, 90'000));
    o.updated_at = o.imported_at;
  }

  static domain::FulfillmentStatus Advance(domain::FulfillmentStatus s) {
    using F = domain::FulfillmentStatus;
    switch (s) {
      case F::kNew:
        return F::kProcessing;
      case F::kProcessing:
        return F::kReadyForShipment;
      case F::kReadyForShipment:
        return F::kSent;
      case F::kSent:
        return F::kPickedUp;
      default:
        return s;
    }
  }

  static domain::FulfillmentStatus FulfillmentFor(Rng& rng, domain::CheckoutStatus checkout,
                                                  milliseconds age) {
    using F = domain::FulfillmentStatus;
    if (checkout == domain::CheckoutStatus::kCancelled) return F::kCancelled;
    if (checkout != domain::CheckoutStatus::kReadyForProcessing) return F::kNew;
    const auto hours = std::chrono::duration_cast<std::chrono::hours>(age).count();
    const std::uint64_t r = rng.Below(100);
    if (hours < 24) return r < 70 ? F::kNew : r < 90 ? F::kProcessing : F::kReadyForShipment;
    if (hours < 72) return r < 15 ? F::kProcessing : r < 35 ? F::kReadyForShipment : F::kSent;
    return r < 78 ? F::kSent : r < 96 ? F::kPickedUp : r < 98 ? F::kReturned : F::kSuspended;
  }

  static generator_data::Country CountryOf(domain::Marketplace m) {
    switch (m) {
      case domain::Marketplace::kAllegroCz:
        return {m, "CZ", "+420", "67", 9};
      case domain::Marketplace::kAllegroSk:
        return {m, "SK", "+421", "9", 9};
      case domain::Marketplace::kAllegroHu:
        return {m, "HU", "+36", "237", 9};
      case domain::Marketplace::kAllegroPl:
        break;
    }
    return {m, "PL", "+48", "5678", 9};
  }

  // Prices in the seller's catalogue are in PLN; other marketplaces show converted prices
  // rounded the way sellers price them (CZK and HUF whole, EUR ending in 9 cents).
  static std::int64_t ConvertPln(std::int64_t pln_minor, Currency currency) {
    const std::string_view code = currency.code();
    if (code == "CZK") return ShopRound(pln_minor * 575 / 100, currency);
    if (code == "EUR") return ShopRound(pln_minor * 232 / 1000, currency);
    if (code == "HUF") return ShopRound(pln_minor * 92, currency);
    return pln_minor;
  }

  // Shop prices: whole CZK (x.90) and whole tens of HUF; PLN and EUR ending in 9 (12.49).
  static std::int64_t ShopRound(std::int64_t minor, Currency currency) {
    const std::string_view code = currency.code();
    if (code == "CZK") return std::max<std::int64_t>(90, (minor + 50) / 100 * 100 - 10);
    if (code == "HUF") return std::max<std::int64_t>(1000, (minor + 500) / 1000 * 1000 - 1000);
    return minor / 10 * 10 + 9;
  }

  static void FillName(Rng& rng, domain::Marketplace m, bool female, std::string& first,
                       std::string& last) {
    using namespace generator_data;
    const Surname* surname = nullptr;
    switch (m) {
      case domain::Marketplace::kAllegroCz:
        first = female ? rng.Pick(kCzFemale) : rng.Pick(kCzMale);
        surname = &rng.Pick(kCzSurnames);
        break;
      case domain::Marketplace::kAllegroSk:
        first = female ? rng.Pick(kSkFemale) : rng.Pick(kSkMale);
        surname = &rng.Pick(kSkSurnames);
        break;
      case domain::Marketplace::kAllegroHu:
        first = female ? rng.Pick(kHuFemale) : rng.Pick(kHuMale);
        surname = &rng.Pick(kHuSurnames);
        break;
      case domain::Marketplace::kAllegroPl:
        first = female ? rng.Pick(kPlFemale) : rng.Pick(kPlMale);
        surname = &rng.Pick(kPlSurnames);
        break;
    }
    last = female ? surname->female : surname->male;
    // Double-barrelled surnames: common for married women in Poland.
    if (female && m == domain::Marketplace::kAllegroPl && rng.Percent(6)) {
      last += "-";
      last += rng.Pick(kPlSurnames).female;
    }
  }

  static std::string Login(Rng& rng, const std::string& first, const std::string& last) {
    const std::string f = AsciiLower(AsciiFold(first));
    std::string l = AsciiLower(AsciiFold(last));
    l.erase(std::remove(l.begin(), l.end(), '-'), l.end());
    switch (rng.Below(5)) {
      case 0:
        return f + "_" + l + rng.Digits(2);
      case 1:
        return f + "." + l.substr(0, 1) + std::to_string(rng.Between(1960, 2006));
      case 2:
        return l + f.substr(0, 3) + rng.Digits(3);
      case 3:
        return AsciiFold(first) + "-" + std::to_string(rng.Between(10, 9999));
      default:
        return f.substr(0, 1) + l + "_" + rng.Digits(4);
    }
  }

  static std::string Phone(Rng& rng, const generator_data::Country& c) {
    std::string out(c.phone_prefix);
    out += c.mobile_first[rng.Below(c.mobile_first.size())];
    out += rng.Digits(c.phone_digits - 1);
    return out;
  }

  static std::string Postal(Rng& rng, std::string_view pattern) {
    std::string out;
    for (char c : pattern) out += c == '#' ? static_cast<char>('0' + rng.Below(10)) : c;
    return out;
  }

  static const generator_data::City& PickCity(Rng& rng, domain::Marketplace m) {
    using namespace generator_data;
    switch (m) {
      case domain::Marketplace::kAllegroCz:
        return rng.Pick(kCzCities);
      case domain::Marketplace::kAllegroSk:
        return rng.Pick(kSkCities);
      case domain::Marketplace::kAllegroHu:
        return rng.Pick(kHuCities);
      case domain::Marketplace::kAllegroPl:
        break;
    }
    return rng.Pick(kPlCities);
  }

  static std::string Street(Rng& rng, domain::Marketplace m) {
    using namespace generator_data;
    const std::string house = std::to_string(rng.Between(1, 180));
    switch (m) {
      case domain::Marketplace::kAllegroCz:
        return std::string(rng.Pick(kCzStreets)) + " " + std::to_string(rng.Between(100, 2999)) +
               "/" + house;
      case domain::Marketplace::kAllegroSk:
        return std::string(rng.Pick(kSkStreets)) + " " + house;
      case domain::Marketplace::kAllegroHu:
        return std::string(rng.Pick(kHuStreets)) + " " + house + "." +
               (rng.Percent(60) ? " " + std::to_string(rng.Between(1, 8)) + "/" +
                                      std::to_string(rng.Between(1, 20))
                                : std::string());
      case domain::Marketplace::kAllegroPl:
        break;
    }
    std::string s = std::string(rng.Pick(kPlStreets)) + " " + house;
    if (rng.Percent(15)) s += static_cast<char>('A' + rng.Below(3));
    if (rng.Percent(55)) s += "/" + std::to_string(rng.Between(1, 120));
    return s;
  }

  static domain::Address AddressIn(Rng& rng, domain::Marketplace m,
                                   const generator_data::Country& c,
                                   const generator_data::City& city) {
    domain::Address a;
    a.street = Street(rng, m);
    a.postal_code = Postal(rng, city.postal);
    a.city = std::string(city.name);
    a.country_code = std::string(c.code);
    return a;
  }

  static const generator_data::DeliveryMethod& PickMethod(Rng& rng, domain::Marketplace m) {
    using namespace generator_data;
    auto pick = [&](const auto& methods) -> const DeliveryMethod& {
      int total = 0;
      for (const auto& d : methods) total += d.weight;
      auto r = static_cast<int>(rng.Below(static_cast<std::uint64_t>(total)));
      for (const auto& d : methods) {
        if (r < d.weight) return d;
        r -= d.weight;
      }
      return methods[0];
    };
    switch (m) {
      case domain::Marketplace::kAllegroCz:
        return pick(kCzMethods);
      case domain::Marketplace::kAllegroSk:
        return pick(kSkMethods);
      case domain::Marketplace::kAllegroHu:
        return pick(kHuMethods);
      case domain::Marketplace::kAllegroPl:
        break;
    }
    return pick(kPlMethods);
  }

  static domain::PickupPoint MakePoint(Rng& rng, generator_data::PointKind kind,
                                       domain::Marketplace m, const generator_data::Country& c,
                                       const generator_data::City& city) {
    using namespace generator_data;
    domain::PickupPoint p;
    p.address = AddressIn(rng, m, c, city);
    switch (kind) {
      case PointKind::kInpostLocker:
        // POZ08A: the city's three letters, two digits, a letter (sometimes APP: app-only).
        p.id = std::string(city.locker) + rng.Digits(2) + static_cast<char>('A' + rng.Below(14)) +
               (rng.Percent(8) ? "PP" : "");
        p.name = "Paczkomat " + p.id;
        break;
      case PointKind::kOrlen:
        p.id = "OP" + rng.Digits(6);
        p.name = "Automat ORLEN Paczka";
        break;
      case PointKind::kOneBox:
        p.id = "AL" + rng.Digits(5);
        p.name = "Allegro One Box";
        break;
      case PointKind::kPocztex:
        p.id = "PP" + rng.Digits(6);
        p.name = "Punkt Pocztex – Żabka";
        break;
      case PointKind::kDpdPickup:
        p.id = "PL" + rng.Digits(5);
        p.name = "DPD Pickup";
        break;
      case PointKind::kPacketa:
        p.id = rng.Digits(5);
        p.name = m == domain::Marketplace::kAllegroSk ? "Packeta výdajné miesto"
                                                      : "Zásilkovna výdejní místo";
        break;
      case PointKind::kFoxpost:
        p.id = "FP" + rng.Digits(4);
        p.name = "Foxpost csomagautomata";
        break;
      case PointKind::kNone:
        break;
    }
    switch (m) {
      case domain::Marketplace::kAllegroCz:
        p.description = std::string(rng.Pick(kPointDescriptionsCz));
        break;
      case domain::Marketplace::kAllegroSk:
        p.description = std::string(rng.Pick(kPointDescriptionsSk));
        break;
      case domain::Marketplace::kAllegroHu:
        p.description = std::string(rng.Pick(kPointDescriptionsHu));
        break;
      case domain::Marketplace::kAllegroPl:
        p.description = std::string(rng.Pick(kPointDescriptionsPl));
        break;
    }
    return p;
  }

  // Offer ids and SKUs are stable per (product, variant), as in a real catalogue.
  domain::LineItem MakeItem(Rng& rng, domain::Marketplace m, Currency currency,
                            Timestamp bought) const {
    using namespace generator_data;
    const std::size_t pi = rng.Below(kProducts.size());
    const Product& p = kProducts[pi];
    const std::size_t vi = p.colours ? rng.Below(kVariants.size()) : kVariants.size();
    domain::LineItem item;
    item.id = LineItemId(rng.Uuid());
    Rng offer(MixSeed(seed_ ^ 0x0FFE12ULL, pi * 16 + vi));
    item.offer_id = std::to_string(offer.Between(10'000'000'000LL, 17'999'999'999LL));
    if (vi == kVariants.size()) {
      item.external_id = std::string(p.sku);
      item.offer_name = std::string(ProductName(p, m));
    } else {
      const Variant& v = kVariants[vi];
      item.external_id = std::string(p.sku) + "-" + std::string(v.code);
      switch (m) {
        case domain::Marketplace::kAllegroCz:
          item.offer_name = std::string(p.cs) + " – barva " + std::string(v.cs);
          break;
        case domain::Marketplace::kAllegroSk:
          item.offer_name = std::string(p.sk) + " – farba " + std::string(v.sk);
          break;
        case domain::Marketplace::kAllegroHu:
          item.offer_name = std::string(p.hu) + ", " + std::string(v.hu) + " színben";
          break;
        case domain::Marketplace::kAllegroPl:
          item.offer_name = std::string(p.pl) + " – kolor " + std::string(v.pl);
          break;
      }
    }
    const std::uint64_t q = rng.Below(100);
    item.quantity = q < 82 ? 1 : q < 94 ? 2 : q < 98 ? 3 : 5;
    const std::int64_t list_price = ConvertPln(p.price_pln_minor, currency);
    if (rng.Percent(15)) {
      // A promotion: Allegro reports the price before it as originalPrice.
      item.original_unit_price = Money{list_price, currency};
      item.unit_price = Money{ShopRound(list_price * 85 / 100, currency), currency};
    } else {
      item.unit_price = Money{list_price, currency};
    }
    item.bought_at = bought;
    return item;
  }

  static std::string_view ProductName(const generator_data::Product& p, domain::Marketplace m) {
    switch (m) {
      case domain::Marketplace::kAllegroCz:
        return p.cs;
      case domain::Marketplace::kAllegroSk:
        return p.sk;
      case domain::Marketplace::kAllegroHu:
        return p.hu;
      case domain::Marketplace::kAllegroPl:
        break;
    }
    return p.pl;
  }

  static std::string Company(Rng& rng, domain::Marketplace m, const std::string& surname) {
    using namespace generator_data;
    switch (m) {
      case domain::Marketplace::kAllegroCz:
        return surname + (rng.Percent(70) ? " s.r.o." : " a.s.");
      case domain::Marketplace::kAllegroSk:
        return surname + " s.r.o.";
      case domain::Marketplace::kAllegroHu:
        return surname + (rng.Percent(60) ? " és Társa Kft." : " Bt.");
      case domain::Marketplace::kAllegroPl:
        break;
    }
    const std::string_view form = rng.Pick(kPlCompanyForms);
    const std::size_t at = form.find("{}");
    return std::string(form.substr(0, at)) + surname + std::string(form.substr(at + 2));
  }

  // NIP, IČO and Hungarian tax numbers with valid check digits.
  static void FillTaxIds(Rng& rng, domain::Marketplace m, domain::InvoiceRequest& invoice) {
    switch (m) {
      case domain::Marketplace::kAllegroCz:
      case domain::Marketplace::kAllegroSk: {
        const std::string ico = Ico(rng);
        const bool cz = m == domain::Marketplace::kAllegroCz;
        invoice.tax_id = ico;
        invoice.tax_ids = {{cz ? "CZ_ICO" : "SK_ICO", ico},
                           {cz ? "CZ_DIC" : "SK_DIC", (cz ? "CZ" : "SK20") + ico}};
        return;
      }
      case domain::Marketplace::kAllegroHu: {
        const std::string vat = rng.Digits(8) + "-" + std::to_string(rng.Between(1, 5)) + "-" +
                                std::to_string(rng.Between(2, 44));
        invoice.tax_id = vat;
        invoice.tax_ids = {{"HU_VAT", vat}};
        return;
      }
      case domain::Marketplace::kAllegroPl:
        break;
    }
    const std::string nip = Nip(rng);
    invoice.tax_id = nip;
    invoice.tax_ids = {{"PL_NIP", nip}};
  }

  static std::string Nip(Rng& rng) {
    static constexpr int kWeights[] = {6, 5, 7, 2, 3, 4, 5, 6, 7};
    for (;;) {
      std::string d = std::to_string(rng.Between(1, 9)) + rng.Digits(8);
      int sum = 0;
      for (int i = 0; i < 9; ++i) sum += (d[static_cast<std::size_t>(i)] - '0') * kWeights[i];
      if (sum % 11 == 10) continue;
      return d + static_cast<char>('0' + sum % 11);
    }
  }

  static std::string Ico(Rng& rng) {
    std::string d = std::to_string(rng.Between(1, 9)) + rng.Digits(6);
    int sum = 0;
    for (int i = 0; i < 7; ++i) sum += (d[static_cast<std::size_t>(i)] - '0') * (8 - i);
    return d + static_cast<char>('0' + (11 - sum % 11) % 10);
  }

  static std::string BuyerNote(Rng& rng, domain::Marketplace m) {
    using namespace generator_data;
    switch (m) {
      case domain::Marketplace::kAllegroCz:
        return std::string(rng.Pick(kBuyerNotesCz));
      case domain::Marketplace::kAllegroSk:
        return std::string(rng.Pick(kBuyerNotesSk));
      case domain::Marketplace::kAllegroHu:
        return std::string(rng.Pick(kBuyerNotesHu));
      case domain::Marketplace::kAllegroPl:
        break;
    }
    return std::string(rng.Pick(kBuyerNotesPl));
  }

  std::uint64_t seed_;
  AccountId account_;
  Timestamp now_;
  milliseconds spread_;
};

}  // namespace nadajnik::bench
