#include "core/text.hpp"

#include <gtest/gtest.h>

namespace nadajnik {
namespace {

TEST(Text, FoldCaseLowersEveryCentralEuropeanLetter) {
  EXPECT_EQ(FoldCase("ŻANETA Łukaszewska"), "żaneta łukaszewska");
  EXPECT_EQ(FoldCase("ĄĆĘŁŃÓŚŹŻ"), "ąćęłńóśźż");
  EXPECT_EQ(FoldCase("ŘŮĚŠČŽÝÁÍÉĎŤŇ"), "řůěščžýáíéďťň");
  EXPECT_EQ(FoldCase("ĽĹŔÔÄ"), "ľĺŕôä");
  EXPECT_EQ(FoldCase("ŐŰÖÜ"), "őűöü");
  EXPECT_EQ(FoldCase("already lower ż"), "already lower ż");
}

TEST(Text, FoldCaseLeavesEverythingElseAlone) {
  EXPECT_EQ(FoldCase("×÷ 100% _x_ 😀 \xff"), "×÷ 100% _x_ 😀 \xff");
  EXPECT_EQ(FoldCase(""), "");
}

TEST(Text, TruncateUtf8NeverSplitsACharacter) {
  EXPECT_EQ(TruncateUtf8("Żółć", 100), "Żółć");
  const std::string cut = TruncateUtf8("ŻŻŻŻŻŻ", 8);
  EXPECT_LE(cut.size(), 8u);
  EXPECT_TRUE(IsValidUtf8(cut));
  EXPECT_NE(cut.find("\xE2\x80\xA6"), std::string::npos) << "an ellipsis marks the cut";
}

TEST(Text, IsValidUtf8RefusesBrokenAndOverlongSequences) {
  EXPECT_TRUE(IsValidUtf8("Zażółć gęślą jaźń"));
  EXPECT_FALSE(IsValidUtf8("\xC5"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
}

}  // namespace
}  // namespace nadajnik
