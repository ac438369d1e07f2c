// Base64 (RFC 4648, standard alphabet, padded), for carrier documents and HTTP Basic
// credentials. Secrets at rest use libsodium's (security/tokens.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nadajnik {

std::string EncodeBase64(std::string_view bytes);
// Whitespace (line breaks in SOAP payloads) is skipped; nullopt for any other character outside
// the alphabet or data after the padding.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace nadajnik
