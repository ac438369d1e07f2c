// CarrierSettings: one seller account's contract with one carrier: the credentials (encrypted at
// rest by the repository), plain settings (base URL, organization id, defaults such as service,
// parcel template, sending point, bank account for cash on delivery) and the sender's address.
// Keys are the connector's own ("token", "organization_id", "base_url", "default_service"...);
// the connector validates them and names the one to fix.
#pragma once

#include <map>
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/secret.hpp"
#include "domain/shipment.hpp"

namespace nadajnik::domain {

struct SenderAddress {
  std::string name;
  std::string company;
  std::string street;
  std::string postal_code;
  std::string city;
  std::string province;
  std::string country_code = "PL";
  std::string phone;
  std::string email;
};

// "Sklep, Jan Nadawca, Półwiejska 2, 61-888 Poznań, 600700800, sklep@example.pl" ("" if empty).
std::string SenderAddressLine(const SenderAddress& s);

struct CarrierSettings {
  AccountId account_id;
  Carrier carrier = Carrier::kInPost;
  bool enabled = true;
  std::map<std::string, std::string> settings;
  std::map<std::string, Secret<>> secrets;
  SenderAddress sender;
  Timestamp updated_at;
};

}  // namespace nadajnik::domain
