#include "security/tokens.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace nadajnik::security {
namespace {

bool IsUrlSafe(const std::string& token) {
  for (char c : token) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

TEST(Tokens, RandomTokensAreUrlSafeAndUnpadded) {
  const std::string token = RandomToken();
  EXPECT_EQ(token.size(), 43u) << "32 bytes are 43 base64 characters without padding";
  EXPECT_TRUE(IsUrlSafe(token)) << token;
  EXPECT_EQ(RandomToken(16).size(), 22u);
  EXPECT_EQ(RandomToken(48).size(), 64u);
  EXPECT_TRUE(RandomToken(0).empty());
}

TEST(Tokens, RandomTokensDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string token = RandomToken();
    ASSERT_TRUE(IsUrlSafe(token)) << token;
    EXPECT_TRUE(seen.insert(token).second) << "repeated " << token;
  }
  // Every alphabet position gets used: a broken generator (e.g. all zero bytes) would not.
  std::set<char> characters;
  for (const std::string& token : seen) characters.insert(token.begin(), token.end());
  EXPECT_EQ(characters.size(), 64u);
}

TEST(Tokens, HashIsLowerCaseHexBlake2b256) {
  // Reference values from Python's hashlib.blake2b(digest_size=32).
  EXPECT_EQ(HashToken(""), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(HashToken("abc"), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  const std::string token = RandomToken();
  EXPECT_EQ(HashToken(token), HashToken(token));
  EXPECT_NE(HashToken(token), HashToken(token + "x"));
  EXPECT_EQ(HashToken(token).find(token), std::string::npos);
}

TEST(Tokens, ConstantTimeEqualsComparesWholeValues) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("same-token", "same-token"));
  EXPECT_FALSE(ConstantTimeEquals("same-token", "same-tokeN"));
  EXPECT_FALSE(ConstantTimeEquals("Same-token", "same-token"));
  EXPECT_FALSE(ConstantTimeEquals("same-token", "same-token-longer"));
  EXPECT_FALSE(ConstantTimeEquals("same", ""));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(Tokens, Base64MatchesRfc4648) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), plain);
  }
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Tokens, Base64RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all);
}

TEST(Tokens, Base64DecodeGivesEmptyForMalformedText) {
  for (const char* bad : {"Zm9", "Zm9v!", "Zg=", "Zg", "Zm9v Zm9v", "-_8=", "Zm9vYmFy===", "="}) {
    EXPECT_EQ(Base64Decode(bad), "") << bad;
  }
}

}  // namespace
}  // namespace nadajnik::security
