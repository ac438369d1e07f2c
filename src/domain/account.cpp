#include "domain/account.hpp"

#include <fmt/format.h>

#include "core/enum_names.hpp"

namespace nadajnik::domain {

namespace {
constexpr std::pair<AccountEnvironment, std::string_view> kEnvironments[] = {
    {AccountEnvironment::kProduction, "production"},
    {AccountEnvironment::kSandbox, "sandbox"},
    {AccountEnvironment::kCustom, "custom"},
};
constexpr std::pair<AccountState, std::string_view> kStates[] = {
    {AccountState::kNew, "new"},
    {AccountState::kActive, "active"},
    {AccountState::kNeedsReauthorization, "needs_reauthorization"},
    {AccountState::kDisabled, "disabled"},
};
}  // namespace

std::string_view AccountEnvironmentName(AccountEnvironment e) { return NameOf(kEnvironments, e); }
std::optional<AccountEnvironment> ParseAccountEnvironment(std::string_view s) {
  return ParseName(kEnvironments, s);
}
std::string_view AccountStateName(AccountState s) { return NameOf(kStates, s); }
std::optional<AccountState> ParseAccountState(std::string_view s) { return ParseName(kStates, s); }

Result<std::string> NormalizeAlias(std::string_view alias) {
  std::string out;
  for (char c : alias) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      return Fail(ErrorCode::kInvalidArgument, "alias must be two letters or digits, e.g. AB");
    }
    out += c;
  }
  if (out.size() != 2) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("alias must be exactly two characters, got {}", out.size()));
  }
  return out;
}

}  // namespace nadajnik::domain
