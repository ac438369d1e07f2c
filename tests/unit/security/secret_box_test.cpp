#include "security/secret_box.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "security/tokens.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::security {
namespace {

namespace fs = std::filesystem;

SecretBox::Key KeyOf(unsigned char fill) {
  SecretBox::Key key;
  key.fill(fill);
  return key;
}

mode_t ModeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

void WriteFile(const fs::path& path, const std::string& bytes, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

// The raw nonce || ciphertext || tag behind a sealed value.
std::string RawOf(const std::string& sealed) { return Base64Decode(sealed.substr(3)); }
std::string SealedOf(const std::string& raw) { return "v1:" + Base64Encode(raw); }

TEST(SecretBox, OpensWhatItSealedInTheSameContext) {
  const SecretBox box = SecretBox::FromKey(KeyOf(7));
  for (const std::string& plaintext :
       {std::string(), std::string("refresh-token-abc"), std::string("zażółć gęślą jaźń"),
        std::string("with\0nul", 8), std::string(10000, 'x')}) {
    const std::string sealed = box.Seal(plaintext, "account:12:refresh_token");
    EXPECT_TRUE(sealed.starts_with("v1:")) << sealed;
    auto opened = box.Open(sealed, "account:12:refresh_token");
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(opened->Reveal(), plaintext);
  }
}

TEST(SecretBox, SealsTheSameValueDifferentlyEachTime) {
  const SecretBox box = SecretBox::FromKey(KeyOf(7));
  const std::string a = box.Seal("same", "ctx");
  const std::string b = box.Seal("same", "ctx");
  EXPECT_NE(a, b);
  // Nonce (24) + plaintext (4) + tag (16) bytes.
  EXPECT_EQ(RawOf(a).size(), 24u + 4u + 16u);
}

TEST(SecretBox, RefusesAValueMovedToAnotherContext) {
  const SecretBox box = SecretBox::FromKey(KeyOf(7));
  const std::string sealed = box.Seal("carrier-password-123", "account:12:refresh_token");
  auto opened = box.Open(sealed, "account:13:refresh_token");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(opened.error().message.find("account:13:refresh_token"), std::string::npos)
      << opened.error().message;
  EXPECT_EQ(opened.error().message.find("carrier-password-123"), std::string::npos);
  EXPECT_EQ(opened.error().Describe().find("carrier-password-123"), std::string::npos);
}

TEST(SecretBox, RefusesAValueSealedUnderAnotherKey) {
  const std::string sealed = SecretBox::FromKey(KeyOf(1)).Seal("secret", "ctx");
  EXPECT_FALSE(SecretBox::FromKey(KeyOf(2)).Open(sealed, "ctx"));
}

TEST(SecretBox, RefusesAValueWithAnyByteChanged) {
  const SecretBox box = SecretBox::FromKey(KeyOf(7));
  const std::string raw = RawOf(box.Seal("a secret worth protecting", "ctx"));
  ASSERT_FALSE(raw.empty());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string tampered = raw;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    auto opened = box.Open(SealedOf(tampered), "ctx");
    EXPECT_FALSE(opened) << "accepted a change at byte " << i;
    if (!opened) {
      EXPECT_EQ(opened.error().code, ErrorCode::kFailedPrecondition);
    }
  }
}

TEST(SecretBox, RefusesTruncatedValues) {
  const SecretBox box = SecretBox::FromKey(KeyOf(7));
  const std::string sealed = box.Seal("a secret worth protecting", "ctx");
  const std::string raw = RawOf(sealed);
  for (std::size_t length = 0; length < raw.size(); ++length) {
    EXPECT_FALSE(box.Open(SealedOf(raw.substr(0, length)), "ctx")) << "length " << length;
  }
  for (std::size_t length = 0; length < sealed.size(); ++length) {
    EXPECT_FALSE(box.Open(sealed.substr(0, length), "ctx")) << "text length " << length;
  }
}

TEST(SecretBox, RefusesValuesThatWereNeverSealed) {
  const SecretBox box = SecretBox::FromKey(KeyOf(7));
  for (const char* bad : {"", "plain text", "v1:", "v1:!!!!", "v2:AAAA", "V1:AAAA"}) {
    auto opened = box.Open(bad, "ctx");
    EXPECT_FALSE(opened) << bad;
    if (!opened) {
      EXPECT_EQ(opened.error().code, ErrorCode::kFailedPrecondition);
      EXPECT_NE(opened.error().message.find("'ctx'"), std::string::npos);
    }
  }
}

TEST(SecretBox, CiphertextNeverContainsThePlaintext) {
  const SecretBox box = SecretBox::FromKey(KeyOf(7));
  const std::string plaintext = "hunter2-hunter2-hunter2-refresh-token";
  for (int i = 0; i < 20; ++i) {
    const std::string sealed = box.Seal(plaintext, "ctx");
    EXPECT_EQ(sealed.find("hunter2"), std::string::npos);
    EXPECT_EQ(sealed.find(Base64Encode(plaintext).substr(0, 12)), std::string::npos);
    EXPECT_EQ(RawOf(sealed).find("hunter2"), std::string::npos);
  }
}

TEST(SecretBoxKeyFile, CreatesAPrivateKeyFileAndReusesIt) {
  testing::TempDir dir;
  const fs::path folder = dir.path() / "state" / "keys";
  const fs::path key_file = folder / "secret.key";

  auto first = SecretBox::LoadOrCreate(key_file);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(fs::exists(key_file));
  EXPECT_EQ(ModeOf(key_file), 0600u);
  EXPECT_EQ(ModeOf(folder), 0700u);
  EXPECT_EQ(ModeOf(dir.path() / "state"), 0700u);
  EXPECT_EQ(fs::file_size(key_file), SecretBox::kKeyBytes);
  const std::string key_bytes = testing::ReadFile(key_file);

  const std::string sealed = first->Seal("stored before a restart", "account:1:token");
  auto second = SecretBox::LoadOrCreate(key_file);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(testing::ReadFile(key_file), key_bytes) << "the key file was rewritten";
  auto opened = second->Open(sealed, "account:1:token");
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->Reveal(), "stored before a restart");
}

TEST(SecretBoxKeyFile, TwoNewKeyFilesHoldDifferentKeys) {
  testing::TempDir dir;
  ASSERT_TRUE(SecretBox::LoadOrCreate(dir.path() / "a.key"));
  ASSERT_TRUE(SecretBox::LoadOrCreate(dir.path() / "b.key"));
  EXPECT_NE(testing::ReadFile(dir.path() / "a.key"), testing::ReadFile(dir.path() / "b.key"));
}

TEST(SecretBoxKeyFile, ReadsTheKeyAsRawBytes) {
  testing::TempDir dir;
  const fs::path key_file = dir.path() / "secret.key";
  const SecretBox::Key key = KeyOf(0x5A);
  WriteFile(key_file, std::string(key.begin(), key.end()), 0600);
  auto box = SecretBox::LoadOrCreate(key_file);
  ASSERT_TRUE(box) << box.error().message;
  auto opened = box->Open(SecretBox::FromKey(key).Seal("value", "ctx"), "ctx");
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->Reveal(), "value");
}

TEST(SecretBoxKeyFile, RefusesAKeyFileOthersCanRead) {
  testing::TempDir dir;
  const fs::path key_file = dir.path() / "secret.key";
  ASSERT_TRUE(SecretBox::LoadOrCreate(key_file));
  const std::string key_bytes = testing::ReadFile(key_file);
  for (mode_t mode : {0644, 0640, 0604, 0660, 0610}) {
    ASSERT_EQ(::chmod(key_file.c_str(), mode), 0);
    auto box = SecretBox::LoadOrCreate(key_file);
    ASSERT_FALSE(box) << std::oct << mode;
    EXPECT_EQ(box.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(box.error().message.find("chmod 600 " + key_file.string()), std::string::npos)
        << box.error().message;
    EXPECT_EQ(box.error().message.find(key_bytes), std::string::npos);
  }
  ASSERT_EQ(::chmod(key_file.c_str(), 0400), 0);
  EXPECT_TRUE(SecretBox::LoadOrCreate(key_file)) << "owner-only read access is enough";
  EXPECT_EQ(testing::ReadFile(key_file), key_bytes) << "a refused key file must not be replaced";
}

TEST(SecretBoxKeyFile, RefusesAKeyFileOfTheWrongSize) {
  testing::TempDir dir;
  const fs::path key_file = dir.path() / "secret.key";
  for (std::size_t size : {0, 31, 33, 64}) {
    WriteFile(key_file, std::string(size, 'k'), 0600);
    auto box = SecretBox::LoadOrCreate(key_file);
    ASSERT_FALSE(box) << size;
    EXPECT_NE(box.error().message.find(std::to_string(size) + " bytes"), std::string::npos)
        << box.error().message;
    EXPECT_NE(box.error().message.find("32"), std::string::npos);
    EXPECT_EQ(fs::file_size(key_file), size) << "a refused key file must not be replaced";
  }
}

TEST(SecretBoxKeyFile, RefusesAFolderInPlaceOfTheKeyFile) {
  testing::TempDir dir;
  const fs::path key_file = dir.path() / "secret.key";
  fs::create_directory(key_file);
  auto box = SecretBox::LoadOrCreate(key_file);
  ASSERT_FALSE(box);
  EXPECT_NE(box.error().message.find(key_file.string()), std::string::npos) << box.error().message;
}

TEST(SecretBoxKeyFile, ReportsAKeyFilePathItCannotUse) {
  testing::TempDir dir;
  const fs::path blocker = dir.path() / "not-a-folder";
  WriteFile(blocker, "x", 0600);
  auto box = SecretBox::LoadOrCreate(blocker / "keys" / "secret.key");
  ASSERT_FALSE(box);
  EXPECT_EQ(box.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(box.error().message.find(blocker.string()), std::string::npos) << box.error().message;
}

}  // namespace
}  // namespace nadajnik::security
