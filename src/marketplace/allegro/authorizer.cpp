#include "marketplace/allegro/authorizer.hpp"

#include "security/tokens.hpp"

namespace nadajnik::marketplace::allegro {

namespace {
constexpr std::chrono::minutes kStateLifetime{15};
}

Result<std::string> AllegroAuthorizer::BeginBrowser(AccountId account,
                                                    const std::string& redirect_uri) {
  NADAJNIK_ASSIGN_OR_RETURN(auto oauth, OAuthClientFor(env_, account));
  const Pkce pkce = MakePkce();
  const std::string state = security::RandomToken(32);
  const Timestamp now = env_.clock.Now();
  store::OAuthState record;
  record.account_id = account;
  record.code_verifier = Secret<>(pkce.verifier);
  record.redirect_uri = redirect_uri;
  record.created_at = now;
  record.expires_at = now + kStateLifetime;
  NADAJNIK_TRY(env_.store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.oauth_states().DeleteExpired(now));
    return uow.oauth_states().Create(security::HashToken(state), record);
  }));
  return oauth.AuthorizeUrl(redirect_uri, state, pkce.challenge);
}

Result<std::pair<AccountId, SellerProfile>> AllegroAuthorizer::FinishBrowser(
    const std::string& state, const std::string& code) {
  const Timestamp now = env_.clock.Now();
  NADAJNIK_ASSIGN_OR_RETURN(auto record, env_.store.InTransaction([&](store::UnitOfWork& uow) {
    return uow.oauth_states().Take(security::HashToken(state), now);
  }));
  if (!record) {
    return Fail(ErrorCode::kInvalidArgument,
                "this authorization link is unknown, used already or older than 15 minutes: "
                "start the authorization again");
  }
  if (code.empty()) {
    return Fail(ErrorCode::kPermissionDenied,
                "Allegro returned no authorization code (the seller refused access?)");
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto oauth, OAuthClientFor(env_, record->account_id));
  NADAJNIK_ASSIGN_OR_RETURN(
      auto tokens, oauth.ExchangeCode(code, record->redirect_uri, record->code_verifier.Reveal()));
  NADAJNIK_ASSIGN_OR_RETURN(auto seller, StoreAuthorization(env_, record->account_id, tokens));
  return std::make_pair(record->account_id, std::move(seller));
}

Result<DeviceStart> AllegroAuthorizer::StartDevice(AccountId account) {
  NADAJNIK_ASSIGN_OR_RETURN(auto oauth, OAuthClientFor(env_, account));
  NADAJNIK_ASSIGN_OR_RETURN(auto d, oauth.StartDevice());
  return DeviceStart{d.device_code, d.user_code, d.verification_uri_complete, d.interval,
                     d.expires_in};
}

Result<DeviceProgress> AllegroAuthorizer::PollDevice(AccountId account,
                                                     const Secret<>& device_code) {
  NADAJNIK_ASSIGN_OR_RETURN(auto oauth, OAuthClientFor(env_, account));
  NADAJNIK_ASSIGN_OR_RETURN(auto poll, oauth.PollDevice(device_code));
  DeviceProgress progress;
  progress.slow_down = poll.slow_down;
  if (!poll.tokens) return progress;
  NADAJNIK_ASSIGN_OR_RETURN(progress.seller, StoreAuthorization(env_, account, *poll.tokens));
  progress.done = true;
  return progress;
}

Result<SellerProfile> AllegroAuthorizer::UseRefreshToken(AccountId account,
                                                         const Secret<>& refresh_token) {
  NADAJNIK_ASSIGN_OR_RETURN(auto oauth, OAuthClientFor(env_, account));
  NADAJNIK_ASSIGN_OR_RETURN(auto tokens, oauth.Refresh(refresh_token));
  return StoreAuthorization(env_, account, tokens);
}

}  // namespace nadajnik::marketplace::allegro
