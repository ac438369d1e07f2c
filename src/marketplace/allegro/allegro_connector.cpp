#include "marketplace/allegro/allegro_connector.hpp"

#include <fmt/format.h>

#include <thread>

#include "core/text.hpp"
#include "marketplace/allegro/mapping.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace nadajnik::marketplace::allegro {

namespace {

constexpr std::string_view kVendorJson = "application/vnd.allegro.public.v1+json";

Result<domain::MarketplaceAccount> LoadAccount(store::Store& store, AccountId id) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto account, store.Read([&](store::UnitOfWork& uow) { return uow.accounts().Get(id); }));
  if (!account) return Fail(ErrorCode::kNotFound, fmt::format("no account with id {}", id.value));
  return std::move(*account);
}

class AllegroConnector final : public MarketplaceConnector {
 public:
  AllegroConnector(ConnectorEnv& env, domain::MarketplaceAccount account, RequestBudget& budget)
      : env_(env),
        account_(std::move(account)),
        budget_(budget),
        api_(TrimTrailingSlashes(account_.api_base_url)) {}

  Result<std::string> LatestEventId() override {
    NADAJNIK_ASSIGN_OR_RETURN(auto r, Call("GET", "/order/event-stats", {}, "event_stats", true));
    NADAJNIK_TRY(Expect(r, 200, "read the order journal's position"));
    return MapEventStats(r.body);
  }

  Result<std::vector<JournalEvent>> ReadEvents(const std::string& from, int limit) override {
    std::string path = fmt::format("/order/events?limit={}", std::clamp(limit, 1, 1000));
    if (!from.empty()) path += "&from=" + net::UrlEncode(from);
    NADAJNIK_ASSIGN_OR_RETURN(auto r, Call("GET", path, {}, "events", true));
    NADAJNIK_TRY(Expect(r, 200, "read the order journal"));
    return MapEvents(r.body);
  }

  Result<RemoteOrder> GetOrder(const CheckoutFormId& id) override {
    NADAJNIK_ASSIGN_OR_RETURN(auto r,
                              Call("GET", "/order/checkout-forms/" + net::UrlEncode(id.value), {},
                                   "checkout_form", true));
    if (r.status == 404) {
      return Fail(ErrorCode::kNotFound,
                  fmt::format("Allegro does not know checkout form {} for account {} (merged "
                              "into another, older than 365 days, or another seller's)",
                              TruncateUtf8(id.value, 64), account_.alias));
    }
    NADAJNIK_TRY(Expect(r, 200, "read a checkout form"));
    return MapCheckoutFormBody(r.body, account_.id);
  }

  Result<OrderPage> ListOrders(const OrderQuery& q) override {
    std::vector<std::pair<std::string, std::string>> params;
    if (q.status) params.emplace_back("status", *q.status);
    if (q.fulfillment_status) params.emplace_back("fulfillment.status", *q.fulfillment_status);
    if (q.bought_from) params.emplace_back("lineItems.boughtAt.gte", FormatIso8601(*q.bought_from));
    if (q.bought_to) params.emplace_back("lineItems.boughtAt.lte", FormatIso8601(*q.bought_to));
    if (q.updated_from) params.emplace_back("updatedAt.gte", FormatIso8601(*q.updated_from));
    if (q.updated_to) params.emplace_back("updatedAt.lte", FormatIso8601(*q.updated_to));
    if (!q.sort.empty()) params.emplace_back("sort", q.sort);
    params.emplace_back("offset", std::to_string(std::max(0, q.offset)));
    params.emplace_back("limit", std::to_string(std::clamp(q.limit, 1, 100)));
    NADAJNIK_ASSIGN_OR_RETURN(auto r,
                              Call("GET", "/order/checkout-forms?" + net::FormEncode(params), {},
                                   "checkout_forms", true));
    NADAJNIK_TRY(Expect(r, 200, "list checkout forms"));
    return MapCheckoutFormList(r.body, account_.id);
  }

  Result<void> SetFulfillmentStatus(const CheckoutFormId& id, domain::FulfillmentStatus status,
                                    const std::string& revision) override {
    std::string path = "/order/checkout-forms/" + net::UrlEncode(id.value) + "/fulfillment";
    if (!revision.empty()) path += "?checkoutForm.revision=" + net::UrlEncode(revision);
    NADAJNIK_ASSIGN_OR_RETURN(auto r,
                              Call("PUT", path, FulfillmentBody(status), "fulfillment", true));
    if (r.status == 204 || r.status == 200) return Ok();
    if (r.status == 404) {
      return Fail(ErrorCode::kNotFound,
                  fmt::format("Allegro does not know checkout form {} for account {}",
                              TruncateUtf8(id.value, 64), account_.alias));
    }
    return Expect(r, 204, "set the fulfilment status");
  }

  Result<SellerProfile> Me() override {
    NADAJNIK_ASSIGN_OR_RETURN(auto r, Call("GET", "/me", {}, "me", true));
    NADAJNIK_TRY(Expect(r, 200, "read the seller's profile"));
    return MapMe(r.body);
  }

  Result<std::vector<Waybill>> ListWaybills(const CheckoutFormId& id) override {
    NADAJNIK_ASSIGN_OR_RETURN(
        auto r, Call("GET", "/order/checkout-forms/" + net::UrlEncode(id.value) + "/shipments", {},
                     "waybills", true));
    NADAJNIK_TRY(Expect(r, 200, "list an order's tracking numbers"));
    return MapWaybills(r.body);
  }

  Result<Waybill> AddWaybill(const CheckoutFormId& id, const Waybill& waybill) override {
    // Not retried here: a lost answer could mean it was added; the caller lists first.
    NADAJNIK_ASSIGN_OR_RETURN(
        auto r, Call("POST", "/order/checkout-forms/" + net::UrlEncode(id.value) + "/shipments",
                     WaybillBody(waybill), "waybills", false));
    NADAJNIK_TRY(Expect(r, 201, "add a tracking number"));
    return MapWaybill(r.body);
  }

  Result<RawResponse> Raw(const RawCall& call) override {
    NADAJNIK_ASSIGN_OR_RETURN(auto r, Call(call.method, call.path, call.body, call.endpoint,
                                           call.idempotent, call.accept));
    RawResponse out;
    out.status = r.status;
    out.content_type = r.Header("content-type").value_or("");
    out.trace_id = r.Header("trace-id").value_or("");
    out.body = std::move(r.body);
    return out;
  }

  std::int64_t requests_sent() const override { return requests_; }

 private:
  // Maps an unexpected status to an error naming what we tried to do.
  Result<void> Expect(const net::HttpResponse& r, int ok, std::string_view action) {
    if (r.status == ok) return Ok();
    const std::string described = DescribeErrorBody(r.body);
    const std::string trace = r.Header("trace-id").value_or("");
    log::Warn("allegro.call_failed", {{"account", account_.alias},
                                      {"status", r.status},
                                      {"action", action},
                                      {"error", described},
                                      {"trace_id", trace}});
    const std::string message = fmt::format("Allegro refused to {} for account {} (HTTP {}): {}",
                                            action, account_.alias, r.status, described);
    switch (r.status) {
      case 404:
        return Fail(ErrorCode::kNotFound, message, trace);
      case 409:
        return Fail(ErrorCode::kConflict, message, trace);
      case 400:
      case 422:
        return Fail(ErrorCode::kInvalidArgument, message, trace);
      case 403:
        return Fail(ErrorCode::kPermissionDenied,
                    message + ": the application lacks a scope or the seller a permission", trace);
      default:
        break;
    }
    if (r.status >= 500) return Fail(ErrorCode::kUnavailable, message, trace);
    return Fail(ErrorCode::kInternal, message, trace);
  }

  Result<net::HttpResponse> Call(const std::string& method, const std::string& path,
                                 const std::string& body, std::string_view endpoint,
                                 bool idempotent, const std::string& accept = {}) {
    bool refreshed_after_401 = false;
    int failures = 0;
    while (true) {
      NADAJNIK_ASSIGN_OR_RETURN(Secret<> token, AccessToken(false, {}));
      NADAJNIK_TRY(budget_.Acquire(Priority::kHigh));
      net::HttpRequest req;
      req.method = method;
      req.url = api_ + path;
      req.timeout = env_.options.timeout;
      req.headers = {{"Authorization", "Bearer " + token.Reveal()},
                     {"Accept", accept.empty() ? std::string(kVendorJson) : accept},
                     {"Accept-Language", env_.options.accept_language}};
      if (!body.empty()) {
        req.headers.emplace_back("Content-Type", std::string(kVendorJson));
        req.body = body;
      }
      auto sent = env_.http.Send(req);
      ++requests_;
      Count(endpoint, sent ? std::to_string(sent->status) : "transport");
      if (!sent) {
        if (idempotent && ++failures <= 2) {
          Pause(failures);
          continue;
        }
        return Fail(std::move(sent).error());
      }
      net::HttpResponse& r = *sent;
      if (r.status == 401) {
        if (refreshed_after_401) {
          return Fail(ErrorCode::kUnauthenticated,
                      fmt::format("Allegro refuses account {}'s fresh token: authorize the "
                                  "account again",
                                  account_.alias),
                      DescribeErrorBody(r.body));
        }
        refreshed_after_401 = true;
        NADAJNIK_TRY(AccessToken(true, token));
        continue;
      }
      if (r.status == 429) {
        const auto retry_after = r.RetryAfter();
        budget_.OnRateLimited(retry_after);
        Error e;
        e.code = ErrorCode::kRateLimited;
        e.message =
            "Allegro limits requests for this application (429): the call waits and is "
            "retried";
        e.details = r.Header("trace-id").value_or("");
        e.retryable = true;
        const auto blocked_until = budget_.usage().blocked_until;
        e.retry_after = blocked_until ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                            *blocked_until - env_.clock.Now())
                                      : retry_after.value_or(std::chrono::seconds(60));
        return Fail(std::move(e));
      }
      if (r.status >= 500 && idempotent && ++failures <= 2) {
        Pause(failures);
        continue;
      }
      return std::move(r);
    }
  }

  void Pause(int failures) { std::this_thread::sleep_for(env_.options.retry_pause * failures); }

  void Count(std::string_view endpoint, const std::string& status) {
    if (!env_.metrics) return;
    env_.metrics->CounterAdd("nadajnik_allegro_requests_total",
                             {{"endpoint", std::string(endpoint)}, {"status", status}});
  }

  // The access token to use: the stored one while it has more than refresh_ahead left,
  // otherwise a refreshed one. `force` refreshes unless the stored token differs from `rejected`
  // (another process refreshed already).
  Result<Secret<>> AccessToken(bool force, const Secret<>& rejected) {
    const Timestamp now = env_.clock.Now();
    if (!force && !account_.access_token.empty() && account_.access_token_expires_at &&
        *account_.access_token_expires_at - now > env_.options.refresh_ahead) {
      return account_.access_token;
    }
    return Refresh(force ? std::optional<std::string>(rejected.Reveal()) : std::nullopt);
  }

  bool Usable(const domain::MarketplaceAccount& a, const std::optional<std::string>& rejected) {
    if (a.access_token.empty() || !a.access_token_expires_at) return false;
    if (rejected) return a.access_token.Reveal() != *rejected;
    return *a.access_token_expires_at - env_.clock.Now() > env_.options.refresh_ahead;
  }

  Result<Secret<>> Refresh(const std::optional<std::string>& rejected) {
    const std::string& owner = env_.options.lease_owner;
    const AccountId id = account_.id;
    const auto give_up =
        std::chrono::steady_clock::now() + env_.options.refresh_lease + std::chrono::seconds(5);
    while (true) {
      const Timestamp now = env_.clock.Now();
      NADAJNIK_ASSIGN_OR_RETURN(bool acquired,
                                env_.store.InTransaction([&](store::UnitOfWork& uow) {
                                  return uow.accounts().AcquireRefreshLease(
                                      id, owner, now + env_.options.refresh_lease, now);
                                }));
      auto fresh = LoadAccount(env_.store, id);
      if (!fresh) {
        if (acquired) Release();
        return Fail(std::move(fresh).error());
      }
      account_ = std::move(*fresh);
      if (account_.state == domain::AccountState::kNeedsReauthorization ||
          account_.state == domain::AccountState::kDisabled) {
        if (acquired) Release();
        return Fail(
            ErrorCode::kUnauthenticated,
            fmt::format("account {} needs to be authorized again: {}", account_.alias,
                        account_.state_reason.empty() ? "it is disabled" : account_.state_reason));
      }
      if (Usable(account_, rejected)) {
        if (acquired) Release();
        return account_.access_token;
      }
      if (acquired) break;
      if (std::chrono::steady_clock::now() > give_up) {
        return Fail(ErrorCode::kUnavailable,
                    fmt::format("another Nadajnik process is refreshing account {}'s token and "
                                "has not finished: retrying later",
                                account_.alias));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (account_.refresh_token.empty()) {
      Release();
      return Fail(ErrorCode::kUnauthenticated,
                  fmt::format("account {} is not authorized yet: authorize it in Źródła "
                              "zamówień or with `nadajnik accounts authorize {}`",
                              account_.alias, account_.alias));
    }
    AllegroOAuthClient oauth(env_.http, env_.clock, account_.auth_base_url, account_.client_id,
                             account_.client_secret);
    auto tokens = oauth.Refresh(account_.refresh_token);
    ++requests_;
    Count("token", tokens ? "200" : "error");
    const Timestamp now = env_.clock.Now();
    if (!tokens) {
      const Error error = tokens.error();
      auto marked = env_.store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
        if (error.code == ErrorCode::kUnauthenticated ||
            error.code == ErrorCode::kPermissionDenied) {
          NADAJNIK_TRY(uow.accounts().SetState(id, domain::AccountState::kNeedsReauthorization,
                                               error.message, now));
        }
        return uow.accounts().ReleaseRefreshLease(id, owner);
      });
      if (!marked) log::Warn("allegro.lease_release_failed", {{"account", account_.alias}});
      log::Warn("allegro.refresh_failed",
                {{"account", account_.alias}, {"error", error.message}, {"code", error.details}});
      if (error.code == ErrorCode::kPermissionDenied) {
        Error e = error;
        e.code = ErrorCode::kUnauthenticated;
        return Fail(std::move(e));
      }
      return Fail(error);
    }
    // The new pair is stored before it is used: Allegro has already invalidated the old one.
    auto stored = env_.store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
      NADAJNIK_TRY(uow.accounts().UpdateTokens(id, tokens->access_token, tokens->refresh_token,
                                               tokens->expires_at, now));
      return uow.accounts().ReleaseRefreshLease(id, owner);
    });
    if (!stored) {
      log::Error("allegro.token_store_failed",
                 {{"account", account_.alias}, {"error", stored.error().Describe()}});
      return Fail(std::move(stored).error());
    }
    account_.access_token = tokens->access_token;
    account_.refresh_token = tokens->refresh_token;
    account_.access_token_expires_at = tokens->expires_at;
    log::Info("allegro.token_refreshed", {{"account", account_.alias}});
    return account_.access_token;
  }

  void Release() {
    auto r = env_.store.InTransaction([&](store::UnitOfWork& uow) {
      return uow.accounts().ReleaseRefreshLease(account_.id, env_.options.lease_owner);
    });
    if (!r) log::Warn("allegro.lease_release_failed", {{"account", account_.alias}});
  }

  ConnectorEnv& env_;
  domain::MarketplaceAccount account_;
  RequestBudget& budget_;
  std::string api_;
  std::int64_t requests_ = 0;
};

}  // namespace

Result<std::unique_ptr<MarketplaceConnector>> AllegroConnectorFactory::ForAccount(AccountId id) {
  NADAJNIK_ASSIGN_OR_RETURN(auto account, LoadAccount(env_.store, id));
  if (account.api_base_url.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("account {} has no REST API URL: set it in the account's settings",
                            account.alias));
  }
  RequestBudget& budget = env_.budgets.For(account.api_base_url, account.client_id);
  return std::unique_ptr<MarketplaceConnector>(
      std::make_unique<AllegroConnector>(env_, std::move(account), budget));
}

Result<AllegroOAuthClient> OAuthClientFor(ConnectorEnv& env, AccountId id) {
  NADAJNIK_ASSIGN_OR_RETURN(auto account, LoadAccount(env.store, id));
  if (account.auth_base_url.empty() || account.client_id.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("account {} has no auth server URL or client id: set them first",
                            account.alias));
  }
  return AllegroOAuthClient(env.http, env.clock, account.auth_base_url, account.client_id,
                            account.client_secret);
}

Result<SellerProfile> StoreAuthorization(ConnectorEnv& env, AccountId id, const TokenSet& tokens) {
  NADAJNIK_ASSIGN_OR_RETURN(auto before, LoadAccount(env.store, id));
  const Timestamp now = env.clock.Now();
  NADAJNIK_TRY(env.store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.accounts().UpdateTokens(id, tokens.access_token, tokens.refresh_token,
                                             tokens.expires_at, now));
    return uow.accounts().SetState(id, domain::AccountState::kActive, "", now);
  }));
  AllegroConnectorFactory factory(env);
  NADAJNIK_ASSIGN_OR_RETURN(auto connector, factory.ForAccount(id));
  auto me = connector->Me();
  const bool other_seller = me && !before.seller_id.empty() && me->id != before.seller_id;
  if (!me || other_seller) {
    // Orders of two sellers must never mix under one account: forget the new tokens.
    const std::string reason =
        other_seller ? fmt::format(
                           "authorized as Allegro user {} ({}), but account {} belongs to "
                           "user {}: log in to Allegro as that seller and authorize again",
                           me->login, me->id, before.alias, before.seller_id)
                     : me.error().message;
    NADAJNIK_TRY(env.store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
      NADAJNIK_TRY(uow.accounts().UpdateTokens(id, Secret<>(), Secret<>(), now, now));
      return uow.accounts().SetState(id, domain::AccountState::kNeedsReauthorization, reason, now);
    }));
    return Fail(ErrorCode::kFailedPrecondition, reason);
  }
  NADAJNIK_TRY(env.store.InTransaction([&](store::UnitOfWork& uow) {
    return uow.accounts().SetProfile(id, me->login, me->id, env.clock.Now());
  }));
  return std::move(*me);
}

}  // namespace nadajnik::marketplace::allegro
