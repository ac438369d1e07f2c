#include "security/tokens.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace nadajnik::security {
namespace {

void EnsureSodium() {
  static const bool initialised = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)initialised;
}

std::string ToBase64(const unsigned char* data, std::size_t size, int variant) {
  if (size == 0) return {};
  const std::size_t encoded_len = sodium_base64_ENCODED_LEN(size, variant);
  std::string out(encoded_len, '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(encoded_len - 1);  // the terminating NUL
  return out;
}

}  // namespace

std::string RandomToken(std::size_t bytes) {
  EnsureSodium();
  if (bytes == 0) return {};
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string token = ToBase64(raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

std::string HashToken(std::string_view token) {
  EnsureSodium();
  unsigned char digest[crypto_generichash_BYTES];
  static_assert(crypto_generichash_BYTES == 32);
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  std::string hex(sizeof digest * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();  // the terminating NUL
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // The length is not secret (tokens and their hashes have fixed, public lengths); the
  // contents are compared without an early exit.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Base64Encode(std::string_view bytes) {
  return ToBase64(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                  sodium_base64_VARIANT_ORIGINAL);
}

std::string Base64Decode(std::string_view text) {
  if (text.empty()) return {};
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t out_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &out_len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return {};
  }
  out.resize(out_len);
  return out;
}

}  // namespace nadajnik::security
