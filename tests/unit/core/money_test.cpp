#include "core/money.hpp"

#include <gtest/gtest.h>

namespace nadajnik {
namespace {

TEST(Money, ParsesAllegroAmountStringsExactly) {
  auto m = ParseMoney("138.44", "PLN");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->minor, 13844);
  EXPECT_EQ(m->currency.code(), "PLN");
  EXPECT_EQ(ParseMoney("12", "CZK")->minor, 1200);
  EXPECT_EQ(ParseMoney("12.5", "EUR")->minor, 1250);
  EXPECT_EQ(ParseMoney("-3.10", "PLN")->minor, -310);
  EXPECT_EQ(ParseMoney("0.10", "HUF")->minor, 10);
  EXPECT_EQ(ParseMoney("1.000", "PLN")->minor, 100);
}

TEST(Money, RefusesWhatIsNotAnAmount) {
  for (const char* bad : {"", "-", "1.2.3", "12,50", "1e5", "abc", "1.234", " 1"}) {
    auto m = ParseMoney(bad, "PLN");
    EXPECT_FALSE(m) << "accepted '" << bad << "'";
    if (!m) {
      EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_FALSE(ParseMoney("1.00", "zl"));
  EXPECT_FALSE(ParseMoney("99999999999999999999", "PLN"));
}

TEST(Money, FormatsAmountsInTheirCurrency) {
  EXPECT_EQ(ParseMoney("138.44", "PLN")->ToString(), "138.44 PLN");
  EXPECT_EQ(ParseMoney("-0.05", "CZK")->AmountString(), "-0.05");
  EXPECT_EQ(ParseMoney("7", "JPY")->AmountString(), "7");
}

TEST(Money, NeverAddsDifferentCurrencies) {
  auto sum = Add(*ParseMoney("1.00", "PLN"), *ParseMoney("1.00", "CZK"));
  ASSERT_FALSE(sum);
  EXPECT_NE(sum.error().message.find("different currencies"), std::string::npos);
  EXPECT_EQ(Add(*ParseMoney("1.99", "PLN"), *ParseMoney("0.01", "PLN"))->minor, 200);
  EXPECT_EQ(Multiply(*ParseMoney("2.50", "EUR"), 3).minor, 750);
}

}  // namespace
}  // namespace nadajnik
