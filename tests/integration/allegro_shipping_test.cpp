// The Wysyłam z Allegro connector against nadajnik-sandbox's shipment-management simulator, over
// real HTTP and through a real AllegroConnector (stored account, refreshed tokens, request
// budget): the asynchronous create, labels (PDF text, ZPL), a retry after a crash
// that finds the first shipment instead of making a second, Smart refusals, cancel and the
// errors a seller must be able to act on. Orders are the sandbox's own, read through Allegro's
// API as the import would read them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "carriers/allegro_shipping/api.hpp"
#include "documents/labels.hpp"
#include "marketplace/allegro/allegro_connector.hpp"
#include "marketplace/allegro/authorizer.hpp"
#include "net/http_client.hpp"
#include "security/secret_box.hpp"
#include "store/store.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/sandbox_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_database.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
namespace wza = carriers::allegro_shipping;
using carriers::CarrierConnector;
using carriers::RemoteShipment;
using carriers::ShipmentRequest;
using domain::LabelFormat;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

constexpr char kSeller[] = "sprzedawca-pl";

class AllegroShippingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_.Start();
    ASSERT_FALSE(HasFatalFailure());
    database_.emplace(TestDatabase::Create(store::Dialect::kSqlite));
    auto opened = store::OpenStore(database_->options(), secrets_);
    ASSERT_TRUE(opened) << opened.error().Describe();
    store_ = std::move(*opened);
    http_ = net::MakeCurlHttpClient();
    budgets_ = std::make_unique<marketplace::allegro::BudgetRegistry>(
        clock_, marketplace::allegro::BudgetOptions{});
    env_.emplace(marketplace::allegro::ConnectorEnv{
        *http_, *store_, clock_, *budgets_,
        marketplace::allegro::ConnectorOptions{.lease_owner = "allegro-shipping-test"}});
    domain::MarketplaceAccount a;
    a.name = "Sklep testowy";
    a.alias = "PL";
    a.login = kSeller;
    a.environment = domain::AccountEnvironment::kCustom;
    a.auth_base_url = sandbox_.base();
    a.api_base_url = sandbox_.base();
    a.client_id = kSandboxClientId;
    a.client_secret = Secret<>(kSandboxClientSecret);
    auto id = store_->InTransaction(
        [&](store::UnitOfWork& uow) { return uow.accounts().Create(a, clock_.Now()); });
    ASSERT_TRUE(id) << id.error().Describe();
    account_ = *id;
    marketplace::allegro::AllegroAuthorizer authorizer(*env_);
    auto authorized =
        authorizer.UseRefreshToken(account_, Secret<>(sandbox_.RefreshToken(kSeller)));
    ASSERT_TRUE(authorized) << authorized.error().Describe();
    factory_ = std::make_unique<marketplace::allegro::AllegroConnectorFactory>(*env_);
  }

  std::unique_ptr<marketplace::MarketplaceConnector> Allegro() {
    auto c = factory_->ForAccount(account_);
    EXPECT_TRUE(c) << c.error().Describe();
    return c ? std::move(*c) : nullptr;
  }

  Result<std::unique_ptr<CarrierConnector>> Make(std::map<std::string, std::string> settings = {}) {
    domain::CarrierSettings s;
    s.account_id = account_;
    s.carrier = domain::Carrier::kAllegroShipping;
    s.settings = std::move(settings);
    return wza::MakeConnector(s, Allegro());
  }

  std::unique_ptr<CarrierConnector> Connector(std::map<std::string, std::string> settings = {}) {
    auto c = Make(std::move(settings));
    EXPECT_TRUE(c) << c.error().Describe();
    return c ? std::move(*c) : nullptr;
  }

  // New paid orders of the seller, read through Allegro's API, that WzA can ship: an Allegro
  // delivery method, shipped by the seller, not cancelled.
  std::vector<domain::Order> ShippableOrders(int count) {
    auto v = sandbox_.Admin(
        "POST", "/__sandbox/orders",
        R"({"count":)" + std::to_string(count) + R"(,"seller":")" + kSeller + R"("})");
    auto allegro = Allegro();
    std::vector<domain::Order> out;
    for (const auto& id : v.at("checkoutFormIds").as_array()) {
      auto remote = allegro->GetOrder(CheckoutFormId(std::string(id.as_string())));
      EXPECT_TRUE(remote) << remote.error().Describe();
      if (!remote || !remote->order) continue;
      const domain::Order& o = *remote->order;
      if (o.checkout_status != domain::CheckoutStatus::kReadyForProcessing ||
          o.fulfillment_provider != domain::FulfillmentProvider::kSeller ||
          !o.delivery.method_name.starts_with("Allegro")) {
        continue;
      }
      out.push_back(o);
    }
    return out;
  }

  const domain::Order* Find(const std::vector<domain::Order>& orders,
                            const std::function<bool(const domain::Order&)>& pred) {
    for (const auto& o : orders) {
      if (pred(o)) return &o;
    }
    ADD_FAILURE() << "no such order among " << orders.size();
    return nullptr;
  }

  static ShipmentRequest RequestFor(const domain::Order& o, const std::string& reference) {
    ShipmentRequest r;
    r.reference = reference;
    r.sender = {
        "Jan Nowak", "Sklep Wiśnia Sp. z o.o.", "Magazynowa 12", "", "61-131", "Poznań", "PL",
        "500600700", "sklep@example.pl"};
    const domain::Address& a = o.delivery.address ? *o.delivery.address : o.buyer.address;
    r.receiver.name = a.first_name.empty() ? o.buyer.first_name + " " + o.buyer.last_name
                                           : a.first_name + " " + a.last_name;
    r.receiver.company = a.company;
    r.receiver.street = a.street;
    r.receiver.postal_code = a.postal_code;
    r.receiver.city = a.city;
    r.receiver.country_code = a.country_code.empty() ? "PL" : a.country_code;
    r.receiver.phone = a.phone.empty() ? o.buyer.phone : a.phone;
    r.receiver.email = o.buyer.email;
    if (o.delivery.pickup_point) r.target_point = o.delivery.pickup_point->id;
    r.parcels.push_back(domain::Parcel{"", 1000, 300, 200, 100, ""});
    if (o.payment && o.payment->cash_on_delivery()) r.cash_on_delivery = o.total;
    r.comment = "Zamówienie " + o.checkout_form_id.value.substr(0, 8);
    r.checkout_form_id = o.checkout_form_id.value;
    r.delivery_method_id = o.delivery.method_id;
    r.smart = o.delivery.smart;
    return r;
  }

  // Polls Status until the command is no longer in progress (the simulator takes 2 s).
  RemoteShipment Settled(CarrierConnector& c, const std::string& remote_id) {
    RemoteShipment last;
    EXPECT_TRUE(Eventually(
        [&] {
          auto s = c.Status(remote_id);
          EXPECT_TRUE(s) << s.error().Describe();
          if (!s) return true;
          last = *s;
          return s->status != "IN_PROGRESS";
        },
        15s));
    return last;
  }

  // Tracking numbers attached to the order in Allegro (GET .../shipments).
  std::vector<std::string> OrderWaybills(const std::string& checkout_form_id) {
    auto allegro = Allegro();
    auto list = allegro->ListWaybills(CheckoutFormId(checkout_form_id));
    EXPECT_TRUE(list) << list.error().Describe();
    std::vector<std::string> out;
    if (list) {
      for (const auto& w : *list) out.push_back(w.waybill);
    }
    return out;
  }

  // The PDF's text as pdftotext reads it (the simulator's WzA label prints the waybill as
  // text; section 5.4 does not describe a barcode, so none is required of it).
  std::string PdfText(const std::string& pdf) {
    const auto file = work_.path() / "label.pdf";
    std::ofstream(file, std::ios::binary) << pdf;
    Process p({{"pdftotext", "-layout", file.string(), (work_.path() / "label.txt").string()},
               {},
               std::nullopt,
               work_.path() / "pdftotext.out",
               work_.path() / "pdftotext.out"});
    EXPECT_EQ(p.Wait(60s), 0) << ReadFile(work_.path() / "pdftotext.out");
    return ReadFile(work_.path() / "label.txt");
  }

  std::size_t CommandsReceived() {
    return sandbox_.Admin("GET", "/__sandbox/received?kind=shipment")
        .at("received")
        .as_array()
        .size();
  }

  SandboxProcess sandbox_;
  TempDir work_;
  SystemClock clock_;
  security::SecretBox secrets_ = security::SecretBox::FromKey(security::SecretBox::Key{9});
  std::optional<TestDatabase> database_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<marketplace::allegro::BudgetRegistry> budgets_;
  std::optional<marketplace::allegro::ConnectorEnv> env_;
  std::unique_ptr<marketplace::allegro::AllegroConnectorFactory> factory_;
  AccountId account_;
};

TEST_F(AllegroShippingTest, ASmartOrderIsCreatedLabelledTrackedRetriedAndCancelled) {
  auto orders = ShippableOrders(40);
  const domain::Order* order = Find(orders, [](const domain::Order& o) {
    return o.delivery.smart && o.delivery.pickup_point.has_value();
  });
  ASSERT_NE(order, nullptr);
  auto connector = Connector();
  ASSERT_NE(connector, nullptr);
  ASSERT_TRUE(connector->CheckCredentials());
  const ShipmentRequest request = RequestFor(*order, "nadajnik-shipment-1001");
  ASSERT_TRUE(request.smart);

  auto created = connector->Create(request);
  ASSERT_TRUE(created) << created.error().Describe();
  EXPECT_FALSE(created->confirmed);
  EXPECT_THAT(created->remote_id, StartsWith("command:"));
  EXPECT_TRUE(created->tracking_number.empty());
  // Before Allegro has made it there is nothing to print.
  auto early = connector->FetchLabel(created->remote_id, LabelFormat::kPdfA6);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kUnavailable);

  const RemoteShipment confirmed = Settled(*connector, created->remote_id);
  ASSERT_TRUE(confirmed.confirmed) << confirmed.status << " " << confirmed.error;
  EXPECT_EQ(confirmed.status, "CREATED");
  EXPECT_THAT(confirmed.remote_id, Not(StartsWith("command:")));
  ASSERT_FALSE(confirmed.tracking_number.empty());
  // Allegro attaches the waybill to the order by itself.
  EXPECT_EQ(OrderWaybills(request.checkout_form_id),
            std::vector<std::string>{confirmed.tracking_number});

  // A crash after the call: a new connector asks by reference and finds the same shipment.
  auto again = Connector();
  auto found = again->FindByReference(request.reference);
  ASSERT_TRUE(found) << found.error().Describe();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->remote_id, confirmed.remote_id);
  EXPECT_EQ((*found)->tracking_number, confirmed.tracking_number);
  // Even a second Create with the same reference is the same command, not a second shipment.
  auto repeated = again->Create(request);
  ASSERT_TRUE(repeated) << repeated.error().Describe();
  EXPECT_EQ(repeated->remote_id, created->remote_id);
  EXPECT_EQ(Settled(*again, repeated->remote_id).remote_id, confirmed.remote_id);
  EXPECT_EQ(OrderWaybills(request.checkout_form_id).size(), 1u);
  auto unknown = again->FindByReference("nadajnik-shipment-never-sent");
  ASSERT_TRUE(unknown) << unknown.error().Describe();
  EXPECT_FALSE(unknown->has_value());

  // Labels: a PDF with the waybill, on A6 and on A4; the pending id works as well.
  for (const auto& id : {confirmed.remote_id, created->remote_id}) {
    auto pdf = connector->FetchLabel(id, LabelFormat::kPdfA6);
    ASSERT_TRUE(pdf) << pdf.error().Describe();
    EXPECT_EQ(pdf->format, LabelFormat::kPdfA6);
    EXPECT_TRUE(documents::CheckLabel(pdf->bytes, LabelFormat::kPdfA6));
    EXPECT_THAT(PdfText(pdf->bytes), HasSubstr(confirmed.tracking_number));
  }
  auto a4 = connector->FetchLabel(confirmed.remote_id, LabelFormat::kPdfA4);
  ASSERT_TRUE(a4) << a4.error().Describe();
  EXPECT_TRUE(documents::CheckLabel(a4->bytes, LabelFormat::kPdfA4));
  EXPECT_THAT(PdfText(a4->bytes), HasSubstr(confirmed.tracking_number));
  auto zpl = connector->FetchLabel(confirmed.remote_id, LabelFormat::kZpl203);
  ASSERT_FALSE(zpl);
  EXPECT_EQ(zpl.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(zpl.error().message, HasSubstr("label_format"));

  // Tracking through Allegro's carrier tracking: the parcel is waiting to be sent.
  auto events = connector->Track(confirmed.tracking_number);
  ASSERT_TRUE(events) << events.error().Describe();
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->front().state, domain::TrackingState::kCreated);
  EXPECT_EQ(events->front().code, "PENDING");

  // Cancel: Allegro confirms, the shipment reads cancelled, the order loses the waybill, and a
  // repeated cancel is fine.
  auto cancelled = connector->Cancel(confirmed.remote_id);
  ASSERT_TRUE(cancelled) << cancelled.error().Describe();
  auto status = connector->Status(confirmed.remote_id);
  ASSERT_TRUE(status) << status.error().Describe();
  EXPECT_FALSE(status->confirmed);
  EXPECT_EQ(status->status, "CANCELLED");
  EXPECT_TRUE(OrderWaybills(request.checkout_form_id).empty());
  EXPECT_TRUE(connector->Cancel(confirmed.remote_id));
  auto gone = connector->FetchLabel(confirmed.remote_id, LabelFormat::kPdfA6);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(AllegroShippingTest, SmartIsRefusedWithTheReasonBeforeAnythingIsSent) {
  auto orders = ShippableOrders(40);
  const domain::Order* smart =
      Find(orders, [](const domain::Order& o) { return o.delivery.smart; });
  const domain::Order* plain =
      Find(orders, [](const domain::Order& o) { return !o.delivery.smart; });
  ASSERT_TRUE(smart && plain);
  auto connector = Connector();
  ASSERT_NE(connector, nullptr);

  ShipmentRequest bad_email = RequestFor(*smart, "nadajnik-shipment-2001");
  bad_email.receiver.email = "jan.kowalski@example";
  auto refused = connector->Create(bad_email);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message, HasSubstr("Smart"));
  EXPECT_THAT(refused.error().message, HasSubstr("receiver.email"));

  ShipmentRequest no_email = RequestFor(*smart, "nadajnik-shipment-2002");
  no_email.receiver.email.clear();
  refused = connector->Create(no_email);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message, HasSubstr("missing"));

  // Another buyer's (well-formed) Allegro address: the order's proposal does not confirm it.
  ShipmentRequest other_buyer = RequestFor(*smart, "nadajnik-shipment-2003");
  other_buyer.receiver.email = plain->buyer.email;
  refused = connector->Create(other_buyer);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message, HasSubstr("receiver.email"));

  // Smart asked for an order the buyer did not buy with Smart.
  ShipmentRequest not_smart = RequestFor(*plain, "nadajnik-shipment-2004");
  not_smart.smart = true;
  refused = connector->Create(not_smart);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message, HasSubstr("not bought with Allegro Smart"));

  // Without Smart a malformed address is the data's fault.
  ShipmentRequest plain_bad = RequestFor(*plain, "nadajnik-shipment-2005");
  plain_bad.receiver.email = "not-an-address";
  refused = connector->Create(plain_bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("receiver.email"));

  EXPECT_EQ(CommandsReceived(), 0u);
}

TEST_F(AllegroShippingTest, AnUnavailableDeliveryMethodIsRefusedNamingTheSetting) {
  auto malformed = Make({{"delivery_method_id", "Allegro Kurier"}});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(malformed.error().message, HasSubstr("delivery_method_id"));

  auto orders = ShippableOrders(20);
  const domain::Order* order =
      Find(orders, [](const domain::Order& o) { return !o.delivery.smart; });
  ASSERT_NE(order, nullptr);
  auto connector = Connector({{"delivery_method_id", "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"}});
  ASSERT_NE(connector, nullptr);
  auto check = connector->CheckCredentials();
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(check.error().message, HasSubstr("delivery_method_id"));

  const ShipmentRequest request = RequestFor(*order, "nadajnik-shipment-3001");
  auto created = connector->Create(request);
  ASSERT_TRUE(created) << created.error().Describe();
  const RemoteShipment failed = Settled(*connector, created->remote_id);
  EXPECT_FALSE(failed.confirmed);
  EXPECT_EQ(failed.status, "ERROR");
  EXPECT_THAT(failed.error, HasSubstr("delivery method (delivery_method_id)"));
  auto found = connector->FindByReference(request.reference);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->status, "ERROR");
  auto label = connector->FetchLabel(created->remote_id, LabelFormat::kPdfA6);
  ASSERT_FALSE(label);
  EXPECT_EQ(label.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(connector->Cancel(created->remote_id));  // nothing was made: nothing to cancel
  EXPECT_TRUE(OrderWaybills(request.checkout_form_id).empty());

  auto unknown = connector->Status("ba88f0fb-acf3-438a-877e-580da50c0874");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto injected = connector->Status("../../order/events");
  ASSERT_FALSE(injected);
  EXPECT_EQ(injected.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(AllegroShippingTest, ZplShipmentsGiveZplLabels) {
  auto orders = ShippableOrders(20);
  const domain::Order* order = Find(orders, [](const domain::Order& o) { return true; });
  ASSERT_NE(order, nullptr);
  auto connector = Connector({{"label_format", "zpl"}});
  ASSERT_NE(connector, nullptr);
  EXPECT_EQ(connector->capabilities().label_formats,
            std::vector<LabelFormat>{LabelFormat::kZpl203});
  auto created = connector->Create(RequestFor(*order, "nadajnik-shipment-4001"));
  ASSERT_TRUE(created) << created.error().Describe();
  const RemoteShipment confirmed = Settled(*connector, created->remote_id);
  ASSERT_TRUE(confirmed.confirmed) << confirmed.error;
  auto zpl = connector->FetchLabel(confirmed.remote_id, LabelFormat::kZpl203);
  ASSERT_TRUE(zpl) << zpl.error().Describe();
  EXPECT_THAT(zpl->bytes, StartsWith("^XA"));
  EXPECT_THAT(zpl->bytes, HasSubstr(confirmed.tracking_number));
  auto pdf = connector->FetchLabel(confirmed.remote_id, LabelFormat::kPdfA6);
  ASSERT_FALSE(pdf);
  EXPECT_EQ(pdf.error().code, ErrorCode::kFailedPrecondition);
  auto dpi300 = connector->FetchLabel(confirmed.remote_id, LabelFormat::kZpl300);
  ASSERT_FALSE(dpi300);
  EXPECT_EQ(dpi300.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace nadajnik::testing
