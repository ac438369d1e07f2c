#include "support/store_fixture.hpp"

namespace nadajnik::testing {

void StoreTest::SetUp() {
  BackendTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  auto opened = store::OpenStore(options(), secrets_);
  ASSERT_TRUE(opened) << opened.error().Describe();
  store_ = std::move(*opened);
}

AccountId StoreTest::CreateAccount(const std::string& alias) {
  domain::MarketplaceAccount a;
  a.name = "Sklep " + alias;
  a.alias = alias;
  a.login = "sklep_" + alias;
  a.environment = domain::AccountEnvironment::kSandbox;
  a.client_id = "client-" + alias;
  a.client_secret = Secret<>("client-secret-" + alias);
  auto id = store().InTransaction(
      [&](store::UnitOfWork& uow) { return uow.accounts().Create(a, clock_.Now()); });
  EXPECT_TRUE(id) << id.error().Describe();
  return id ? *id : AccountId();
}

domain::Order SampleOrder(AccountId account, const std::string& checkout_form_id,
                          const std::string& revision, Timestamp updated_at) {
  using namespace domain;
  Order o;
  o.account_id = account;
  o.checkout_form_id = CheckoutFormId(checkout_form_id);
  o.revision = revision;
  o.marketplace = Marketplace::kAllegroPl;
  o.checkout_status = CheckoutStatus::kReadyForProcessing;
  o.fulfillment_status = FulfillmentStatus::kNew;
  o.buyer.remote_id = "23123123";
  o.buyer.login = "Żaneta_Kowalczyk";
  o.buyer.email = "k7x2mq9v4d+1a2b3c4d5@allegromail.pl";
  o.buyer.first_name = "Żaneta";
  o.buyer.last_name = "Kowalczyk-Gęśla";
  o.buyer.phone = "+48600100200";
  o.delivery.method_id = "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93";
  o.delivery.method_name = "Allegro Paczkomaty InPost";
  o.delivery.smart = true;
  o.delivery.cost = *ParseMoney("0.00", "PLN");
  o.delivery.pickup_point =
      PickupPoint{"POZ08A", "Paczkomat POZ08A", "Stacja paliw BP",
                  Address{"", "", "", "Grunwaldzka 108", "60-166", "Poznań", "PL", ""}};
  Payment payment;
  payment.remote_id = "0f8f1d13-7e9e-11e8-9b00-c5b0dfb78ea6";
  payment.type = PaymentType::kOnline;
  payment.provider = "P24";
  payment.paid = *ParseMoney("138.44", "PLN");
  payment.finished_at = updated_at;
  o.payment = payment;
  o.invoice.required = true;
  o.invoice.company_name = "Udix Sp. z o.o.";
  o.invoice.tax_id = "1111111111";
  o.invoice.tax_ids = {{"PL_NIP", "1111111111"}};
  o.invoice.address =
      Address{"", "", "Udix Sp. z o.o.", "Grunwaldzka 182", "60-166", "Poznań", "PL", ""};
  LineItem a;
  a.id = LineItemId(checkout_form_id + "-li-1");
  a.offer_id = "3213213";
  a.offer_name = "Buty czarne 41 \"Łoś\" <limitowane>";
  a.external_id = "SKU-AH-129834";
  a.quantity = 1;
  a.unit_price = *ParseMoney("123.45", "PLN");
  a.bought_at = updated_at;
  LineItem b = a;
  b.id = LineItemId(checkout_form_id + "-li-2");
  b.offer_name = "Sznurówki";
  b.external_id = "SKU-2";
  b.quantity = 2;
  b.unit_price = *ParseMoney("7.49", "PLN");
  o.items = {a, b};
  o.total = *ParseMoney("138.44", "PLN");
  o.buyer_note = "Proszę o szybką wysyłkę – dziękuję!";
  o.bought_at = updated_at;
  o.remote_updated_at = updated_at;
  return o;
}

}  // namespace nadajnik::testing
