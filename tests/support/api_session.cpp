#include "support/api_session.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace nadajnik::testing {

const std::string& ApiSession::Token() {
  if (token_.empty()) {
    auto r = nadajnik_.Cli({"api-tokens", "create", "--name", "tests"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(r.out, m, std::regex(R"((ndj_\S+))"))) << r.out;
    token_ = m[1].str();
  }
  return token_;
}

HttpResult ApiSession::Call(const std::string& method, const std::string& path,
                            const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer " + Token()}, {"Content-Type", "application/json"}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return http_.Request(method, nadajnik_.Url(path), headers, body);
}

boost::json::value ApiSession::Api(const std::string& method, const std::string& path,
                                   const std::string& body, int expect) {
  auto r = Call(method, path, body);
  EXPECT_EQ(r.status, expect) << method << " " << path << ": " << r.body;
  boost::system::error_code ec;
  return boost::json::parse(r.body, ec);
}

void AddSandboxAccount(NadajnikInstance& nadajnik, SandboxProcess& sandbox,
                       const std::string& alias, const std::string& login) {
  auto r = nadajnik.Cli({"accounts", "add", "--alias", alias, "--name", "Konto " + alias,
                         "--auth-url", sandbox.base(), "--api-url", sandbox.base(), "--client-id",
                         kSandboxClientId, "--client-secret", kSandboxClientSecret,
                         "--refresh-token", sandbox.RefreshToken(login)});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

std::vector<std::string> AllegroWaybills(SandboxProcess& sandbox, const std::string& form) {
  auto r = sandbox.Api("GET", "/order/checkout-forms/" + form + "/shipments", sandbox.Token());
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> out;
  const auto body = SandboxProcess::Json(r);
  if (!body.is_object()) return out;
  for (const auto& s : body.at("shipments").as_array())
    out.emplace_back(s.at("waybill").as_string());
  return out;
}

}  // namespace nadajnik::testing
