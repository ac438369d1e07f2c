#include "security/passwords.hpp"

#include <sodium.h>

#include <optional>
#include <stdexcept>

#include <fmt/format.h>

namespace nadajnik::security {
namespace {

constexpr std::size_t kMinCharacters = 10;
constexpr std::size_t kMaxCharacters = 1024;

void EnsureSodium() {
  static const bool initialised = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)initialised;
}

// Number of code points in well-formed UTF-8, or nullopt for anything else (overlong forms,
// surrogates, truncated sequences), so that "10 characters" means what a person counts.
std::optional<std::size_t> CountUtf8Characters(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t code_point = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
      minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
      minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
      minimum = 0x10000;
    } else {
      return std::nullopt;
    }
    if (i + length > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    i += length;
    ++count;
  }
  return count;
}

// libsodium declares its password arguments non-null even when the length is zero.
const char* NonNull(std::string_view text) { return text.data() != nullptr ? text.data() : ""; }

}  // namespace

Result<void> ValidateNewPassword(std::string_view password) {
  // Messages describe the rule and the length only, never the password.
  const auto characters = CountUtf8Characters(password);
  if (!characters) {
    return Fail(ErrorCode::kInvalidArgument,
                "The password contains bytes that are not valid UTF-8 text; type it again "
                "using ordinary characters.");
  }
  if (*characters < kMinCharacters) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("The password is too short ({} characters); use at least {} "
                            "characters, for example a few unrelated words.",
                            *characters, kMinCharacters));
  }
  if (*characters > kMaxCharacters) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("The password is too long ({} characters); use at most {} characters.",
                            *characters, kMaxCharacters));
  }
  return Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  if (password.size() > crypto_pwhash_PASSWD_MAX) {
    return Fail(ErrorCode::kInvalidArgument, "The password is too long to be hashed.");
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, NonNull(password), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    // libsodium's only failure here is being unable to allocate the 64 MiB work area.
    return Fail(ErrorCode::kUnavailable,
                "The password could not be hashed because the server is short of memory; try "
                "again in a moment.",
                fmt::format("crypto_pwhash_str failed (needs {} bytes)",
                            static_cast<unsigned long long>(crypto_pwhash_MEMLIMIT_INTERACTIVE)));
  }
  return std::string(hash);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  EnsureSodium();
  // crypto_pwhash_str_verify reads a NUL-terminated string of at most STRBYTES - 1 characters.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  if (hash.find('\0') != std::string_view::npos) return false;
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), NonNull(password), password.size()) == 0;
}

}  // namespace nadajnik::security
