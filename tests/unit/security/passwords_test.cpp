#include "security/passwords.hpp"

#include <string>

#include <gtest/gtest.h>

namespace nadajnik::security {
namespace {

TEST(Passwords, HashesWithArgon2id) {
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$")) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
}

TEST(Passwords, VerifiesTheRightPasswordOnly) {
  auto hash = HashPassword("zażółć gęślą jaźń 42");
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_TRUE(VerifyPassword(*hash, "zażółć gęślą jaźń 42"));
  EXPECT_FALSE(VerifyPassword(*hash, "zażółć gęślą jaźń 43"));
  EXPECT_FALSE(VerifyPassword(*hash, "zazolc gesla jazn 42"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(VerifyPassword(*hash, "zażółć gęślą jaźń 42 "));
}

TEST(Passwords, HashesOnePasswordDifferentlyEachTime) {
  auto a = HashPassword("the same password");
  auto b = HashPassword("the same password");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b) << "salts must be random";
  EXPECT_TRUE(VerifyPassword(*a, "the same password"));
  EXPECT_TRUE(VerifyPassword(*b, "the same password"));
}

TEST(Passwords, RejectsMalformedHashesWithoutCrashing) {
  auto hash = HashPassword("some password here");
  ASSERT_TRUE(hash);
  const std::string good = *hash;
  for (const std::string& bad :
       {std::string(), std::string("not a hash"), std::string("$argon2id$"),
        good.substr(0, good.size() / 2), good.substr(0, good.size() - 1), std::string(500, '$'),
        good + std::string("\0x", 2)}) {
    EXPECT_FALSE(VerifyPassword(bad, "some password here")) << bad;
  }
}

TEST(Passwords, NewPasswordNeedsAtLeastTenCharacters) {
  auto short_one = ValidateNewPassword("abc123XYZ");
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(short_one.error().message.find("at least 10 characters"), std::string::npos)
      << short_one.error().message;
  EXPECT_NE(short_one.error().message.find("(9 characters)"), std::string::npos);
  EXPECT_EQ(short_one.error().message.find("abc123XYZ"), std::string::npos);
  EXPECT_FALSE(ValidateNewPassword(""));
  EXPECT_TRUE(ValidateNewPassword("abc123XYZ!"));
}

TEST(Passwords, NewPasswordLengthCountsCharactersNotBytes) {
  // Nine Polish letters take 18 bytes but are still nine characters.
  EXPECT_FALSE(ValidateNewPassword("ąęółśżźćń"));
  EXPECT_TRUE(ValidateNewPassword("ąęółśżźćńą"));
  // 1024 characters are allowed even when they take more than 1024 bytes.
  std::string long_polish(512, 'a');
  for (int i = 0; i < 512; ++i) long_polish += "ł";
  EXPECT_TRUE(ValidateNewPassword(long_polish));
  EXPECT_FALSE(ValidateNewPassword(long_polish + "ł"));
}

TEST(Passwords, NewPasswordMayHaveAtMost1024Characters) {
  EXPECT_TRUE(ValidateNewPassword(std::string(1024, 'a')));
  auto too_long = ValidateNewPassword(std::string(1025, 'a'));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(too_long.error().message.find("at most 1024 characters"), std::string::npos)
      << too_long.error().message;
}

TEST(Passwords, NewPasswordMustBeValidUtf8) {
  for (const std::string& bad :
       {std::string("abcdefghij\xff"), std::string("abcdefghij\xc3"),  // truncated
        std::string("abcdefghij\xc0\xaf"),                             // overlong '/'
        std::string("abcdefghij\xed\xa0\x80"),                         // surrogate
        std::string("abcdefghij\xf4\x90\x80\x80")}) {                  // above U+10FFFF
    auto result = ValidateNewPassword(bad);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("UTF-8"), std::string::npos);
  }
}

}  // namespace
}  // namespace nadajnik::security
