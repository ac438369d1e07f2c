#include "services/account_service.hpp"

#include <fmt/format.h>

#include <tuple>

#include "core/text.hpp"

namespace nadajnik::services {

namespace {}  // namespace

AccountService::AccountService(store::Store& store, const Clock& clock, EnvironmentUrls urls)
    : store_(store), clock_(clock), urls_(std::move(urls)) {}

namespace {

// The account as it would be stored, and the problems that keep it from being stored.
std::pair<domain::MarketplaceAccount, std::vector<FieldProblem>> Build(
    const NewAccount& in, const EnvironmentUrls& urls) {
  std::vector<FieldProblem> problems;
  domain::MarketplaceAccount a;
  auto alias = domain::NormalizeAlias(in.alias);
  if (!alias) {
    problems.push_back({"alias", "format", alias.error().message});
  } else {
    a.alias = *alias;
  }
  a.name = in.name;
  if (a.name.empty() || a.name.size() > 100 || !IsValidUtf8(a.name)) {
    problems.push_back({"name", "required", "name is required (at most 100 characters)"});
  }
  a.login = TruncateUtf8(in.login, 100);
  a.client_id = in.client_id;
  if (a.client_id.empty() || a.client_id.size() > 200) {
    problems.push_back(
        {"client_id", "required", "client id is required (from apps.developer.allegro.pl)"});
  }
  if (in.client_secret.empty() || in.client_secret.size() > 500) {
    problems.push_back({"client_secret", "required", "client secret is required"});
  }
  a.client_secret = Secret<>(in.client_secret);
  std::string env = in.environment;
  if (env.empty()) env = in.auth_url.empty() && in.api_url.empty() ? "production" : "custom";
  auto parsed = domain::ParseAccountEnvironment(env);
  if (!parsed) {
    problems.push_back(
        {"environment", "unknown",
         fmt::format("environment '{}' is unknown: use production, sandbox or custom",
                     TruncateUtf8(env, 32))});
    return {std::move(a), std::move(problems)};
  }
  a.environment = *parsed;
  switch (*parsed) {
    case domain::AccountEnvironment::kProduction:
      a.auth_base_url = in.auth_url.empty() ? urls.production_auth_url : in.auth_url;
      a.api_base_url = in.api_url.empty() ? urls.production_api_url : in.api_url;
      break;
    case domain::AccountEnvironment::kSandbox:
      a.auth_base_url = in.auth_url.empty() ? urls.sandbox_auth_url : in.auth_url;
      a.api_base_url = in.api_url.empty() ? urls.sandbox_api_url : in.api_url;
      break;
    case domain::AccountEnvironment::kCustom:
      a.auth_base_url = in.auth_url;
      a.api_base_url = in.api_url;
      break;
  }
  a.auth_base_url = TrimTrailingSlashes(a.auth_base_url);
  a.api_base_url = TrimTrailingSlashes(a.api_base_url);
  for (auto [field, what, url] : {std::tuple{"auth_url", "auth URL", &a.auth_base_url},
                                  std::tuple{"api_url", "API URL", &a.api_base_url}}) {
    if (url->empty()) {
      problems.push_back({field, "required", fmt::format("{} is required", what)});
    } else if (!url->starts_with("https://") && !url->starts_with("http://")) {
      problems.push_back(
          {field, "scheme",
           fmt::format("{} must start with https:// (or http:// for a local sandbox)", what)});
    } else if (url->find_first_of(" ?#\t\r\n") != std::string::npos || url->size() > 500) {
      problems.push_back(
          {field, "format",
           fmt::format("{} must be a base URL without spaces, query or fragment", what)});
    }
  }
  return {std::move(a), std::move(problems)};
}

}  // namespace

std::vector<FieldProblem> AccountService::Validate(const NewAccount& account) const {
  return Build(account, urls_).second;
}

Result<AccountId> AccountService::Add(const NewAccount& in) {
  auto [a, problems] = Build(in, urls_);
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "; ") + p.message;
    return Fail(ErrorCode::kInvalidArgument, message);
  }
  a.state = domain::AccountState::kNew;
  const Timestamp now = clock_.Now();
  return store_.InTransaction([&](store::UnitOfWork& uow) -> Result<AccountId> {
    NADAJNIK_ASSIGN_OR_RETURN(auto existing, uow.accounts().FindByAlias(a.alias));
    if (existing) {
      return Fail(ErrorCode::kAlreadyExists,
                  fmt::format("alias {} is taken by account '{}': choose another two letters",
                              a.alias, existing->name));
    }
    return uow.accounts().Create(a, now);
  });
}

Result<domain::MarketplaceAccount> AccountService::Find(const std::string& key) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto found,
      store_.Read([&](store::UnitOfWork& uow) -> Result<std::optional<domain::MarketplaceAccount>> {
        auto alias = domain::NormalizeAlias(key);
        if (alias) {
          NADAJNIK_ASSIGN_OR_RETURN(auto a, uow.accounts().FindByAlias(*alias));
          if (a) return a;
        }
        if (!key.empty() && key.size() < 19 &&
            key.find_first_not_of("0123456789") == std::string::npos) {
          return uow.accounts().Get(AccountId(std::stoll(key)));
        }
        return std::optional<domain::MarketplaceAccount>();
      }));
  if (!found) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("no account '{}' (use its two-letter alias; `nadajnik accounts list`)",
                            TruncateUtf8(key, 32)));
  }
  return std::move(*found);
}

Result<std::vector<AccountHealth>> AccountService::List() {
  return store_.Read([&](store::UnitOfWork& uow) -> Result<std::vector<AccountHealth>> {
    NADAJNIK_ASSIGN_OR_RETURN(auto accounts, uow.accounts().List());
    std::vector<AccountHealth> out;
    for (auto& a : accounts) {
      NADAJNIK_ASSIGN_OR_RETURN(auto h, HealthOf(uow, std::move(a)));
      out.push_back(std::move(h));
    }
    return out;
  });
}

Result<AccountHealth> AccountService::Health(const std::string& alias_or_id) {
  NADAJNIK_ASSIGN_OR_RETURN(auto account, Find(alias_or_id));
  return store_.Read([&](store::UnitOfWork& uow) { return HealthOf(uow, std::move(account)); });
}

Result<AccountHealth> AccountService::HealthOf(store::UnitOfWork& uow,
                                               domain::MarketplaceAccount a) const {
  AccountHealth h;
  NADAJNIK_ASSIGN_OR_RETURN(h.incidents, uow.incidents().Count(a.id));
  NADAJNIK_ASSIGN_OR_RETURN(h.failed_orders, uow.import_failures().CountOpen(a.id));
  if (budgets_ != nullptr) h.budget = budgets_->Peek(a.api_base_url, a.client_id);
  a.client_secret = Secret<>();
  a.access_token = Secret<>();
  a.refresh_token = Secret<>();
  h.account = std::move(a);
  return h;
}

}  // namespace nadajnik::services
