// AccountService: adding and listing the seller's marketplace accounts, and their health.
//
// Add() validates everything before anything is stored (alias: two letters or digits, unique;
// name; client id and secret; auth and REST URLs, from the environment's preset or custom, never
// constants here) and names each problem. Secrets are encrypted by the repository. Health joins
// what a seller needs to see per account: state with reason and time, journal position and lag,
// integrity incidents, orders that failed to import, the last error, and the request budget of the
// account's marketplace application as this process counts it (when SetBudgets was called).
// Thread-safe once SetBudgets has been called (before serving).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "domain/account.hpp"
#include "marketplace/request_budget_view.hpp"
#include "store/store.hpp"

namespace nadajnik::services {

struct EnvironmentUrls {
  std::string production_auth_url;
  std::string production_api_url;
  std::string sandbox_auth_url;
  std::string sandbox_api_url;
};

struct NewAccount {
  std::string alias;
  std::string name;
  std::string login;
  std::string environment;  // production | sandbox | custom ("" = custom when URLs are given)
  std::string auth_url;
  std::string api_url;
  std::string client_id;
  std::string client_secret;
};

// One problem of a NewAccount: which field, what kind ("required", "format", "scheme",
// "unknown"), and an English message the CLI and API show. The panel words its own.
struct FieldProblem {
  std::string field;  // alias, name, client_id, client_secret, environment, auth_url, api_url
  std::string kind;
  std::string message;
};

struct AccountHealth {
  domain::MarketplaceAccount account;  // secrets blanked
  std::int64_t incidents = 0;
  std::int64_t failed_orders = 0;
  // Shared by every account of the same application (client id); in this process's memory only.
  // nullopt: no budget view was given.
  std::optional<marketplace::RequestBudgetUsage> budget;
};

class AccountService {
 public:
  AccountService(store::Store& store, const Clock& clock, EnvironmentUrls urls);
  // Every problem of `account`, before anything is stored (empty: it can be added, unless the
  // alias is taken).
  std::vector<FieldProblem> Validate(const NewAccount& account) const;
  // kInvalidArgument naming every problem ("; "-separated), kAlreadyExists for a taken alias.
  Result<AccountId> Add(const NewAccount& account);
  Result<domain::MarketplaceAccount> Find(const std::string& alias_or_id);
  Result<std::vector<AccountHealth>> List();
  // One account's health, as List() gives it.
  Result<AccountHealth> Health(const std::string& alias_or_id);
  // Where the request budgets are counted (not owned; must outlive the service). Call before
  // serving.
  void SetBudgets(const marketplace::RequestBudgetView* budgets) { budgets_ = budgets; }

 private:
  Result<AccountHealth> HealthOf(store::UnitOfWork& uow, domain::MarketplaceAccount a) const;

  store::Store& store_;
  const Clock& clock_;
  EnvironmentUrls urls_;
  const marketplace::RequestBudgetView* budgets_ = nullptr;
};

}  // namespace nadajnik::services
