// The shipment comment template: variables, brace escapes, refusal of unknown variables, and
// buyer-supplied values cleaned and bounded before they reach a carrier's label.
#include "services/comment_template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/text.hpp"

namespace nadajnik::services {
namespace {

using ::testing::HasSubstr;

Money Pln(std::int64_t minor) { return Money{minor, *Currency::Parse("PLN")}; }

domain::Order SampleOrder() {
  domain::Order o;
  o.id = OrderId(1234);
  o.checkout_form_id = CheckoutFormId("29b0ba40-1f2b-11ef-9c3e-a1b2c3d4e5f6");
  o.buyer.login = "kupujacy_jan";
  o.buyer.first_name = "Jan";
  o.buyer.last_name = "Kowalski";
  o.buyer.email = "a1b2+3c4d@allegromail.pl";
  o.total = Pln(13844);
  domain::LineItem kubek;
  kubek.offer_name = "Kubek ceramiczny";
  kubek.quantity = 2;
  domain::LineItem talerz;
  talerz.offer_name = "Talerz";
  talerz.quantity = 1;
  o.items = {kubek, talerz};
  o.delivery.method_name = "Allegro Paczkomaty InPost";
  o.bought_at = *ParseIso8601("2024-05-01T12:03:00Z");
  return o;
}

std::string Render(std::string_view tmpl, const domain::Order& o = SampleOrder(),
                   std::size_t max = 500) {
  auto r = RenderComment(tmpl, o, max);
  EXPECT_TRUE(r) << r.error().Describe();
  return r ? *r : std::string();
}

TEST(CommentTemplateTest, EveryVariableIsSubstituted) {
  EXPECT_EQ(Render("Zamówienie {order.checkoutFormId}"),
            "Zamówienie 29b0ba40-1f2b-11ef-9c3e-a1b2c3d4e5f6");
  EXPECT_EQ(Render("#{order.id}"), "#1234");
  EXPECT_EQ(Render("{buyer.login} / {buyer.name} / {buyer.email}"),
            "kupujacy_jan / Jan Kowalski / a1b2+3c4d@allegromail.pl");
  EXPECT_EQ(Render("{order.total}"), "138.44 PLN");
  EXPECT_EQ(Render("{order.items}"), "2× Kubek ceramiczny, 1× Talerz");
  EXPECT_EQ(Render("{delivery.method}"), "Allegro Paczkomaty InPost");
  EXPECT_EQ(Render("{order.boughtAt}"), "2024-05-01 14:03");  // Warsaw summer time
  EXPECT_EQ(Render("bez zmiennych"), "bez zmiennych");
  EXPECT_EQ(Render(""), "");
}

TEST(CommentTemplateTest, DoubledBracesAreLiteralBraces) {
  EXPECT_EQ(Render("{{order.id}} = {order.id}"), "{order.id} = 1234");
  EXPECT_EQ(Render("a}}b{{c"), "a}b{c");
  EXPECT_TRUE(CheckCommentTemplate("{{{order.id}}}"));
  EXPECT_EQ(Render("{{{order.id}}}"), "{1234}");
}

TEST(CommentTemplateTest, AnUnknownVariableIsRefusedByName) {
  for (const char* tmpl : {"Zamówienie {order.number}", "{buyer.phone}", "{}"}) {
    auto checked = CheckCommentTemplate(tmpl);
    ASSERT_FALSE(checked) << tmpl;
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
    auto rendered = RenderComment(tmpl, SampleOrder(), 100);
    ASSERT_FALSE(rendered) << tmpl;
    EXPECT_EQ(rendered.error().code, ErrorCode::kInvalidArgument);
  }
  auto e = CheckCommentTemplate("Zamówienie {order.number}").error();
  EXPECT_THAT(e.message, HasSubstr("{order.number}"));
  EXPECT_THAT(e.message, HasSubstr("{order.checkoutFormId}"));  // what to use instead
}

TEST(CommentTemplateTest, UnpairedBracesAreRefused) {
  for (const char* tmpl : {"Zamówienie {order.id", "Zamówienie {", "cena } 5", "{order.id}}"}) {
    auto checked = CheckCommentTemplate(tmpl);
    ASSERT_FALSE(checked) << tmpl;
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument) << tmpl;
    EXPECT_THAT(checked.error().message, ::testing::AnyOf(HasSubstr("{{"), HasSubstr("}}")))
        << "the message says how to write a brace";
  }
  EXPECT_TRUE(CheckCommentTemplate("Zamówienie {order.checkoutFormId} od {buyer.login}"));
}

TEST(CommentTemplateTest, BuyerValuesLoseControlCharactersAndLineBreaks) {
  auto o = SampleOrder();
  o.buyer.login = "jan\r\nX-Injected: 1";
  o.buyer.first_name = "Jan\t\t";
  o.buyer.last_name = "\x1b[31mKowalski\x7f";
  o.items[0].offer_name = "Kubek\u2028druga linia\u202Eodwrócone";
  const std::string out = Render("{buyer.login} | {buyer.name} | {order.items}", o);
  EXPECT_EQ(out.find_first_of("\r\n\t\x1b\x7f"), std::string::npos) << out;
  EXPECT_EQ(out.find("\u2028"), std::string::npos) << out;
  EXPECT_EQ(out.find("\u202E"), std::string::npos) << out;
  EXPECT_EQ(out, "jan X-Injected: 1 | Jan [31mKowalski | 2× Kubek druga liniaodwrócone, 1× Talerz");
}

TEST(CommentTemplateTest, InvalidUtf8FromTheBuyerIsDropped) {
  auto o = SampleOrder();
  o.buyer.login = std::string("ab\xC3") + "c\xFF\xC0\xAF" + "d";
  const std::string out = Render("{buyer.login}", o);
  EXPECT_TRUE(IsValidUtf8(out)) << out;
  EXPECT_EQ(out, "abcd");
}

TEST(CommentTemplateTest, TheResultIsBoundedAtACharacterBoundary) {
  auto o = SampleOrder();
  o.buyer.login = "żółćżółćżółćżółćżółćżółć";  // two bytes a letter
  for (std::size_t max = 0; max < 40; ++max) {
    const std::string out = Render("Ł{buyer.login}", o, max);
    EXPECT_LE(out.size(), max);
    EXPECT_TRUE(IsValidUtf8(out)) << max;
  }
  EXPECT_EQ(Render("{order.id} {buyer.login}", o, 20), "1234 żółćżó…");
  // Nothing to cut: unchanged.
  EXPECT_EQ(Render("{order.id}", o, 4), "1234");
}

TEST(CommentTemplateTest, EmptyValuesLeaveNoPadding) {
  auto o = SampleOrder();
  o.buyer = {};
  o.bought_at.reset();
  EXPECT_EQ(Render("  Zamówienie {order.id} {buyer.login} {order.boughtAt}", o), "Zamówienie 1234");
  o.buyer.company = "Firma „Pod Dębem”";
  EXPECT_EQ(Render("{buyer.name}", o), "Firma „Pod Dębem”");
}

}  // namespace
}  // namespace nadajnik::services
