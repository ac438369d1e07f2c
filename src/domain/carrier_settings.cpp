#include "domain/carrier_settings.hpp"

#include <vector>

namespace nadajnik::domain {

std::string SenderAddressLine(const SenderAddress& s) {
  std::vector<std::string> parts;
  for (const auto* p : {&s.company, &s.name, &s.street}) {
    if (!p->empty()) parts.push_back(*p);
  }
  const std::string city = s.postal_code.empty() || s.city.empty() ? s.postal_code + s.city
                                                                   : s.postal_code + " " + s.city;
  if (!city.empty()) parts.push_back(city);
  for (const auto* p : {&s.phone, &s.email}) {
    if (!p->empty()) parts.push_back(*p);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace nadajnik::domain
