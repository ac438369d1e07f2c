// Random tokens (sessions, CSRF, API tokens) and their hashes at rest.
// Tokens are high-entropy (>= 256 bits), so a fast keyed-free hash (BLAKE2b-256, hex) is enough
// to store them: a leaked table yields nothing usable. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace nadajnik::security {

// URL-safe base64 without padding of `bytes` random bytes.
std::string RandomToken(std::size_t bytes = 32);
// Lower-case hex BLAKE2b-256 of the token.
std::string HashToken(std::string_view token);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

std::string Base64Encode(std::string_view bytes);  // standard alphabet, padded
std::string Base64Decode(std::string_view text);   // empty on malformed input

}  // namespace nadajnik::security
