#include "security/secret_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace nadajnik::security {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSealedPrefix = "v1:";
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr int kBase64Variant = sodium_base64_VARIANT_ORIGINAL;

static_assert(SecretBox::kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kNonceBytes == 24);

void EnsureSodium() {
  // Function-local static: initialised once, thread-safe. Without a working libsodium nothing
  // secret can be handled, so this is a start-up bug rather than an expected failure.
  static const bool initialised = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)initialised;
}

std::string ErrnoText(int err) { return std::strerror(err); }

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports the error, which for a written file can be the first sign of a
  // failed write on some file systems.
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Result<SecretBox::Key> ReadKeyFile(const fs::path& key_file) {
  const std::string path = key_file.string();
  Fd fd(::open(key_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    const int err = errno;
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("cannot read the key file {}: {}; check that it exists and belongs to "
                            "the user running Nadajnik",
                            path, ErrnoText(err)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    const int err = errno;
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("cannot inspect the key file {}: {}", path, ErrnoText(err)));
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("the key file {} is not a regular file; point data.dir at a folder "
                            "whose key file is the one Nadajnik created",
                            path));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("the key file {} can be accessed by group or others (mode {:04o}); "
                            "it must be private to the user running Nadajnik: run `chmod 600 {}`",
                            path, st.st_mode & 07777, path));
  }
  if (st.st_size != static_cast<off_t>(SecretBox::kKeyBytes)) {
    return Fail(
        ErrorCode::kFailedPrecondition,
        fmt::format("the key file {} has {} bytes, but a Nadajnik key is exactly {} bytes: it is "
                    "damaged or not a Nadajnik key file; restore it from a backup (secrets sealed "
                    "with the original key cannot be opened without it)",
                    path, static_cast<long long>(st.st_size), SecretBox::kKeyBytes));
  }

  SecretBox::Key key{};
  std::size_t done = 0;
  while (done < key.size()) {
    const ssize_t n = ::read(fd.get(), key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : 0;
      sodium_memzero(key.data(), key.size());
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("cannot read the key file {}: {}", path,
                              err != 0 ? ErrnoText(err) : "it is shorter than expected"));
    }
    done += static_cast<std::size_t>(n);
  }
  return key;
}

// Creates each missing folder above the key file with mode 0700; existing folders are left
// as they are (they may be shared, e.g. /var/lib).
Result<void> CreateParentFolders(const fs::path& folder) {
  if (folder.empty()) return Ok();
  std::vector<fs::path> missing;
  for (fs::path p = folder; !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) break;
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      const int err = errno;
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("cannot create the folder {} for the key file: {}; create it (mode "
                              "0700) or choose another data.dir",
                              it->string(), ErrnoText(err)));
    }
  }
  return Ok();
}

// Writes a new key file. Returns false when the file appeared in the meantime (another process
// created it first), in which case the caller reads that one.
Result<bool> CreateKeyFile(const fs::path& key_file, const SecretBox::Key& key) {
  const std::string path = key_file.string();
  NADAJNIK_TRY(CreateParentFolders(key_file.parent_path()));

  // O_EXCL: never overwrite a key, which would make every sealed secret unreadable.
  Fd fd(::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == EEXIST) return false;
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("cannot create the key file {}: {}; check that its folder is writable "
                            "by the user running Nadajnik",
                            path, ErrnoText(err)));
  }
  auto fail_and_remove = [&](std::string_view what, int err) -> Result<bool> {
    fd.Close();
    ::unlink(key_file.c_str());
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("cannot {} the key file {}: {}; free space or fix the folder, then "
                            "start again",
                            what, path, ErrnoText(err)));
  };
  // A restrictive umask must not leave the owner unable to read the key back.
  if (::fchmod(fd.get(), 0600) != 0) return fail_and_remove("set permissions on", errno);

  std::size_t done = 0;
  while (done < key.size()) {
    const ssize_t n = ::write(fd.get(), key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_and_remove("write", errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail_and_remove("flush", errno);
  if (fd.Close() != 0) {
    const int err = errno;
    ::unlink(key_file.c_str());
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("cannot write the key file {}: {}", path, ErrnoText(err)));
  }

  // Make the new directory entry durable too. Best effort: some file systems refuse fsync on a
  // folder, and the key itself is already on disk.
  const fs::path folder = key_file.has_parent_path() ? key_file.parent_path() : fs::path(".");
  Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return true;
}

}  // namespace

Result<SecretBox> SecretBox::LoadOrCreate(const std::filesystem::path& key_file) {
  EnsureSodium();
  if (key_file.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no key file path given; set data.dir so Nadajnik can keep its key there");
  }
  struct stat st {};
  if (::lstat(key_file.c_str(), &st) != 0) {
    const int err = errno;
    if (err != ENOENT) {
      return Fail(ErrorCode::kFailedPrecondition, fmt::format("cannot inspect the key file {}: {}",
                                                              key_file.string(), ErrnoText(err)));
    }
    Key key{};
    randombytes_buf(key.data(), key.size());
    auto created = CreateKeyFile(key_file, key);
    if (!created) {
      sodium_memzero(key.data(), key.size());
      return Fail(std::move(created).error());
    }
    if (*created) {
      SecretBox box(key);
      sodium_memzero(key.data(), key.size());
      return box;
    }
    sodium_memzero(key.data(), key.size());
  }
  auto key = ReadKeyFile(key_file);
  if (!key) return Fail(std::move(key).error());
  SecretBox box(*key);
  sodium_memzero(key->data(), key->size());
  return box;
}

SecretBox SecretBox::FromKey(const Key& key) {
  EnsureSodium();
  return SecretBox(key);
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view context) const {
  std::vector<unsigned char> sealed(kNonceBytes + plaintext.size() + kTagBytes);
  unsigned char* nonce = sealed.data();
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long cipher_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      sealed.data() + kNonceBytes, &cipher_len,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr, nonce,
      key_.data());

  std::string out(kSealedPrefix);
  const std::size_t encoded_len = sodium_base64_ENCODED_LEN(sealed.size(), kBase64Variant);
  std::string encoded(encoded_len, '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), sealed.data(), sealed.size(), kBase64Variant);
  encoded.resize(encoded_len - 1);  // the terminating NUL
  out += encoded;
  return out;
}

Result<Secret<std::string>> SecretBox::Open(std::string_view sealed,
                                            std::string_view context) const {
  if (!sealed.starts_with(kSealedPrefix)) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("the secret stored for '{}' is not a sealed value Nadajnik can open "
                            "(expected the v1 format); enter the secret again",
                            context));
  }
  const std::string_view encoded = sealed.substr(kSealedPrefix.size());
  std::vector<unsigned char> raw(encoded.size() / 4 * 3 + 3);
  std::size_t raw_len = 0;
  const char* end = nullptr;
  const bool decoded = sodium_base642bin(raw.data(), raw.size(), encoded.data(), encoded.size(),
                                         nullptr, &raw_len, &end, kBase64Variant) == 0 &&
                       end == encoded.data() + encoded.size();
  if (!decoded || raw_len < kNonceBytes + kTagBytes) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("the secret stored for '{}' is damaged or truncated; enter the secret "
                            "again",
                            context));
  }

  std::string plaintext(raw_len - kNonceBytes - kTagBytes, '\0');
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &plain_len, nullptr,
          raw.data() + kNonceBytes, raw_len - kNonceBytes,
          reinterpret_cast<const unsigned char*>(context.data()), context.size(), raw.data(),
          key_.data()) != 0) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("the secret stored for '{}' cannot be opened: it was altered, belongs "
                            "to another field, or was sealed with a different key file; check "
                            "that data.dir holds the original key file, or enter the secret again",
                            context));
  }
  plaintext.resize(plain_len);
  return Secret<std::string>(std::move(plaintext));
}

}  // namespace nadajnik::security
