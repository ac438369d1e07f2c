#include "support/panel_forms.hpp"

#include <regex>

namespace nadajnik::testing {

std::string CsrfFrom(const std::string& html) {
  std::smatch m;
  static const std::regex re(R"re(name="csrf_token" value="([^"]+)")re");
  return std::regex_search(html, m, re) ? m[1].str() : std::string();
}

HttpResult PanelLogIn(HttpClient& client, NadajnikInstance& nadajnik, const std::string& username,
                      const std::string& password) {
  auto form = client.Get(nadajnik.Url("/login"));
  return client.PostForm(
      nadajnik.Url("/login"),
      {{"csrf_token", CsrfFrom(form.body)}, {"username", username}, {"password", password}});
}

}  // namespace nadajnik::testing
