#include "http/request.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "http/error_status.hpp"

namespace nadajnik::http {
namespace {

TEST(HttpRequestTest, HeaderLookupIgnoresCaseAndReturnsTheFirst) {
  Request request;
  request.headers = {{"Content-Type", "text/plain"}, {"X-Thing", "1"}, {"x-thing", "2"}};
  EXPECT_EQ(request.Header("content-type"), "text/plain");
  EXPECT_EQ(request.Header("X-THING"), "1");
  EXPECT_FALSE(request.Header("Accept").has_value());
}

TEST(HttpRequestTest, CookiesAreFoundInAnyCookieHeader) {
  Request request;
  request.headers = {{"Cookie", "theme=dark;  session = abc123 ; flag"},
                     {"cookie", "csrf=\"quoted\"; empty="}};
  EXPECT_EQ(request.Cookie("session"), "abc123");
  EXPECT_EQ(request.Cookie("theme"), "dark");
  EXPECT_EQ(request.Cookie("csrf"), "quoted");
  EXPECT_EQ(request.Cookie("empty"), "");
  EXPECT_FALSE(request.Cookie("flag").has_value());
  EXPECT_FALSE(request.Cookie("sess").has_value()) << "no prefix matches";
  EXPECT_FALSE(request.Cookie("missing").has_value());
}

TEST(HttpRequestTest, QueryAndPathParams) {
  Request request;
  request.query = {{"page", "2"}, {"status", "new"}, {"status", "paid"}};
  request.path_params = {{"id", "42"}};
  EXPECT_EQ(request.QueryParam("page"), "2");
  EXPECT_EQ(request.QueryParam("status"), "new") << "the first of repeated values";
  EXPECT_FALSE(request.QueryParam("pag").has_value());
  EXPECT_EQ(request.PathParam("id"), "42");
  EXPECT_FALSE(request.PathParam("order").has_value());
}

TEST(HttpRequestTest, FormNeedsTheFormContentType) {
  Request request;
  request.body = "name=Jan+Kowalski&city=%C5%81%C3%B3d%C5%BA&tag=a&tag=b";
  request.headers = {{"content-type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8"}};
  const Result<FormData> form = request.Form();
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(form->find("name")->second, "Jan Kowalski");
  EXPECT_EQ(form->find("city")->second, "Łódź");
  EXPECT_EQ(form->count("tag"), 2u);

  request.headers = {{"Content-Type", "application/json"}};
  const Result<FormData> json = request.Form();
  ASSERT_FALSE(json.has_value());
  EXPECT_EQ(json.error().code, ErrorCode::kInvalidArgument);
  request.headers.clear();
  EXPECT_FALSE(request.Form().has_value());
}

TEST(HttpRequestTest, ParseUrlEncodedDecodesLikeABrowser) {
  const FormData form = ParseUrlEncoded("a=1&b=x+y%2Bz&&c&=anon&d=%zz%4&e=%41%42&a=2&f=a=b");
  EXPECT_EQ(form.count("a"), 2u);
  auto [first, last] = form.equal_range("a");
  EXPECT_EQ(first->second, "1");
  EXPECT_EQ(std::next(first)->second, "2") << "repeated names keep their order";
  EXPECT_EQ(form.find("b")->second, "x y+z");
  EXPECT_EQ(form.find("c")->second, "");
  EXPECT_EQ(form.find("")->second, "anon");
  EXPECT_EQ(form.find("d")->second, "%zz%4") << "malformed escapes stay as typed";
  EXPECT_EQ(form.find("e")->second, "AB");
  EXPECT_EQ(form.find("f")->second, "a=b");
  EXPECT_EQ(form.size(), 8u);
  EXPECT_TRUE(ParseUrlEncoded("").empty());
  EXPECT_TRUE(ParseUrlEncoded("&&&").empty());
}

TEST(HttpRequestTest, UrlEncodeRoundTripsEveryByte) {
  EXPECT_EQ(UrlEncode("Jan Kowalski & syn/ż?=%+"),
            "Jan%20Kowalski%20%26%20syn%2F%C5%BC%3F%3D%25%2B");
  EXPECT_EQ(UrlEncode("AZaz09-._~"), "AZaz09-._~");
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const FormData form = ParseUrlEncoded(UrlEncode("key " + all) + "=" + UrlEncode(all));
  ASSERT_EQ(form.size(), 1u);
  EXPECT_EQ(form.begin()->first, "key " + all);
  EXPECT_EQ(form.begin()->second, all);
}

TEST(HttpResponseTest, FactoriesSetStatusAndContentType) {
  EXPECT_EQ(Response::Html(200, "<p>").Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(Response::Json(201, "{}").Header("content-type"), "application/json");
  const Response text = Response::Text(404, "nope");
  EXPECT_EQ(text.status, 404);
  EXPECT_EQ(text.body, "nope");
  EXPECT_EQ(text.Header("Content-Type"), "text/plain; charset=utf-8");

  const Response redirect = Response::Redirect("/orders?page=2");
  EXPECT_EQ(redirect.status, 303);
  EXPECT_EQ(redirect.Header("Location"), "/orders?page=2");
  EXPECT_EQ(Response::Redirect("/login", 302).status, 302);
}

TEST(HttpResponseTest, SetHeaderReplacesAndCannotSplitTheResponse) {
  Response response = Response::Text(200, "");
  response.SetHeader("content-type", "text/csv");
  EXPECT_EQ(response.Header("Content-Type"), "text/csv");
  EXPECT_EQ(response.headers.size(), 1u);

  response.SetHeader("X-Next", "/a\r\nSet-Cookie: admin=1\r\n\r\n<html>");
  EXPECT_EQ(response.Header("X-Next"), "/aSet-Cookie: admin=1<html>");
  const std::size_t count = response.headers.size();
  response.SetHeader("Bad\r\nName: x", "v");
  response.SetHeader("", "v");
  EXPECT_EQ(response.headers.size(), count) << "a header name must be a token";
  const Response redirect = Response::Redirect("/next\nLocation: https://evil.example");
  for (const auto& [name, value] : redirect.headers) {
    EXPECT_EQ(value.find('\n'), std::string::npos);
    EXPECT_EQ(value.find('\r'), std::string::npos);
  }
}

TEST(HttpResponseTest, SetCookieWritesAttributes) {
  Response response;
  response.SetCookie({.name = "session", .value = "tok123", .secure = true, .same_site = "Strict"});
  EXPECT_EQ(response.Header("Set-Cookie"),
            "session=tok123; Path=/; HttpOnly; Secure; SameSite=Strict");

  Response deleting;
  deleting.SetCookie({.name = "session", .value = "", .max_age_seconds = 0});
  EXPECT_EQ(deleting.Header("Set-Cookie"),
            "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; "
            "SameSite=Lax");

  Response cross_site;
  cross_site.SetCookie({.name = "embed",
                        .value = "1",
                        .max_age_seconds = 3600,
                        .http_only = false,
                        .same_site = "None"});
  EXPECT_EQ(cross_site.Header("Set-Cookie"), "embed=1; Path=/; Max-Age=3600; Secure; SameSite=None")
      << "browsers drop SameSite=None without Secure";
}

TEST(HttpResponseTest, SetCookieEncodesValuesAndReplacesTheSameName) {
  Response response;
  const std::string value = "a b;c=d\"e\\f,g%h\r\nż";
  response.SetCookie({.name = "note", .value = value, .path = "/x; Domain=evil.example"});
  response.SetCookie({.name = "other", .value = "1"});
  ASSERT_EQ(response.headers.size(), 2u);
  const std::string header(*response.Header("Set-Cookie"));
  EXPECT_EQ(header.find(' '), header.find("; ") + 1) << "the value has no space: " << header;
  EXPECT_EQ(header.find("; Domain"), std::string::npos) << "no attribute smuggled: " << header;
  EXPECT_NE(header.find("; Path=/xDomain=evil.example;"), std::string::npos) << header;
  EXPECT_EQ(header.find('\n'), std::string::npos);

  // What the browser sends back decodes to the original value.
  Request request;
  request.headers = {{"Cookie", header.substr(0, header.find(';'))}};
  EXPECT_EQ(request.Cookie("note"), value);

  response.SetCookie({.name = "note", .value = "second"});
  ASSERT_EQ(response.headers.size(), 2u);
  EXPECT_EQ(response.headers.back().second.substr(0, 12), "note=second;");
}

TEST(HttpErrorStatusTest, EveryCodeHasItsStatus) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 422);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
}

TEST(HttpErrorStatusTest, ErrorJsonShowsCodeMessageAndRequestIdButNeverDetails) {
  Error error = Fail(ErrorCode::kNotFound, "Order \"7\" not found; check the number.",
                     "SELECT ... WHERE id=7 password=hunter2")
                    .value();
  const Response response = ErrorJson(error, "req-1");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  EXPECT_FALSE(response.Header("Retry-After").has_value());
  EXPECT_EQ(response.body.find("hunter2"), std::string::npos);
  const boost::json::value json = boost::json::parse(response.body);
  const boost::json::object& body = json.as_object();
  ASSERT_EQ(body.size(), 1u);
  const boost::json::object& inner = body.at("error").as_object();
  EXPECT_EQ(inner.size(), 3u);
  EXPECT_EQ(inner.at("code").as_string(), "not_found");
  EXPECT_EQ(inner.at("message").as_string(), "Order \"7\" not found; check the number.");
  EXPECT_EQ(inner.at("requestId").as_string(), "req-1");
}

TEST(HttpErrorStatusTest, ErrorJsonStaysValidJsonForAnyMessage) {
  Error error = Fail(ErrorCode::kInvalidArgument, "bad \\ \n\t\x01 \xff\xfe ż").value();
  const Response response = ErrorJson(error, "id\"x");
  EXPECT_EQ(response.status, 422);
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(response.body, ec);
  ASSERT_FALSE(ec) << response.body;
  EXPECT_EQ(json.at("error").at("requestId").as_string(), "id\"x");
}

TEST(HttpErrorStatusTest, RetryAfterIsWholeSecondsRoundedUp) {
  Error error = Fail(ErrorCode::kRateLimited, "Too many requests; wait a moment.").value();
  error.retry_after = std::chrono::milliseconds(1500);
  EXPECT_EQ(ErrorJson(error, "r").Header("Retry-After"), "2");
  EXPECT_EQ(ErrorJson(error, "r").status, 429);
  error.retry_after = std::chrono::milliseconds(3000);
  EXPECT_EQ(ErrorJson(error, "r").Header("Retry-After"), "3");
}

}  // namespace
}  // namespace nadajnik::http
