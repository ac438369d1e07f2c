#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "observability/metrics.hpp"

namespace nadajnik::http {
namespace {

Request MakeRequest(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.target = request.path;
  request.request_id = "req-42";
  return request;
}

Handler Answer(std::string text) {
  return [text](Request&) { return Response::Text(200, text); };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : router_(&metrics_) {
    router_.Get("/", Answer("home"));
    router_.Get("/orders", Answer("list"));
    router_.Post("/orders", Answer("create"));
    router_.Get("/orders/{id}", [](Request& request) {
      return Response::Text(200, "order " + request.PathParam("id").value_or("?"));
    });
    router_.Get("/orders/new", Answer("form"));
    router_.Get("/accounts/{account}/orders/{id}", [](Request& request) {
      return Response::Text(200,
                            request.path_params.at("account") + "/" + request.path_params.at("id"));
    });
    router_.Add("DELETE", "/orders/{id}", Answer("deleted"));
    router_.Get("/boom", [](Request&) -> Response {
      throw std::runtime_error("secret connection string in the message");
    });
  }

  Response Call(std::string method, std::string path) {
    Request request = MakeRequest(std::move(method), std::move(path));
    return router_.Dispatch(request);
  }

  observability::Metrics metrics_;
  Router router_;
};

TEST_F(RouterTest, LiteralRoutesMatchByMethodAndPath) {
  EXPECT_EQ(Call("GET", "/").body, "home");
  EXPECT_EQ(Call("GET", "/orders").body, "list");
  EXPECT_EQ(Call("POST", "/orders").body, "create");
}

TEST_F(RouterTest, PlaceholdersFillPathParams) {
  EXPECT_EQ(Call("GET", "/orders/17").body, "order 17");
  EXPECT_EQ(Call("GET", "/orders/a b").body, "order a b");
  EXPECT_EQ(Call("GET", "/accounts/main/orders/9").body, "main/9");
  EXPECT_EQ(Call("DELETE", "/orders/17").body, "deleted");
}

TEST_F(RouterTest, LiteralSegmentsWinOverPlaceholders) {
  EXPECT_EQ(Call("GET", "/orders/new").body, "form");
  EXPECT_EQ(Call("GET", "/orders/news").body, "order news");
}

TEST_F(RouterTest, UnknownPathsAre404) {
  EXPECT_EQ(Call("GET", "/nope").status, 404);
  EXPECT_EQ(Call("GET", "/orders/").status, 404) << "a placeholder needs a non-empty segment";
  EXPECT_EQ(Call("GET", "/orders//").status, 404);
  EXPECT_EQ(Call("GET", "/orders/1/items").status, 404);
  EXPECT_EQ(Call("GET", "").status, 200) << "an empty path is the root";
}

TEST_F(RouterTest, KnownPathWithAnotherMethodIs405WithAllow) {
  const Response response = Call("PUT", "/orders");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("Allow"), "GET, HEAD, POST");
  const Response item = Call("POST", "/orders/5");
  EXPECT_EQ(item.status, 405);
  EXPECT_EQ(item.Header("Allow"), "DELETE, GET, HEAD");
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  const Response response = Call("HEAD", "/orders/3");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "order 3") << "the server drops the body, the router doesn't";
}

TEST_F(RouterTest, HandlerExceptionBecomes500WithRequestIdOnly) {
  const Response response = Call("GET", "/boom");
  EXPECT_EQ(response.status, 500);
  EXPECT_NE(response.body.find("req-42"), std::string::npos);
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
}

TEST_F(RouterTest, MetricsUseThePatternAndBoundedLabels) {
  Call("GET", "/orders/1");
  Call("GET", "/orders/2");
  Call("GET", "/does/not/exist");
  Call("BREW", "/orders/3");  // an invented method must not become a label value
  Call("GET", "/boom");
  const std::string text = metrics_.RenderPrometheus();
  EXPECT_NE(
      text.find(
          "nadajnik_http_requests_total{method=\"GET\",route=\"/orders/{id}\",status=\"200\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "nadajnik_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "nadajnik_http_requests_total{method=\"other\",route=\"unmatched\",status=\"405\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("nadajnik_http_requests_total{method=\"GET\",route=\"/boom\",status=\"500\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("nadajnik_http_request_duration_seconds_count{route=\"/orders/{id}\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("BREW"), std::string::npos);
  EXPECT_EQ(text.find("/orders/1"), std::string::npos) << "never the concrete path";
}

TEST(RouterWithoutMetricsTest, DispatchWorksWithoutARegistry) {
  Router router;
  router.Get("/ping", Answer("pong"));
  Request request = MakeRequest("GET", "/ping");
  EXPECT_EQ(router.Dispatch(request).body, "pong");
  Request missing = MakeRequest("GET", "/pong");
  EXPECT_EQ(router.Dispatch(missing).status, 404);
}

}  // namespace
}  // namespace nadajnik::http
