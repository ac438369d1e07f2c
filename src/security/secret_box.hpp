// SecretBox: encryption of secrets at rest (OAuth tokens, carrier passwords, client secrets).
//
// XChaCha20-Poly1305 (libsodium AEAD) under one 32-byte key kept in a key file that is created
// on first start with mode 0600. Each value is sealed with a random 24-byte nonce and a context
// string bound as associated data ("account:12:refresh_token"), so a ciphertext copied into
// another row or column fails to open. Sealed text is "v1:" + base64(nonce || ciphertext).
// Thread-safe (immutable after construction). Errors: Open() on a tampered, truncated or
// foreign value gives kFailedPrecondition with a message that names the context, never the value.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/secret.hpp"

namespace nadajnik::security {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  // Reads the key file, or creates it (random key, mode 0600, parent folder 0700) if absent.
  // A key file of the wrong size, or one readable by group/others, is refused with a message
  // that says how to fix it.
  static Result<SecretBox> LoadOrCreate(const std::filesystem::path& key_file);
  static SecretBox FromKey(const Key& key);

  std::string Seal(std::string_view plaintext, std::string_view context) const;
  Result<Secret<std::string>> Open(std::string_view sealed, std::string_view context) const;

 private:
  explicit SecretBox(const Key& key) : key_(key) {}
  Key key_;
};

}  // namespace nadajnik::security
