// A user's label printer: `nadajnik users set-label-format` and the panel's "Drukarka etykiet"
// form on the user's own settings page, against real processes.
#include <gtest/gtest.h>

#include <regex>

#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/panel_forms.hpp"

namespace nadajnik::testing {
namespace {

constexpr char kPassword[] = "Pakowacz-Haslo-77";

domain::LabelFormat StoredFormat(NadajnikInstance& instance, const std::string& username) {
  auto user = instance.store().Read(
      [&](store::UnitOfWork& uow) { return uow.users().FindByUsername(username); });
  EXPECT_TRUE(user && *user) << (user ? "no such user" : user.error().Describe());
  return user && *user ? (*user)->label_format : domain::LabelFormat::kPdfA6;
}

TEST(UserLabelFormatCliTest, SetLabelFormatTakesTheLabelCommandsSpellings) {
  NadajnikInstance instance;
  instance.AddUser("ola", kPassword, "packer");
  EXPECT_EQ(StoredFormat(instance, "ola"), domain::LabelFormat::kPdfA6) << "the default";

  const std::pair<const char*, domain::LabelFormat> cases[] = {
      {"zpl", domain::LabelFormat::kZpl203},
      {"zpl-300", domain::LabelFormat::kZpl300},
      {"pdf-a4", domain::LabelFormat::kPdfA4},
      {"PDF_A6", domain::LabelFormat::kPdfA6},
  };
  for (const auto& [text, format] : cases) {
    auto r = instance.Cli({"users", "set-label-format", "ola", text});
    ASSERT_EQ(r.exit_code, 0) << text << ": " << r.err;
    EXPECT_NE(r.out.find(std::string(domain::LabelFormatName(format))), std::string::npos) << r.out;
    EXPECT_EQ(StoredFormat(instance, "ola"), format) << text;
  }

  auto list = instance.Cli({"users", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("pdf_a6"), std::string::npos) << list.out;
}

TEST(UserLabelFormatCliTest, AnUnknownFormatOrUserIsRefusedClearly) {
  NadajnikInstance instance;
  instance.AddUser("ola", kPassword, "packer");
  ASSERT_EQ(instance.Cli({"users", "set-label-format", "ola", "zpl-300"}).exit_code, 0);

  auto bad_format = instance.Cli({"users", "set-label-format", "ola", "png"});
  EXPECT_EQ(bad_format.exit_code, 2);
  EXPECT_NE(bad_format.err.find("'png'"), std::string::npos) << bad_format.err;
  EXPECT_NE(bad_format.err.find("pdf-a6, pdf-a4, zpl"), std::string::npos) << bad_format.err;

  auto no_user = instance.Cli({"users", "set-label-format", "nikt", "zpl"});
  EXPECT_EQ(no_user.exit_code, 1);
  EXPECT_NE(no_user.err.find("no user named 'nikt'"), std::string::npos) << no_user.err;

  EXPECT_EQ(StoredFormat(instance, "ola"), domain::LabelFormat::kZpl300) << "left as it was";
}

TEST(UserLabelFormatPanelTest, TheSettingsPageSavesThePrinterBehindCsrf) {
  NadajnikInstance instance;
  instance.AddUser("ola", kPassword, "packer");
  instance.AddUser("szef", "Admin-Haslo-2026!", "admin");
  ASSERT_TRUE(instance.Start()) << instance.Log();

  HttpClient client;
  auto form = client.Get(instance.Url("/login"));
  auto login = client.PostForm(
      instance.Url("/login"),
      {{"csrf_token", CsrfFrom(form.body)}, {"username", "ola"}, {"password", kPassword}});
  ASSERT_EQ(login.status, 303);

  auto page = client.Get(instance.Url("/account/password"));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Drukarka etykiet"), std::string::npos);
  EXPECT_NE(page.body.find(R"(action="/account/label-format")"), std::string::npos);
  EXPECT_NE(page.body.find(R"(<option value="pdf-a6" selected>)"), std::string::npos)
      << "PDF A6 until the user chooses";
  const std::string csrf = CsrfFrom(page.body);

  auto forged = client.PostForm(instance.Url("/account/label-format"), {{"label_format", "zpl"}});
  EXPECT_EQ(forged.status, 403) << "no CSRF token, nothing saved";
  EXPECT_EQ(StoredFormat(instance, "ola"), domain::LabelFormat::kPdfA6);

  auto saved = client.PostForm(instance.Url("/account/label-format"),
                               {{"csrf_token", csrf}, {"label_format", "zpl"}});
  ASSERT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(saved.Header("Location"), "/account/password");
  EXPECT_EQ(StoredFormat(instance, "ola"), domain::LabelFormat::kZpl203);
  EXPECT_EQ(StoredFormat(instance, "szef"), domain::LabelFormat::kPdfA6) << "only her printer";
  auto after = client.Get(instance.Url("/account/password"));
  EXPECT_NE(after.body.find("Zapisano drukarkę etykiet: ZPL 203 dpi"), std::string::npos)
      << after.body;
  EXPECT_NE(after.body.find(R"(<option value="zpl" selected>)"), std::string::npos);

  auto unknown = client.PostForm(instance.Url("/account/label-format"),
                                 {{"csrf_token", csrf}, {"label_format", "png"}});
  ASSERT_EQ(unknown.status, 303);
  EXPECT_NE(client.Get(instance.Url("/account/password")).body.find("Wybierz drukarkę"),
            std::string::npos);
  EXPECT_EQ(StoredFormat(instance, "ola"), domain::LabelFormat::kZpl203) << "left as it was";

  // The orders list's "Pobierz etykiety" starts at the user's printer.
  auto orders = client.Get(instance.Url("/orders"));
  ASSERT_EQ(orders.status, 200);
  if (orders.body.find(R"(id="b-format")") != std::string::npos) {
    EXPECT_NE(orders.body.find(R"(<option value="zpl" selected>)"), std::string::npos);
  }
}

}  // namespace
}  // namespace nadajnik::testing
