#include "domain/user.hpp"

#include "core/enum_names.hpp"

namespace nadajnik::domain {

namespace {
constexpr std::pair<Role, std::string_view> kRoles[] = {
    {Role::kAdmin, "admin"},
    {Role::kPacker, "packer"},
};
}  // namespace

std::string_view RoleName(Role r) { return NameOf(kRoles, r); }
std::optional<Role> ParseRole(std::string_view s) { return ParseName(kRoles, s); }

Result<void> ValidateUsername(std::string_view username) {
  if (username.empty() || username.size() > 64) {
    return Fail(ErrorCode::kInvalidArgument, "username must be 1 to 64 characters");
  }
  for (char c : username) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == '@';
    if (!ok) {
      return Fail(ErrorCode::kInvalidArgument,
                  "username may contain only letters, digits and . _ - @");
    }
  }
  return Ok();
}

}  // namespace nadajnik::domain
