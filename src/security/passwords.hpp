// Password hashing with argon2id (libsodium crypto_pwhash_str, interactive limits), and the
// rules for a new password. Hashes are self-describing strings ("$argon2id$v=19$m=...").
// Thread-safe. Hashing takes ~50-100 ms and 64 MiB by design; call it off hot paths.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace nadajnik::security {

// kInvalidArgument naming the rule a new password breaks (at least 10 characters, at most 1024).
Result<void> ValidateNewPassword(std::string_view password);
Result<std::string> HashPassword(std::string_view password);
// Constant-time with respect to the password; false for a malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace nadajnik::security
