#include "support/sandbox_process.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

namespace nadajnik::testing {

namespace json = boost::json;
using namespace std::chrono_literals;

void SandboxProcess::Start(std::vector<std::string> extra) {
  ProcessOptions options;
  options.argv = {NADAJNIK_SANDBOX_BINARY, "--listen", "127.0.0.1:0", "--seed", "42"};
  options.argv.insert(options.argv.end(), extra.begin(), extra.end());
  options.stdout_path = dir_.path() / "out";
  options.stderr_path = dir_.path() / "err";
  process_ = std::make_unique<Process>(options);
  std::smatch m;
  for (int i = 0; i < 600; ++i) {
    const std::string out = ReadFile(dir_.path() / "out");
    if (std::regex_search(out, m, std::regex(R"(^LISTENING (\d+)\n)"))) {
      base_ = "http://127.0.0.1:" + m[1].str();
      return;
    }
    std::this_thread::sleep_for(50ms);
  }
  FAIL() << "no LISTENING line: " << ReadFile(dir_.path() / "err");
}

json::value SandboxProcess::Admin(const std::string& method, const std::string& path,
                                  const std::string& body) {
  auto r = client_.Request(method, base_ + path, {{"Content-Type", "application/json"}}, body);
  EXPECT_LT(r.status, 300) << path << ": " << r.body;
  boost::system::error_code ec;
  return json::parse(r.body, ec);
}

std::string SandboxProcess::Token(const std::string& login) {
  auto v = Admin("POST", "/__sandbox/tokens", R"({"login":")" + login + R"("})");
  return std::string(v.at("access_token").as_string());
}

HttpResult SandboxProcess::Api(const std::string& method, const std::string& path,
                               const std::string& token, const std::string& body) {
  HttpHeaders headers = {{"Accept", kVendor}, {"Authorization", "Bearer " + token}};
  if (!body.empty()) headers.emplace_back("Content-Type", kVendor);
  return client_.Request(method, base_ + path, headers, body);
}

json::value SandboxProcess::Json(const HttpResult& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body;
  return v;
}

std::string SandboxProcess::RefreshToken(const std::string& login) {
  auto v = Admin("POST", "/__sandbox/tokens", R"({"login":")" + login + R"("})");
  return std::string(v.at("refresh_token").as_string());
}

}  // namespace nadajnik::testing
