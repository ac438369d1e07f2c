// The Allegro sandbox's invoice, offer/stock and Ship with Allegro endpoints
// (src/sandbox/allegro/{invoices,offers,shipping}_api.hpp) over real loopback HTTP, checked
// against shared/reference/allegro-api.md sections 4.6, 5, 6 and 7, not against Nadajnik's client.
//
// Set NADAJNIK_SALE_API_DUMP=<file> to append every exchange as a JSON line (method, path,
// status, content type, body) for checking against allegro-openapi.yaml with
// tests/conformance/openapi_validator.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "http/server/server.hpp"
#include "sandbox/allegro/invoices_api.hpp"
#include "sandbox/allegro/oauth.hpp"
#include "sandbox/allegro/offers_api.hpp"
#include "sandbox/allegro/orders_api.hpp"
#include "sandbox/allegro/sale_state.hpp"
#include "sandbox/allegro/shipping_api.hpp"
#include "sandbox/allegro/world.hpp"
#include "sandbox/allegro/wza_labels.hpp"
#include "sandbox/sandbox.hpp"
#include "support/http_client.hpp"

namespace nadajnik::sandbox::allegro {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using nadajnik::testing::HttpClient;
using nadajnik::testing::HttpHeaders;
using nadajnik::testing::HttpResult;

constexpr char kPlSeller[] = "437848322";
constexpr char kCzSeller[] = "518293746";
constexpr char kVendor[] = "application/vnd.allegro.public.v1+json";
constexpr char kPaczkomaty[] = "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93";
constexpr char kOneKurier[] = "d4869ef2-2ba3-4361-8f97-b6f1517c8f5f";
constexpr char kContract[] = "a7d0e2c4-6b8f-4e1a-9c3d-5f7b9e1a3c5d";
constexpr char kPdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

std::string ErrorCode(const json::value& body) {
  const auto* errors = body.is_object() ? body.as_object().if_contains("errors") : nullptr;
  if (errors == nullptr || !errors->is_array() || errors->as_array().empty()) return "<none>";
  return std::string(errors->as_array()[0].at("code").as_string());
}

std::string ErrorPath(const json::value& body) {
  const auto& e = body.at("errors").as_array().at(0).as_object();
  return e.at("path").is_null() ? "<null>" : std::string(e.at("path").as_string());
}

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A PDF whose cross-reference table points at its objects, ending in %%EOF. Returns the page
// count (objects of /Type /Page).
int CheckPdf(const std::string& pdf) {
  EXPECT_TRUE(pdf.starts_with("%PDF-1.")) << pdf.substr(0, 20);
  EXPECT_TRUE(pdf.ends_with("%%EOF\n"));
  const auto startxref = pdf.rfind("startxref\n");
  EXPECT_NE(startxref, std::string::npos);
  if (startxref == std::string::npos) return 0;
  const std::size_t xref = std::stoul(pdf.substr(startxref + 10));
  EXPECT_EQ(pdf.compare(xref, 5, "xref\n"), 0);
  std::size_t pos = pdf.find('\n', xref + 5);
  const int count = std::stoi(pdf.substr(xref + 7, pos - xref - 7));
  EXPECT_GT(count, 4);
  ++pos;
  for (int i = 0; i < count; ++i) {
    const std::string entry = pdf.substr(pos + static_cast<std::size_t>(i) * 20, 20);
    if (i == 0) {
      EXPECT_EQ(entry, "0000000000 65535 f \n");
      continue;
    }
    const std::size_t offset = std::stoul(entry.substr(0, 10));
    const std::string header = std::to_string(i) + " 0 obj\n";
    EXPECT_EQ(pdf.compare(offset, header.size(), header), 0) << "object " << i;
  }
  EXPECT_NE(pdf.find("trailer\n<< /Size " + std::to_string(count) + " /Root 1 0 R >>"),
            std::string::npos);
  return CountOf(pdf, "/Type /Page ");
}

class SandboxSaleApi : public ::testing::Test {
 protected:
  SandboxSaleApi() : world_(SandboxOptions{}) {
    std::lock_guard lock(world_.mu);
    AddDefaultSellers(world_);
    pl_orders_ = world_.CreatePaidOrders(0, Marketplace::kPl, 80, 48h);
    cz_orders_ = world_.CreatePaidOrders(1, Marketplace::kCz, 40, 48h);
    RegisterOrderRoutes(router_, world_);
    RegisterInvoiceRoutes(router_, world_);
    RegisterOfferRoutes(router_, world_);
    RegisterShippingRoutes(router_, world_);
    pl_token_ = IssueUserTokens(world_, kPlSeller, world_.options.client_id, {}).access_token;
    cz_token_ = IssueUserTokens(world_, kCzSeller, world_.options.client_id, {}).access_token;
    read_only_token_ = IssueUserTokens(world_, kPlSeller, world_.options.client_id,
                                       {"allegro:api:orders:read", "allegro:api:sale:offers:read",
                                        "allegro:api:shipments:read"})
                           .access_token;
  }

  ~SandboxSaleApi() override {
    if (server_) server_->Stop();
  }

  void SetUp() override {
    http::ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<http::HttpServer>(
        options, [this](http::Request& r) { return router_.Dispatch(r); });
    auto started = server_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().Describe();
  }

  HttpResult Call(const std::string& method, const std::string& path, const std::string& body = {},
                  const std::string& token = {}, HttpHeaders headers = {}) {
    const std::string& bearer = token.empty() ? pl_token_ : token;
    auto has = [&](std::string_view name) {
      return std::any_of(headers.begin(), headers.end(),
                         [&](const auto& h) { return h.first == name; });
    };
    headers.emplace_back("Authorization", "Bearer " + bearer);
    if (!has("Accept")) headers.emplace_back("Accept", kVendor);
    if (!body.empty() && !has("Content-Type")) headers.emplace_back("Content-Type", kVendor);
    HttpResult r = client_.Request(
        method, "http://127.0.0.1:" + std::to_string(server_->port()) + path, headers, body);
    Dump(method, path, r);
    return r;
  }

  static void Dump(const std::string& method, const std::string& path, const HttpResult& r) {
    const char* file = std::getenv("NADAJNIK_SALE_API_DUMP");
    if (file == nullptr) return;
    boost::system::error_code ec;
    json::value body = json::parse(r.body, ec);
    json::object line{{"method", method},        {"path", path.substr(0, path.find('?'))},
                      {"status", r.status},      {"contentType", r.Header("Content-Type")},
                      {"empty", r.body.empty()}, {"body", ec ? json::value(nullptr) : body}};
    std::ofstream(file, std::ios::app) << json::serialize(line) << "\n";
  }

  static json::value Json(const HttpResult& r) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << "not JSON (" << r.status << "): " << r.body.substr(0, 300);
    return v;
  }

  void Advance(std::chrono::milliseconds d) {
    std::lock_guard lock(world_.mu);
    world_.offset += d;
  }

  // The first of `orders` for which `pred` holds (fails the test when there is none).
  std::uint32_t PickOrder(const std::vector<std::uint32_t>& orders,
                          const std::function<bool(const GeneratedOrder&)>& pred) {
    std::lock_guard lock(world_.mu);
    for (auto i : orders) {
      if (pred(world_.Materialize(i))) return i;
    }
    ADD_FAILURE() << "no generated order fits the test";
    return orders.front();
  }

  std::string FormId(std::uint32_t order) {
    std::lock_guard lock(world_.mu);
    return world_.CheckoutFormId(order);
  }

  GeneratedOrder Order(std::uint32_t order) {
    std::lock_guard lock(world_.mu);
    return world_.Materialize(order);
  }

  std::vector<ReceivedChange> Received(const std::string& kind) {
    std::lock_guard lock(world_.mu);
    std::vector<ReceivedChange> out;
    for (const auto& r : world_.received) {
      if (r.kind == kind) out.push_back(r);
    }
    return out;
  }

  World world_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  HttpClient client_;
  std::vector<std::uint32_t> pl_orders_;
  std::vector<std::uint32_t> cz_orders_;
  std::string pl_token_;
  std::string cz_token_;
  std::string read_only_token_;
};

// ---- invoices (section 4.6) ---------------------------------------------------------------------

class SandboxSaleInvoices : public SandboxSaleApi {
 protected:
  std::string InvoicesPath(std::uint32_t order) {
    return "/order/checkout-forms/" + FormId(order) + "/invoices";
  }
  std::uint32_t InvoiceOrder() {
    return PickOrder(pl_orders_, [](const GeneratedOrder& g) { return g.invoice.required; });
  }
  HttpResult PutFile(std::uint32_t order, const std::string& id, const std::string& bytes,
                     const std::string& type = "application/pdf") {
    return Call("PUT", InvoicesPath(order) + "/" + id + "/file", bytes, {},
                {{"Content-Type", type}});
  }
};

TEST_F(SandboxSaleInvoices, MetadataThenRawPdfShowsInTheListAndIsScanned) {
  const std::uint32_t order = InvoiceOrder();
  HttpResult posted =
      Call("POST", InvoicesPath(order),
           R"({"file":{"name":"FV_2024_01_123.pdf"},"invoiceNumber":"FV 123/01/2024"})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  EXPECT_EQ(posted.Header("Content-Type"), kVendor);
  const std::string id(Json(posted).at("id").as_string());
  EXPECT_TRUE(std::regex_match(id, kUuid)) << id;

  json::value listed = Json(Call("GET", InvoicesPath(order)));
  EXPECT_EQ(listed.at("orderMode"), "REGULAR");
  EXPECT_EQ(listed.at("hasExternalInvoices"), false);
  ASSERT_EQ(listed.at("invoices").as_array().size(), 1u);
  const auto& before = listed.at("invoices").as_array()[0].as_object();
  EXPECT_EQ(before.at("id"), id.c_str());
  EXPECT_EQ(before.at("invoiceNumber"), "FV 123/01/2024");
  EXPECT_EQ(before.at("file").at("name"), "FV_2024_01_123.pdf");
  EXPECT_FALSE(before.at("file").as_object().contains("uploadedAt"));

  HttpResult uploaded = PutFile(order, id, kPdf);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  EXPECT_TRUE(uploaded.body.empty());
  const auto scanning = Json(Call("GET", InvoicesPath(order))).at("invoices").at(0).at("file");
  EXPECT_TRUE(scanning.as_object().contains("uploadedAt"));
  EXPECT_EQ(scanning.at("securityVerification").at("status"), "WAITING");
  EXPECT_EQ(scanning.at("verification").at("status"), "NOT_APPLICABLE");

  Advance(3s);
  const auto scanned = Json(Call("GET", InvoicesPath(order))).at("invoices").at(0).at("file");
  EXPECT_EQ(scanned.at("securityVerification").at("status"), "ACCEPTED");
  EXPECT_TRUE(scanned.at("securityVerification").as_object().contains("verifiedAt"));

  const auto received = Received("invoice");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].checkout_form_id, FormId(order));
  EXPECT_EQ(received[0].seller_id, kPlSeller);
  const json::value detail = json::parse(received[0].detail);
  EXPECT_EQ(detail.at("invoiceId"), id.c_str());
  EXPECT_EQ(detail.at("bytes").as_int64(), static_cast<std::int64_t>(std::string(kPdf).size()));
}

TEST_F(SandboxSaleInvoices, FileUploadRefusesWhatIsNotOneRawPdfOfAtMost3MB) {
  const std::uint32_t order = InvoiceOrder();
  const std::string id(Json(Call("POST", InvoicesPath(order), R"({"file":{"name":"fv.pdf"}})"))
                           .at("id")
                           .as_string());

  HttpResult empty = PutFile(order, id, "");
  EXPECT_EQ(empty.status, 422);
  EXPECT_EQ(ErrorCode(Json(empty)), "EMPTY-ATTACHMENT");

  // Base64 of a PDF, as some clients send it: not PDF content.
  HttpResult base64 = PutFile(order, id, "JVBERi0xLjQKJcfsj6IKNSAwIG9iago=");
  EXPECT_EQ(base64.status, 422);
  const json::value invalid = Json(base64);
  EXPECT_EQ(ErrorCode(invalid), "FILE-CONTENT-INVALID");
  EXPECT_EQ(ErrorPath(invalid), InvoicesPath(order) + "/" + id + "/file");

  HttpResult json_type = PutFile(order, id, kPdf, kVendor);
  EXPECT_EQ(json_type.status, 415);
  EXPECT_EQ(ErrorCode(Json(json_type)), "NotSupportedException");

  std::string big = std::string(kPdf) + std::string(3 * 1024 * 1024, ' ');
  HttpResult too_big = PutFile(order, id, big);
  EXPECT_EQ(too_big.status, 413);

  HttpResult unknown = PutFile(order, "9b2f4d3c-1e7a-4c55-8d2e-0f6a7b8c9d0e", kPdf);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCode(Json(unknown)), "INVOICE-NOT-FOUND");

  big.resize(3 * 1024 * 1024);  // exactly 3 MB is still fine
  ASSERT_EQ(PutFile(order, id, big).status, 200);
  HttpResult second = PutFile(order, id, kPdf);
  EXPECT_EQ(second.status, 409);
  EXPECT_TRUE(Received("invoice").size() == 1u);
}

TEST_F(SandboxSaleInvoices, MetadataNeedsAFileNameAndAnOrderThatAsksForAnInvoice) {
  const std::uint32_t order = InvoiceOrder();
  HttpResult nameless = Call("POST", InvoicesPath(order), R"({"invoiceNumber":"FV 1"})");
  EXPECT_EQ(nameless.status, 422);
  EXPECT_EQ(ErrorPath(Json(nameless)), "file.name");
  EXPECT_EQ(Call("POST", InvoicesPath(order), "not json").status, 422);

  const std::uint32_t private_order =
      PickOrder(pl_orders_, [](const GeneratedOrder& g) { return !g.invoice.required; });
  HttpResult refused = Call("POST", InvoicesPath(private_order), R"({"file":{"name":"a.pdf"}})");
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(ErrorCode(Json(refused)), "ORDER-WITHOUT-INVOICE");
}

TEST_F(SandboxSaleInvoices, SecondMetadataIsThrottledThenWaitsForTheScanThenRefused) {
  const std::uint32_t order = InvoiceOrder();
  const std::string first_body = R"({"file":{"name":"fv1.pdf"},"invoiceNumber":"FV 1/2024"})";
  const std::string first(Json(Call("POST", InvoicesPath(order), first_body)).at("id").as_string());
  HttpResult too_fast = Call("POST", InvoicesPath(order), first_body);
  EXPECT_EQ(too_fast.status, 429);
  ASSERT_EQ(PutFile(order, first, kPdf).status, 200);

  HttpResult scanning =
      Call("POST", InvoicesPath(order), R"({"file":{"name":"k1.pdf"},"invoiceNumber":"KOR 1"})");
  EXPECT_EQ(scanning.status, 422);
  EXPECT_EQ(ErrorCode(Json(scanning)), "SECURITY-SCAN-IN-PROGRESS");

  Advance(3s);
  HttpResult duplicate = Call("POST", InvoicesPath(order), first_body);
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(ErrorCode(Json(duplicate)), "ORDER-ALREADY-HAS-SELLER-INVOICE");
  // Section 4.6: once the order has its seller invoice, other metadata is refused too.
  HttpResult correction =
      Call("POST", InvoicesPath(order), R"({"file":{"name":"k1.pdf"},"invoiceNumber":"KOR 1"})");
  EXPECT_EQ(correction.status, 409) << correction.body;
  EXPECT_EQ(Json(Call("GET", InvoicesPath(order))).at("invoices").as_array().size(), 1u);
}

TEST_F(SandboxSaleInvoices, OnlyTheSellersOwnOrdersWithTheRightScopeAndMediaType) {
  const std::uint32_t order = InvoiceOrder();
  const std::string body = R"({"file":{"name":"fv.pdf"}})";
  HttpResult foreign = Call("POST", InvoicesPath(order), body, cz_token_);
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(Call("GET", InvoicesPath(order), {}, cz_token_).status, 403);
  HttpResult unknown =
      Call("GET", "/order/checkout-forms/0d1c2b3a-4f5e-4a7b-9c8d-7e6f5a4b3c2d/invoices");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCode(Json(unknown)), "ORDER-NOT-FOUND");
  HttpResult read_only = Call("POST", InvoicesPath(order), body, read_only_token_);
  EXPECT_EQ(read_only.status, 403);
  EXPECT_EQ(ErrorCode(Json(read_only)), "AccessDenied");
  HttpResult plain_json =
      Call("POST", InvoicesPath(order), body, {}, {{"Content-Type", "application/json"}});
  EXPECT_EQ(plain_json.status, 415);
  EXPECT_EQ(Call("GET", InvoicesPath(order), {}, {}, {{"Accept", "application/json"}}).status, 406);
}

// ---- offers and stock (section 6)
// ----------------------------------------------------------------

class SandboxSaleOffers : public SandboxSaleApi {
 protected:
  json::array Offers(const std::string& query, const std::string& token = {}) {
    HttpResult r = Call("GET", "/sale/offers" + query, {}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r).at("offers").as_array();
  }
  // An offer of the PL seller in this publication status (and selling format).
  json::object OfferWith(std::string_view status, std::string_view format = "BUY_NOW") {
    for (const auto& o : Offers("?limit=1000")) {
      if (o.at("publication").at("status").as_string() == status &&
          o.at("sellingMode").at("format").as_string() == format) {
        return o.as_object();
      }
    }
    ADD_FAILURE() << "no " << status << " offer";
    return {};
  }
  std::string Id(const json::object& offer) { return std::string(offer.at("id").as_string()); }
};

TEST_F(SandboxSaleOffers, ListsTheSellersOwnOffersTwentyAtATimeNewestFirst) {
  HttpResult r = Call("GET", "/sale/offers");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value page = Json(r);
  EXPECT_EQ(page.at("count").as_int64(), 20);
  EXPECT_EQ(page.at("totalCount").as_int64(), 30) << "the seller's catalogue";
  const auto& offers = page.at("offers").as_array();
  ASSERT_EQ(offers.size(), 20u);
  std::string previous;  // newest first: publication.startedAt does not grow down the page
  for (const auto& o : offers) {
    const auto* started = o.at("publication").as_object().if_contains("startedAt");
    if (started == nullptr) continue;  // never published
    const std::string at(started->as_string());
    if (!previous.empty()) {
      EXPECT_LE(at, previous);
    }
    previous = at;
  }
  EXPECT_EQ(offers[0].at("sellingMode").at("price").at("currency"), "PLN");
  EXPECT_EQ(offers[0].at("publication").at("marketplaces").at("base").at("id"), "allegro-pl");

  std::set<std::string> pl_ids;
  for (const auto& o : Offers("?limit=1000")) pl_ids.insert(std::string(o.at("id").as_string()));
  EXPECT_EQ(pl_ids.size(), 30u);
  const auto cz = Offers("?limit=1000", cz_token_);
  ASSERT_EQ(cz.size(), 30u);
  for (const auto& o : cz) {
    EXPECT_FALSE(pl_ids.contains(std::string(o.at("id").as_string())));
    EXPECT_EQ(o.at("sellingMode").at("price").at("currency"), "CZK");
  }
  const json::value last = Json(Call("GET", "/sale/offers?limit=10&offset=25"));
  EXPECT_EQ(last.at("count").as_int64(), 5);
}

TEST_F(SandboxSaleOffers, EveryOfferSoldInAnOrderIsTheSellersOffer) {
  std::set<std::string> ids;
  std::set<std::string> skus;
  for (const auto& o : Offers("?limit=1000")) {
    ids.insert(std::string(o.at("id").as_string()));
    if (const auto* ext = o.as_object().if_contains("external"); ext && ext->is_object()) {
      skus.insert(std::string(ext->at("id").as_string()));
    }
  }
  for (std::uint32_t order : pl_orders_) {
    for (const auto& li : world_.Materialize(order).line_items) {
      EXPECT_TRUE(ids.contains(li.offer_id)) << li.offer_id << " sold but not offered";
      if (!li.external_id.empty()) {
        EXPECT_TRUE(skus.contains(li.external_id)) << li.external_id;
      }
    }
  }
}

TEST_F(SandboxSaleOffers, FiltersBySkuIdStatusFormatMarketplaceAndSorts) {
  const auto all = Offers("?limit=1000");
  const std::string sku(all.at(3).at("external").at("id").as_string());
  const std::string other_sku(all.at(5).at("external").at("id").as_string());
  const auto by_sku = Offers("?external.id=" + sku + "&external.id=" + other_sku);
  ASSERT_EQ(by_sku.size(), 2u);
  const auto by_id = Offers("?offer.id=" + std::string(all.at(7).at("id").as_string()));
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].at("id"), all.at(7).at("id"));

  const auto ended = Offers("?limit=1000&publication.status=ENDED");
  ASSERT_FALSE(ended.empty());
  for (const auto& o : ended) EXPECT_EQ(o.at("publication").at("status"), "ENDED");
  const auto auctions = Offers("?sellingMode.format=AUCTION");
  ASSERT_EQ(auctions.size(), 2u);
  const auto on_cz = Offers("?limit=1000&publication.marketplace=allegro-cz");
  ASSERT_FALSE(on_cz.empty());
  EXPECT_LT(on_cz.size(), 30u);
  for (const auto& o : on_cz) {
    EXPECT_EQ(o.at("additionalMarketplaces")
                  .at("allegro-cz")
                  .at("sellingMode")
                  .at("price")
                  .at("currency"),
              "CZK");
  }
  const auto by_stock = Offers("?limit=1000&sort=-stock.available");
  for (std::size_t i = 1; i < by_stock.size(); ++i) {
    EXPECT_GE(by_stock[i - 1].at("stock").at("available").as_int64(),
              by_stock[i].at("stock").at("available").as_int64());
  }
  EXPECT_EQ(Offers("?name=KUBEK").size(), 1u);  // "Kubek termiczny", case-insensitively
}

TEST_F(SandboxSaleOffers, BadQueriesAre400) {
  for (const char* query : {"?limit=0", "?limit=1001", "?offset=-1", "?offset=9999999&limit=2",
                            "?limit=x", "?publication.status=SOLD", "?sort=name",
                            "?sellingMode.format=RENT", "?publication.marketplace=allegro-de"}) {
    HttpResult r = Call("GET", std::string("/sale/offers") + query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(ErrorCode(Json(r)), "VALIDATION_ERROR") << query;
  }
  std::string many = "?";
  for (int i = 0; i < 101; ++i) many += "external.id=S" + std::to_string(i) + "&";
  EXPECT_EQ(Call("GET", "/sale/offers" + many).status, 400);
}

TEST_F(SandboxSaleOffers, StockPatchIsImmediateAndZeroEndsAnActiveOffer) {
  const json::object offer = OfferWith("ACTIVE");
  const std::string path = "/sale/product-offers/" + Id(offer);
  HttpResult r = Call("PATCH", path, R"({"stock":{"available":17,"unit":"UNIT"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value edited = Json(r);
  EXPECT_EQ(edited.at("stock").at("available").as_int64(), 17);
  EXPECT_EQ(edited.at("publication").at("status"), "ACTIVE");
  EXPECT_EQ(Offers("?offer.id=" + Id(offer)).at(0).at("stock").at("available").as_int64(), 17);
  const json::value fetched = Json(Call("GET", path));
  EXPECT_EQ(fetched.at("stock").at("available").as_int64(), 17);

  const auto received = Received("stock");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0].checkout_form_id.empty());
  EXPECT_EQ(json::parse(received[0].detail).at("offerId"), Id(offer).c_str());

  HttpResult zero = Call("PATCH", path, R"({"stock":{"available":0}})");
  ASSERT_EQ(zero.status, 200) << zero.body;
  EXPECT_EQ(Json(zero).at("publication").at("status"), "ENDED");
  EXPECT_EQ(Offers("?offer.id=" + Id(offer)).at(0).at("publication").at("status"), "ENDED");
}

TEST_F(SandboxSaleOffers, ActivationIsAsynchronousWithLocationRetryAfterAnd303) {
  const json::object offer = OfferWith("ENDED");
  const std::string path = "/sale/product-offers/" + Id(offer);
  HttpResult accepted =
      Call("PATCH", path, R"({"stock":{"available":5},"publication":{"status":"ACTIVE"}})");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(Json(accepted).at("publication").at("status"), "ACTIVATING");
  EXPECT_GE(std::stoi(accepted.Header("Retry-After")), 1);
  const std::string location = accepted.Header("Location");
  const std::string prefix =
      "http://127.0.0.1:" + std::to_string(server_->port()) + path + "/operations/";
  ASSERT_TRUE(location.starts_with(prefix)) << location;
  const std::string operation = location.substr(location.find(path));

  HttpResult busy = Call("PATCH", path, R"({"stock":{"available":6}})");
  EXPECT_EQ(busy.status, 409);
  HttpResult polling = Call("GET", operation);
  EXPECT_EQ(polling.status, 202);
  EXPECT_EQ(Json(polling).at("operation").at("status"), "IN_PROGRESS");
  EXPECT_FALSE(polling.Header("Retry-After").empty());

  Advance(2s);
  HttpResult done = Call("GET", operation);
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(done.Header("Location"), "http://127.0.0.1:" + std::to_string(server_->port()) + path);
  EXPECT_EQ(Json(Call("GET", path)).at("publication").at("status"), "ACTIVE");
  EXPECT_EQ(Call("PATCH", path, R"({"stock":{"available":6}})").status, 200);
  EXPECT_EQ(Call("GET", path + "/operations/0d1c2b3a-4f5e-4a7b-9c8d-7e6f5a4b3c2d").status, 404);
}

TEST_F(SandboxSaleOffers, PatchErrorsFollowTheDocumentedStatuses) {
  const json::object offer = OfferWith("ACTIVE");
  const std::string path = "/sale/product-offers/" + Id(offer);
  HttpResult unknown =
      Call("PATCH", "/sale/product-offers/99999999999", R"({"stock":{"available":1}})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCode(Json(unknown)), "OfferNotFoundException");
  EXPECT_EQ(Call("PATCH", path, R"({"stock":{"available":1}})", cz_token_).status, 404);
  EXPECT_EQ(Call("PATCH", path, R"({"stock":{"available":-1}})").status, 422);
  HttpResult text = Call("PATCH", path, R"({"stock":{"available":"5"}})");
  EXPECT_EQ(text.status, 400);
  EXPECT_EQ(ErrorCode(Json(text)), "BAD_REQUEST");
  EXPECT_EQ(Call("PATCH", path, "{stock").status, 400);
  EXPECT_EQ(Call("PATCH", path, R"({"stock":{"unit":"KG"}})").status, 400);
  EXPECT_EQ(Call("PATCH", path, R"({"stock":{"available":1}})", {},
                 {{"Content-Type", "application/json"}})
                .status,
            415);
  EXPECT_EQ(Call("PATCH", path, R"({"stock":{"available":1}})", read_only_token_).status, 403);
  const json::object ended = OfferWith("ENDED");
  HttpResult empty_activation =
      Call("PATCH", "/sale/product-offers/" + Id(ended), R"({"publication":{"status":"ACTIVE"}})");
  EXPECT_EQ(empty_activation.status, 422);
  EXPECT_TRUE(Received("stock").empty());
}

TEST_F(SandboxSaleOffers, QuantityCommandRunsItsTasksAMomentLater) {
  const auto all = Offers("?limit=1000&publication.status=ACTIVE&sellingMode.format=BUY_NOW");
  const std::string a = Id(all.at(0).as_object());
  const std::string b = Id(all.at(1).as_object());
  const std::string foreign(Offers("?limit=1", cz_token_).at(0).at("id").as_string());
  const std::string path =
      "/sale/offer-quantity-change-commands/4b6d8c1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f";
  const std::string body = R"({"modification":{"changeType":"FIXED","value":7},"offerCriteria":[)"
                           R"({"type":"CONTAINS_OFFERS","offers":[{"id":")" +
                           a + R"("},{"id":")" + b + R"("},{"id":")" + foreign + R"("}]}]})";
  HttpResult created = Call("PUT", path, body);
  ASSERT_EQ(created.status, 201) << created.body;
  const json::value report = Json(created);
  EXPECT_EQ(report.at("id"), "4b6d8c1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f");
  EXPECT_TRUE(report.at("completedAt").is_null());
  EXPECT_EQ(report.at("taskCount").at("total").as_int64(), 3);
  const json::value fresh = Json(Call("GET", path + "/tasks"));
  for (const auto& t : fresh.at("tasks").as_array()) {
    EXPECT_EQ(t.at("status"), "NEW");
  }
  EXPECT_EQ(Call("PUT", path, body).status, 409);

  Advance(1s);
  const json::value finished = Json(Call("GET", path));
  EXPECT_FALSE(finished.at("completedAt").is_null());
  EXPECT_EQ(finished.at("taskCount").at("success").as_int64(), 2);
  EXPECT_EQ(finished.at("taskCount").at("failed").as_int64(), 1);
  const json::value tasks = Json(Call("GET", path + "/tasks?limit=2&offset=1"));
  ASSERT_EQ(tasks.at("tasks").as_array().size(), 2u);
  EXPECT_EQ(tasks.at("tasks").at(0).at("status"), "SUCCESS");
  EXPECT_EQ(tasks.at("tasks").at(1).at("status"), "FAIL");
  EXPECT_EQ(tasks.at("tasks").at(1).at("offer").at("id"), foreign.c_str());
  EXPECT_FALSE(tasks.at("tasks").at(1).at("errors").as_array().empty());
  EXPECT_EQ(Offers("?offer.id=" + a).at(0).at("stock").at("available").as_int64(), 7);
  EXPECT_EQ(Offers("?offer.id=" + b).at(0).at("stock").at("available").as_int64(), 7);
  EXPECT_EQ(Received("stock").size(), 1u);

  // GAIN below zero fails that offer; GAIN to exactly zero ends it.
  const std::string gain =
      R"({"modification":{"changeType":"GAIN","value":-7},"offerCriteria":[{"type":"CONTAINS_OFFERS","offers":[{"id":")" +
      a + R"("}]}]})";
  ASSERT_EQ(
      Call("PUT", "/sale/offer-quantity-change-commands/5b6d8c1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f", gain)
          .status,
      201);
  Advance(1s);
  const auto after = Offers("?offer.id=" + a).at(0);
  EXPECT_EQ(after.at("stock").at("available").as_int64(), 0);
  EXPECT_EQ(after.at("publication").at("status"), "ENDED");
  EXPECT_EQ(Call("GET", path, {}, cz_token_).status, 404);
}

TEST_F(SandboxSaleOffers, QuantityCommandValidation) {
  const std::string base = "/sale/offer-quantity-change-commands/";
  const std::string id = "6b6d8c1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f";
  auto body = [](const std::string& modification, const std::string& offers) {
    return R"({"modification":)" + modification +
           R"(,"offerCriteria":[{"type":"CONTAINS_OFFERS","offers":)" + offers + "}]}";
  };
  EXPECT_EQ(
      Call("PUT", base + id, body(R"({"changeType":"FIXED","value":0})", R"([{"id":"1"}])")).status,
      422);
  EXPECT_EQ(
      Call("PUT", base + id, body(R"({"changeType":"SET","value":3})", R"([{"id":"1"}])")).status,
      400);
  EXPECT_EQ(Call("PUT", base + id, R"({"offerCriteria":[]})").status, 400);
  std::string many = "[";
  for (int i = 0; i < 1001; ++i)
    many += std::string(i ? "," : "") + R"({"id":")" + std::to_string(i) + "\"}";
  many += "]";
  EXPECT_EQ(Call("PUT", base + id, body(R"({"changeType":"FIXED","value":3})", many)).status, 422);
  EXPECT_EQ(
      Call("PUT", base + "not-a-uuid", body(R"({"changeType":"FIXED","value":3})", "[]")).status,
      400);
  EXPECT_EQ(Call("GET", base + id).status, 404);
  EXPECT_EQ(Call("PUT", base + id, body(R"({"changeType":"FIXED","value":3})", R"([{"id":"1"}])"),
                 read_only_token_)
                .status,
            403);
  ASSERT_EQ(
      Call("PUT", base + id, body(R"({"changeType":"FIXED","value":3})", R"([{"id":"1"}])")).status,
      201);
  EXPECT_EQ(Call("GET", base + id + "/tasks?limit=0").status, 422);
  EXPECT_EQ(Call("GET", base + id + "/tasks?offset=1000").status, 422);
}

// ---- Ship with Allegro (section 5)
// -----------------------------------------------------------------

class SandboxSaleShipping : public SandboxSaleApi {
 protected:
  static constexpr char kCreate[] = "/shipment-management/shipments/create-commands";
  static constexpr char kCancel[] = "/shipment-management/shipments/cancel-commands";

  std::uint32_t LockerOrder() {
    return PickOrder(pl_orders_, [](const GeneratedOrder& g) {
      return g.delivery_method_id == kPaczkomaty && g.pickup_point.has_value();
    });
  }

  json::object Proposal(std::uint32_t order, const std::string& token = {}) {
    HttpResult r =
        Call("GET", "/shipment-management/delivery-proposals/" + FormId(order), {}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r).as_object();
  }

  // Posts the order's suggested input (changed by `edit`) and returns the command id.
  std::string Create(std::uint32_t order, const std::string& command_id,
                     const std::function<void(json::object&)>& edit = {},
                     const std::string& token = {}) {
    json::object input = Proposal(order, token).at("suggestedInput").as_object();
    if (edit) edit(input);
    const json::object command{{"commandId", command_id}, {"input", input}};
    HttpResult r = Call("POST", kCreate, json::serialize(command), token);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.Header("Retry-After").empty());
    return command_id;
  }

  json::value Status(const std::string& base, const std::string& command_id,
                     const std::string& token = {}) {
    HttpResult r = Call("GET", base + "/" + command_id, {}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r);
  }

  json::array OrderShipments(std::uint32_t order) {
    return Json(Call("GET", "/order/checkout-forms/" + FormId(order) + "/shipments"))
        .at("shipments")
        .as_array();
  }

  HttpResult Label(const std::string& body) {
    return Call("POST", "/shipment-management/label", body, {},
                {{"Accept", "application/octet-stream"}});
  }
};

TEST_F(SandboxSaleShipping, DeliveryServicesListAllegroStandardAndTheSellersContract) {
  HttpResult r = Call("GET", "/shipment-management/delivery-services");
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, json::object> by_id;
  const json::value services = Json(r);
  for (const auto& s : services.at("services").as_array()) {
    by_id[std::string(s.at("id").at("deliveryMethodId").as_string())] = s.as_object();
  }
  ASSERT_TRUE(by_id.contains(kPaczkomaty));
  const json::object& lockers = by_id[kPaczkomaty];
  EXPECT_EQ(lockers.at("owner"), "ALLEGRO");
  EXPECT_EQ(lockers.at("carrierId"), "INPOST");
  EXPECT_TRUE(lockers.at("id").at("credentialsId").is_null());
  EXPECT_TRUE(lockers.at("cashOnDelivery").is_null());
  ASSERT_TRUE(by_id.contains(kContract));
  EXPECT_EQ(by_id[kContract].at("owner"), "CLIENT");
  EXPECT_TRUE(by_id[kContract].at("id").at("credentialsId").is_string());
  EXPECT_EQ(by_id[kContract].at("cashOnDelivery").at("forceRequireIban"), true);

  const json::value cz = Json(Call("GET", "/shipment-management/delivery-services", {}, cz_token_));
  for (const auto& s : cz.at("services").as_array()) EXPECT_EQ(s.at("owner"), "ALLEGRO");
  EXPECT_EQ(Call("GET", "/shipment-management/delivery-services", {}, read_only_token_).status,
            403);
}

TEST_F(SandboxSaleShipping, DeliveryProposalIsPrefilledFromTheOrder) {
  const std::uint32_t order = LockerOrder();
  const GeneratedOrder g = Order(order);
  const json::object proposal = Proposal(order);
  EXPECT_EQ(proposal.at("orderId"), g.checkout_form_id.c_str());
  const auto& input = proposal.at("suggestedInput");
  EXPECT_EQ(input.at("deliveryMethodId"), kPaczkomaty);
  EXPECT_EQ(input.at("receiver").at("email"), g.buyer_email.c_str());
  EXPECT_EQ(input.at("receiver").at("point"), g.pickup_point->id.c_str());
  EXPECT_EQ(input.at("sender").at("countryCode"), "PL");
  EXPECT_FALSE(input.at("packages").as_array().empty());
  const auto& option = proposal.at("deliveryOptions").at(0);
  EXPECT_EQ(option.at("deliveryType"), "APM");
  EXPECT_EQ(option.at("limits").at("weight").at("unit"), "KILOGRAMS");

  const std::uint32_t cod = PickOrder(pl_orders_, [](const GeneratedOrder& o) {
    return o.payment.type == "CASH_ON_DELIVERY" && o.total_to_pay.minor <= 500000;
  });
  const json::object cod_proposal = Proposal(cod);
  EXPECT_EQ(cod_proposal.at("suggestedInput").at("cashOnDelivery").at("amount"),
            Order(cod).total_to_pay.AmountString().c_str());

  HttpResult foreign =
      Call("GET", "/shipment-management/delivery-proposals/" + FormId(order), {}, cz_token_);
  EXPECT_EQ(foreign.status, 400);
  EXPECT_EQ(ErrorCode(Json(foreign)), "VALIDATION_FAILED");
}

TEST_F(SandboxSaleShipping, CreateCommandPollsToSuccessAttachesTheWaybillAndGivesAPdfLabel) {
  const std::uint32_t order = LockerOrder();
  const std::string command = Create(order, "14e142cf-e8e0-48cc-bcf6-399b5fd90b32");
  const json::value pending = Status(kCreate, command);
  EXPECT_EQ(pending.at("status"), "IN_PROGRESS");
  EXPECT_TRUE(pending.at("shipmentId").is_null());
  EXPECT_TRUE(OrderShipments(order).empty());

  Advance(2s);
  const json::value done = Status(kCreate, command);
  ASSERT_EQ(done.at("status"), "SUCCESS") << json::serialize(done);
  EXPECT_TRUE(done.at("errors").as_array().empty());
  const std::string shipment(done.at("shipmentId").as_string());

  HttpResult details = Call("GET", "/shipment-management/shipments/" + shipment);
  ASSERT_EQ(details.status, 200) << details.body;
  const json::value s = Json(details);
  EXPECT_EQ(s.at("carrier"), "INPOST");
  EXPECT_EQ(s.at("labelFormat"), "PDF");
  const std::string waybill(s.at("packages").at(0).at("waybill").as_string());
  EXPECT_EQ(waybill.size(), 24u);
  EXPECT_EQ(s.at("packages").at(0).at("transportingInfo").at(0).at("carrierWaybill"),
            waybill.c_str());

  const auto tracking = OrderShipments(order);
  ASSERT_EQ(tracking.size(), 1u);
  EXPECT_EQ(tracking[0].at("waybill"), waybill.c_str());
  EXPECT_EQ(tracking[0].at("carrierId"), "INPOST");

  HttpResult label = Label(R"({"shipmentIds":[")" + shipment + R"("],"pageSize":"A6"})");
  ASSERT_EQ(label.status, 200) << label.body;
  EXPECT_EQ(label.Header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(CheckPdf(label.body), 1);
  EXPECT_NE(label.body.find(waybill), std::string::npos);

  // The same commandId again: the same command, no second shipment.
  Create(order, command, [](json::object& input) { input["referenceNumber"] = "OTHER"; });
  Advance(2s);
  EXPECT_EQ(Status(kCreate, command).at("shipmentId"), shipment.c_str());
  EXPECT_EQ(OrderShipments(order).size(), 1u);
  const auto received = Received("shipment");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].checkout_form_id, FormId(order));
}

TEST_F(SandboxSaleShipping, CzechOrdersShipWithTheirOwnAllegroMethodAndCashOnDelivery) {
  const std::uint32_t order = PickOrder(cz_orders_, [](const GeneratedOrder& g) {
    return g.payment.type == "CASH_ON_DELIVERY" && g.total_to_pay.minor <= 5000000;
  });
  const GeneratedOrder g = Order(order);
  const json::object proposal = Proposal(order, cz_token_);
  EXPECT_EQ(proposal.at("suggestedInput").at("deliveryMethodId"), g.delivery_method_id.c_str());
  EXPECT_EQ(proposal.at("suggestedInput").at("sender").at("countryCode"), "CZ");
  EXPECT_EQ(proposal.at("suggestedInput").at("cashOnDelivery").at("currency"), "CZK");
  const std::string command = "e4e142cf-e8e0-48cc-bcf6-399b5fd90b32";
  Create(order, command, {}, cz_token_);
  EXPECT_EQ(Call("GET", std::string(kCreate) + "/" + command).status, 404);  // not the PL seller's
  Advance(2s);
  const json::value done = Status(kCreate, command, cz_token_);
  ASSERT_EQ(done.at("status"), "SUCCESS") << json::serialize(done);
  const json::value s = Json(Call(
      "GET", "/shipment-management/shipments/" + std::string(done.at("shipmentId").as_string()), {},
      cz_token_));
  EXPECT_EQ(s.at("cashOnDelivery").at("amount"), g.total_to_pay.AmountString().c_str());
  EXPECT_EQ(s.at("receiver").at("email"), g.buyer_email.c_str());
  const auto received = Received("shipment");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].seller_id, kCzSeller);
}

TEST_F(SandboxSaleShipping, AnyOtherReceiverEmailFailsTheCommandAsDocumented) {
  const std::uint32_t order = LockerOrder();
  const std::string command = Create(
      order, "24e142cf-e8e0-48cc-bcf6-399b5fd90b32",
      [](json::object& input) { input["receiver"].as_object()["email"] = "jan@example.pl"; });
  Advance(2s);
  const json::value status = Status(kCreate, command);
  EXPECT_EQ(status.at("status"), "ERROR");
  const auto& error = status.at("errors").at(0);
  EXPECT_EQ(error.at("code"), "VALIDATION_FAILED");
  EXPECT_EQ(error.at("message"), "Selected order can not be used");
  EXPECT_EQ(error.at("details"), "allegro_order_not_found");
  EXPECT_EQ(error.at("path"), "receiver.email");
  EXPECT_TRUE(OrderShipments(order).empty());
}

TEST_F(SandboxSaleShipping, ServiceRulesEndTheCommandInError) {
  const std::uint32_t order = LockerOrder();
  auto error_of = [&](const std::string& id, const std::function<void(json::object&)>& edit) {
    Create(order, id, edit);
    Advance(2s);
    const json::value status = Status(kCreate, id);
    EXPECT_EQ(status.at("status"), "ERROR") << id;
    return status.at("errors").at(0).as_object();
  };
  const auto contract = error_of("34e142cf-e8e0-48cc-bcf6-399b5fd90b32",
                                 [](json::object& in) { in["deliveryMethodId"] = kContract; });
  EXPECT_EQ(contract.at("code"), "VALIDATION_ERROR");
  EXPECT_EQ(contract.at("path"), "input.credentialsId");

  const auto multi = error_of("44e142cf-e8e0-48cc-bcf6-399b5fd90b32", [](json::object& in) {
    in["deliveryMethodId"] = kOneKurier;
    auto& packages = in["packages"].as_array();
    packages.push_back(packages[0]);
  });
  EXPECT_EQ(multi.at("code"), "SHIPMENT_VALIDATION_ERROR");

  const auto too_big = error_of("54e142cf-e8e0-48cc-bcf6-399b5fd90b32", [](json::object& in) {
    in["packages"].as_array()[0].as_object()["length"] =
        json::object{{"value", "80"}, {"unit", "CENTIMETER"}};
  });
  EXPECT_EQ(too_big.at("code"), "VALIDATION_ERROR");
  EXPECT_EQ(too_big.at("path"), "packages[0]");

  const auto no_point = error_of("64e142cf-e8e0-48cc-bcf6-399b5fd90b32", [](json::object& in) {
    in["receiver"].as_object().erase("point");
  });
  EXPECT_EQ(no_point.at("path"), "receiver.point");
}

TEST_F(SandboxSaleShipping, UnreadableCommandsAre400AtOnce) {
  const std::uint32_t order = LockerOrder();
  json::object input = Proposal(order).at("suggestedInput").as_object();
  json::object wrong_unit = input;
  wrong_unit["packages"].as_array()[0].as_object()["weight"] =
      json::object{{"value", 1.2}, {"unit", "KILOGRAM"}};
  HttpResult unit = Call("POST", kCreate, json::serialize(json::object{{"input", wrong_unit}}));
  EXPECT_EQ(unit.status, 400);
  EXPECT_EQ(ErrorPath(Json(unit)), "packages[0].weight.unit");
  json::object no_phone = input;
  no_phone["sender"].as_object().erase("phone");
  EXPECT_EQ(Call("POST", kCreate, json::serialize(json::object{{"input", no_phone}})).status, 400);
  EXPECT_EQ(Call("POST", kCreate, R"({"commandId":"x"})").status, 400);
  EXPECT_EQ(Call("POST", kCreate, "[1,2]").status, 400);
  EXPECT_EQ(Call("POST", kCreate, json::serialize(json::object{{"input", input}}), read_only_token_)
                .status,
            403);
  // Without a commandId the server makes one.
  HttpResult generated = Call("POST", kCreate, json::serialize(json::object{{"input", input}}));
  ASSERT_EQ(generated.status, 200);
  const std::string id(Json(generated).at("commandId").as_string());
  EXPECT_TRUE(std::regex_match(id, kUuid)) << id;
  EXPECT_EQ(Call("GET", std::string(kCreate) + "/7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f").status,
            404);
}

TEST_F(SandboxSaleShipping, ZplLabelsCancellationAndTheTrackingNumberLeavingTheOrder) {
  const std::uint32_t order = LockerOrder();
  Create(order, "74e142cf-e8e0-48cc-bcf6-399b5fd90b32",
         [](json::object& in) { in["labelFormat"] = "ZPL"; });
  Create(order, "84e142cf-e8e0-48cc-bcf6-399b5fd90b32");
  Advance(2s);
  const std::string zpl_shipment(
      Status(kCreate, "74e142cf-e8e0-48cc-bcf6-399b5fd90b32").at("shipmentId").as_string());
  const std::string pdf_shipment(
      Status(kCreate, "84e142cf-e8e0-48cc-bcf6-399b5fd90b32").at("shipmentId").as_string());
  EXPECT_EQ(OrderShipments(order).size(), 2u);

  HttpResult zpl = Label(R"({"shipmentIds":[")" + zpl_shipment + R"("]})");
  ASSERT_EQ(zpl.status, 200);
  EXPECT_TRUE(zpl.body.starts_with("^XA")) << zpl.body.substr(0, 40);
  const std::string waybill(Json(Call("GET", "/shipment-management/shipments/" + zpl_shipment))
                                .at("packages")
                                .at(0)
                                .at("waybill")
                                .as_string());
  EXPECT_NE(zpl.body.find("^FD" + waybill + "^FS"), std::string::npos);
  EXPECT_EQ(
      Label(R"({"shipmentIds":[")" + zpl_shipment + R"(",")" + pdf_shipment + R"("]})").status,
      400);
  EXPECT_EQ(Label(R"({"shipmentIds":["nope"]})").status, 404);
  EXPECT_EQ(Label(R"({"shipmentIds":[]})").status, 400);

  const std::string cancel = "94e142cf-e8e0-48cc-bcf6-399b5fd90b32";
  HttpResult posted =
      Call("POST", kCancel,
           R"({"commandId":")" + cancel + R"(","input":{"shipmentId":")" + zpl_shipment + R"("}})");
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_FALSE(posted.Header("Retry-After").empty());
  EXPECT_EQ(Status(kCancel, cancel).at("status"), "IN_PROGRESS");
  Advance(1s);
  EXPECT_EQ(Status(kCancel, cancel).at("status"), "SUCCESS");
  const json::value cancelled = Json(Call("GET", "/shipment-management/shipments/" + zpl_shipment));
  EXPECT_TRUE(cancelled.as_object().contains("canceledDate"));
  const auto tracking = OrderShipments(order);
  ASSERT_EQ(tracking.size(), 1u);
  EXPECT_NE(tracking[0].at("waybill"), waybill.c_str());
  EXPECT_EQ(Label(R"({"shipmentIds":[")" + zpl_shipment + R"("]})").status, 204);

  const std::string again = "a4e142cf-e8e0-48cc-bcf6-399b5fd90b32";
  Call("POST", kCancel,
       R"({"commandId":")" + again + R"(","input":{"shipmentId":")" + zpl_shipment + R"("}})");
  const std::string unknown = "b4e142cf-e8e0-48cc-bcf6-399b5fd90b32";
  Call("POST", kCancel,
       R"({"commandId":")" + unknown +
           R"(","input":{"shipmentId":"0d1c2b3a-4f5e-4a7b-9c8d-7e6f5a4b3c2d"}})");
  Advance(1s);
  EXPECT_EQ(Status(kCancel, again).at("status"), "ERROR");
  EXPECT_EQ(Status(kCancel, unknown).at("errors").at(0).at("code"), "SHIPMENT_NOT_FOUND");
  HttpResult missing =
      Call("GET", "/shipment-management/shipments/0d1c2b3a-4f5e-4a7b-9c8d-7e6f5a4b3c2d");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(Json(missing)), "SHIPMENT_NOT_FOUND");
  EXPECT_EQ(Call("GET", "/shipment-management/shipments/" + pdf_shipment, {}, cz_token_).status,
            404);
}

TEST_F(SandboxSaleShipping, A4LabelsWithCutLinesAndASummaryPage) {
  const std::uint32_t order = LockerOrder();
  Create(order, "c4e142cf-e8e0-48cc-bcf6-399b5fd90b32");
  Create(order, "d4e142cf-e8e0-48cc-bcf6-399b5fd90b32");
  Advance(2s);
  const std::string a(
      Status(kCreate, "c4e142cf-e8e0-48cc-bcf6-399b5fd90b32").at("shipmentId").as_string());
  const std::string b(
      Status(kCreate, "d4e142cf-e8e0-48cc-bcf6-399b5fd90b32").at("shipmentId").as_string());
  HttpResult label = Label(
      R"({"shipmentIds":[")" + a + R"(",")" + b +
      R"("],"pageSize":"A4","cutLine":true,"summaryReport":{"placement":"LAST","fields":["WAYBILL","ORDER_ID"]}})");
  ASSERT_EQ(label.status, 200) << label.body;
  EXPECT_EQ(CheckPdf(label.body), 3);
  EXPECT_NE(label.body.find("/MediaBox [0 0 595.28 841.89]"), std::string::npos);
  EXPECT_NE(label.body.find("[4 3] 0 d"), std::string::npos);
  EXPECT_NE(label.body.find("(Order: " + FormId(order) + ")"), std::string::npos);
  EXPECT_EQ(Label(R"({"shipmentIds":[")" + a + R"("],"pageSize":"A5"})").status, 400);
  EXPECT_EQ(
      Label(R"({"shipmentIds":[")" + a + R"("],"summaryReport":{"placement":"FIRST","fields":[]}})")
          .status,
      400);
}

// ---- label documents
// ---------------------------------------------------------------------------------

TEST(SandboxSaleLabels, PdfHasAValidXrefOnePagePerLabelAndAsciiText) {
  LabelPage label;
  label.waybill = "620000000000000000000001";
  label.carrier_id = "INPOST";
  label.service_name = "Allegro Paczkomaty InPost";
  label.receiver = {"Zażółć Gęślą (Jaźń)", "Łódź"};
  const std::string pdf =
      RenderLabelPdf({label, label, SummaryPage{"S", {"a"}}}, LabelPageSize::kA6, false);
  EXPECT_EQ(CheckPdf(pdf), 3);
  EXPECT_NE(pdf.find("(Zazolc Gesla \\(Jazn\\))"), std::string::npos);
  EXPECT_NE(pdf.find("/MediaBox [0 0 297.64 419.53]"), std::string::npos);
  EXPECT_EQ(FoldToAscii("Příliš žluťoučký kůň, őrült ű"), "Prilis zlutoucky kun, orult u");
  EXPECT_EQ(FoldToAscii("\xC5"), "?");  // a cut UTF-8 sequence
}

TEST(SandboxSaleLabels, ZplHasOneBlockPerLabelWithTheWaybillAsCode128) {
  LabelPage label;
  label.waybill = "A123456789";
  label.receiver = {"Jan ^Kowalski~"};
  const std::string zpl = RenderLabelZpl({label, label});
  EXPECT_EQ(CountOf(zpl, "^XA"), 2);
  EXPECT_EQ(CountOf(zpl, "^XZ"), 2);
  EXPECT_EQ(CountOf(zpl, "^BCN,160,Y,N,N^FDA123456789^FS"), 2);
  EXPECT_NE(zpl.find("^FDJan  Kowalski ^FS"), std::string::npos);
}

}  // namespace
}  // namespace nadajnik::sandbox::allegro
