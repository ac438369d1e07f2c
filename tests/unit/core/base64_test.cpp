#include "core/base64.hpp"

#include <gtest/gtest.h>

namespace nadajnik {
namespace {

TEST(Base64, EncodesWithPaddingAsRfc4648Says) {
  EXPECT_EQ(EncodeBase64(""), "");
  EXPECT_EQ(EncodeBase64("f"), "Zg==");
  EXPECT_EQ(EncodeBase64("fo"), "Zm8=");
  EXPECT_EQ(EncodeBase64("foo"), "Zm9v");
  EXPECT_EQ(EncodeBase64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(EncodeBase64("user:hasło"), "dXNlcjpoYXPFgm8=");
}

TEST(Base64, DecodesSoapPayloadsWithLineBreaksAndRefusesGarbage) {
  EXPECT_EQ(DecodeBase64("Zm9v\r\nYmFy"), "foobar");
  EXPECT_EQ(DecodeBase64("Zm8="), "fo");
  EXPECT_EQ(DecodeBase64("JVBERi0xLjQK"), "%PDF-1.4\n");
  EXPECT_FALSE(DecodeBase64("Zm9v!"));
  EXPECT_FALSE(DecodeBase64("Zg==Zg"));  // data after the padding
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  EXPECT_EQ(DecodeBase64(EncodeBase64(bytes)), bytes);
}

}  // namespace
}  // namespace nadajnik
