// Panel users and machine clients. Roles: admin (everything, incl. settings and users) and
// packer (orders, shipments, labels). Passwords and tokens exist here only as hashes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "domain/shipment.hpp"

namespace nadajnik::domain {

enum class Role { kAdmin, kPacker };
std::string_view RoleName(Role r);  // "admin" | "packer"
std::optional<Role> ParseRole(std::string_view s);

struct User {
  UserId id;
  std::string username;
  std::string password_hash;  // argon2id
  Role role = Role::kPacker;
  bool must_change_password = false;
  bool disabled = false;
  Timestamp created_at;
  // The user's label printer: what "Etykieta" downloads when no format is asked for.
  LabelFormat label_format = LabelFormat::kPdfA6;
};

// 1-64 characters of letters, digits, '.', '_', '-', '@'; stored as given, matched exactly.
Result<void> ValidateUsername(std::string_view username);

struct Session {
  std::string token_hash;  // the cookie value is never stored
  UserId user_id;
  std::string csrf_token;
  Timestamp created_at;
  Timestamp expires_at;
};

struct ApiToken {
  ApiTokenId id;
  std::string name;
  std::string token_hash;
  std::string prefix;  // first characters, shown to tell tokens apart
  Timestamp created_at;
  std::optional<Timestamp> last_used_at;
  std::optional<Timestamp> revoked_at;
};

}  // namespace nadajnik::domain
