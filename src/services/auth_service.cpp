#include "services/auth_service.hpp"

#include <fmt/format.h>

#include "observability/log.hpp"
#include "security/passwords.hpp"
#include "security/tokens.hpp"

namespace nadajnik::services {

namespace {
constexpr std::string_view kApiTokenPrefix = "ndj_";

Unexpected BadCredentials() {
  return Fail(ErrorCode::kUnauthenticated, "wrong username or password");
}
}  // namespace

AuthService::AuthService(store::Store& store, const Clock& clock, AuthOptions options)
    : store_(store), clock_(clock), options_(options) {
  dummy_hash_ = security::HashPassword(security::RandomToken(16)).value_or(std::string());
}

Result<LoginResult> AuthService::Login(const std::string& username, const Secret<>& password,
                                       const std::string& remote_address) {
  const Timestamp now = clock_.Now();
  const Timestamp since = now - options_.failure_window;
  const std::string user_key = "user:" + username.substr(0, 128);
  const std::string addr_key = "addr:" + remote_address.substr(0, 64);

  // Throttle before the (expensive) hash check, for the right password too.
  auto throttled = store_.Read([&](store::UnitOfWork& uow) -> Result<std::optional<Timestamp>> {
    for (const auto& key : {user_key, addr_key}) {
      NADAJNIK_ASSIGN_OR_RETURN(std::int64_t failures, uow.login_failures().CountSince(key, since));
      if (failures >= options_.max_failures) return uow.login_failures().OldestSince(key, since);
    }
    return std::optional<Timestamp>{};
  });
  if (!throttled) return Fail(throttled.error());
  if (*throttled) {
    Error e;
    e.code = ErrorCode::kRateLimited;
    e.message = "too many failed logins; wait a few minutes and try again";
    e.retryable = true;
    e.retry_after = std::max(std::chrono::milliseconds(1000),
                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                 **throttled + options_.failure_window - now));
    log::Warn("auth.login_throttled",
              {{"username", username.substr(0, 64)}, {"remote", remote_address}});
    return Fail(std::move(e));
  }

  auto user =
      store_.Read([&](store::UnitOfWork& uow) { return uow.users().FindByUsername(username); });
  if (!user) return Fail(user.error());
  const bool known = user->has_value() && !(*user)->disabled;
  const bool ok =
      security::VerifyPassword(known ? (*user)->password_hash : dummy_hash_, password.Reveal()) &&
      known;
  if (!ok) {
    auto recorded = store_.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
      NADAJNIK_TRY(uow.login_failures().Record(user_key, now));
      return uow.login_failures().Record(addr_key, now);
    });
    if (!recorded) return Fail(recorded.error());
    log::Warn("auth.login_failed",
              {{"username", username.substr(0, 64)}, {"remote", remote_address}});
    return BadCredentials();
  }

  const domain::User& u = **user;
  LoginResult result;
  result.session_token = Secret<>(security::RandomToken(32));
  domain::Session session;
  session.token_hash = security::HashToken(result.session_token.Reveal());
  session.user_id = u.id;
  session.csrf_token = security::RandomToken(32);
  session.created_at = now;
  session.expires_at = now + options_.session_ttl;
  auto created = store_.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.sessions().Create(session));
    return uow.login_failures().Clear(user_key);
  });
  if (!created) return Fail(created.error());
  result.principal =
      Principal{u.id, {}, u.username, u.role, u.must_change_password, session.csrf_token};
  log::Info("auth.login",
            {{"user_id", static_cast<long long>(u.id.value)}, {"remote", remote_address}});
  return result;
}

Result<Principal> AuthService::AuthenticateSession(const std::string& session_token) {
  if (session_token.empty() || session_token.size() > 256) {
    return Fail(ErrorCode::kUnauthenticated, "not logged in");
  }
  const std::string hash = security::HashToken(session_token);
  return store_.Read([&](store::UnitOfWork& uow) -> Result<Principal> {
    NADAJNIK_ASSIGN_OR_RETURN(auto session, uow.sessions().FindValid(hash, clock_.Now()));
    if (!session) return Fail(ErrorCode::kUnauthenticated, "the session has expired; log in again");
    NADAJNIK_ASSIGN_OR_RETURN(auto user, uow.users().Get(session->user_id));
    if (!user || user->disabled)
      return Fail(ErrorCode::kUnauthenticated, "the account is disabled");
    return Principal{user->id,           {}, user->username, user->role, user->must_change_password,
                     session->csrf_token};
  });
}

Result<void> AuthService::Logout(const std::string& session_token) {
  if (session_token.empty()) return Ok();
  const std::string hash = security::HashToken(session_token);
  return store_.InTransaction([&](store::UnitOfWork& uow) { return uow.sessions().Delete(hash); });
}

Result<Principal> AuthService::AuthenticateApiToken(const std::string& token) {
  if (token.size() < kApiTokenPrefix.size() + 16 || token.size() > 256 ||
      token.compare(0, kApiTokenPrefix.size(), kApiTokenPrefix) != 0) {
    return Fail(ErrorCode::kUnauthenticated, "the API token is malformed");
  }
  const std::string hash = security::HashToken(token);
  const Timestamp now = clock_.Now();
  return store_.InTransaction([&](store::UnitOfWork& uow) -> Result<Principal> {
    NADAJNIK_ASSIGN_OR_RETURN(auto found, uow.api_tokens().FindActive(hash));
    if (!found) return Fail(ErrorCode::kUnauthenticated, "the API token is unknown or revoked");
    const auto& [api_token, role] = *found;
    // Recording every use would turn each read into a write; once a minute is enough.
    if (!api_token.last_used_at || now - *api_token.last_used_at > std::chrono::minutes(1)) {
      NADAJNIK_TRY(uow.api_tokens().Touch(api_token.id, now));
    }
    return Principal{{}, api_token.id, "api:" + api_token.name, role, false, {}};
  });
}

Result<UserId> AuthService::CreateUser(const std::string& username, const Secret<>& password,
                                       domain::Role role, bool must_change_password) {
  NADAJNIK_TRY(domain::ValidateUsername(username));
  NADAJNIK_TRY(security::ValidateNewPassword(password.Reveal()));
  NADAJNIK_ASSIGN_OR_RETURN(std::string hash, security::HashPassword(password.Reveal()));
  domain::User user;
  user.username = username;
  user.password_hash = std::move(hash);
  user.role = role;
  user.must_change_password = must_change_password;
  const Timestamp now = clock_.Now();
  auto id =
      store_.InTransaction([&](store::UnitOfWork& uow) { return uow.users().Create(user, now); });
  if (id) {
    log::Info("auth.user_created", {{"user_id", static_cast<long long>(id->value)},
                                    {"role", std::string(domain::RoleName(role))}});
  }
  return id;
}

Result<void> AuthService::ChangePassword(UserId user_id, const Secret<>& current,
                                         const Secret<>& new_password) {
  NADAJNIK_TRY(security::ValidateNewPassword(new_password.Reveal()));
  auto user = store_.Read([&](store::UnitOfWork& uow) { return uow.users().Get(user_id); });
  if (!user) return Fail(user.error());
  if (!*user) return Fail(ErrorCode::kNotFound, "no such user");
  if (!security::VerifyPassword((*user)->password_hash, current.Reveal())) {
    return Fail(ErrorCode::kInvalidArgument, "the current password is wrong");
  }
  if (current.Reveal() == new_password.Reveal()) {
    return Fail(ErrorCode::kInvalidArgument, "the new password must differ from the current one");
  }
  NADAJNIK_ASSIGN_OR_RETURN(std::string hash, security::HashPassword(new_password.Reveal()));
  const Timestamp now = clock_.Now();
  return store_.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.users().SetPassword(user_id, hash, false, now));
    return Ok();
  });
}

Result<Secret<>> AuthService::IssueOneTimePassword(const std::string& username, domain::Role role) {
  NADAJNIK_TRY(domain::ValidateUsername(username));
  Secret<> password(security::RandomToken(12));
  NADAJNIK_ASSIGN_OR_RETURN(std::string hash, security::HashPassword(password.Reveal()));
  const Timestamp now = clock_.Now();
  auto r = store_.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_ASSIGN_OR_RETURN(auto existing, uow.users().FindByUsername(username));
    if (existing) {
      NADAJNIK_TRY(uow.users().SetPassword(existing->id, hash, true, now));
      return uow.sessions().DeleteForUser(existing->id);
    }
    domain::User user;
    user.username = username;
    user.password_hash = hash;
    user.role = role;
    user.must_change_password = true;
    NADAJNIK_TRY(uow.users().Create(user, now));
    return Ok();
  });
  if (!r) return Fail(r.error());
  return password;
}

Result<NewApiToken> AuthService::CreateApiToken(const std::string& name, domain::Role role) {
  if (name.empty() || name.size() > 64) {
    return Fail(ErrorCode::kInvalidArgument, "an API token name must be 1 to 64 characters");
  }
  NewApiToken out;
  out.token = Secret<>(std::string(kApiTokenPrefix) + security::RandomToken(32));
  domain::ApiToken token;
  token.name = name;
  token.token_hash = security::HashToken(out.token.Reveal());
  token.prefix = out.token.Reveal().substr(0, kApiTokenPrefix.size() + 6);
  token.created_at = clock_.Now();
  NADAJNIK_ASSIGN_OR_RETURN(out.id, store_.InTransaction([&](store::UnitOfWork& uow) {
    return uow.api_tokens().Create(token, role);
  }));
  log::Info("auth.api_token_created",
            {{"token_id", static_cast<long long>(out.id.value)}, {"name", name}});
  return out;
}

Result<void> AuthService::ChangeUser(
    const Principal& actor, UserId user_id, std::string_view what,
    const std::function<bool(const domain::User&)>& removes_admin,
    const std::function<Result<void>(store::UnitOfWork&)>& change) {
  auto r = store_.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_ASSIGN_OR_RETURN(auto users, uow.users().List());
    const domain::User* target = nullptr;
    std::int64_t other_admins = 0;
    for (const auto& u : users) {
      if (u.id == user_id) {
        target = &u;
      } else if (u.role == domain::Role::kAdmin && !u.disabled) {
        ++other_admins;
      }
    }
    if (!target) return Fail(ErrorCode::kNotFound, "no such user: see `nadajnik users list`");
    if (removes_admin(*target)) {
      if (actor.user_id.valid() && actor.user_id == user_id) {
        return Fail(ErrorCode::kFailedPrecondition,
                    fmt::format("you can't {} your own account: ask another admin", what), "self");
      }
      if (other_admins == 0) {
        return Fail(ErrorCode::kFailedPrecondition,
                    fmt::format("can't {} the last enabled admin: make another user an admin "
                                "first",
                                what),
                    "last_admin");
      }
    }
    return change(uow);
  });
  if (r) {
    log::Info("auth.user_changed", {{"by", actor.name},
                                    {"user_id", static_cast<long long>(user_id.value)},
                                    {"change", std::string(what)}});
  }
  return r;
}

Result<void> AuthService::SetRole(const Principal& actor, UserId user, domain::Role role) {
  const Timestamp now = clock_.Now();
  return ChangeUser(
      actor, user, "demote",
      [&](const domain::User& u) {
        return u.role == domain::Role::kAdmin && role != domain::Role::kAdmin && !u.disabled;
      },
      [&](store::UnitOfWork& uow) { return uow.users().SetRole(user, role, now); });
}

Result<void> AuthService::SetDisabled(const Principal& actor, UserId user, bool disabled) {
  const Timestamp now = clock_.Now();
  return ChangeUser(
      actor, user, disabled ? "disable" : "enable",
      [&](const domain::User& u) {
        return disabled && u.role == domain::Role::kAdmin && !u.disabled;
      },
      [&](store::UnitOfWork& uow) -> Result<void> {
        NADAJNIK_TRY(uow.users().SetDisabled(user, disabled, now));
        if (disabled) return uow.sessions().DeleteForUser(user);
        return Ok();
      });
}

Result<void> AuthService::DeleteUser(const Principal& actor, UserId user) {
  return ChangeUser(
      actor, user, "delete",
      [&](const domain::User& u) {
        // Deleting oneself is refused whatever the role.
        return (actor.user_id.valid() && actor.user_id == u.id) ||
               (u.role == domain::Role::kAdmin && !u.disabled);
      },
      [&](store::UnitOfWork& uow) { return uow.users().Delete(user); });
}

Result<void> AuthService::ResetPassword(UserId user, const Secret<>& new_password) {
  NADAJNIK_TRY(security::ValidateNewPassword(new_password.Reveal()));
  NADAJNIK_ASSIGN_OR_RETURN(std::string hash, security::HashPassword(new_password.Reveal()));
  const Timestamp now = clock_.Now();
  auto r = store_.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.users().SetPassword(user, hash, true, now));
    return uow.sessions().DeleteForUser(user);
  });
  if (r) log::Info("auth.password_reset", {{"user_id", static_cast<long long>(user.value)}});
  return r;
}

}  // namespace nadajnik::services
