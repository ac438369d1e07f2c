// AuthService: panel logins, sessions, API tokens and users. The panel and the JSON API share it.
//
// Passwords are argon2id hashes; session and API tokens are random 256-bit values stored only as
// hashes. Failed logins are counted in the store per username and per address, so the limit
// holds across instances; past it, Login answers kRateLimited with retry_after, even for the
// right password. An unknown username costs the same time as a wrong password.
// Errors: kUnauthenticated (wrong credentials, unknown/expired token), kRateLimited,
// kInvalidArgument (a new password or username breaking a rule), kAlreadyExists.
// Thread-safe (state lives in the store).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "domain/user.hpp"
#include "store/store.hpp"

namespace nadajnik::services {

struct AuthOptions {
  std::chrono::milliseconds session_ttl{std::chrono::hours(12)};
  int max_failures = 5;
  std::chrono::milliseconds failure_window{std::chrono::minutes(15)};
};

// Who is making a request.
struct Principal {
  UserId user_id;       // invalid for API tokens
  ApiTokenId token_id;  // invalid for sessions
  std::string name;     // username or "api:<token name>"
  domain::Role role = domain::Role::kPacker;
  bool must_change_password = false;
  std::string csrf_token;  // sessions only
  bool is_admin() const { return role == domain::Role::kAdmin; }
};

struct LoginResult {
  Secret<> session_token;  // goes into the cookie, never stored
  Principal principal;
};

struct NewApiToken {
  ApiTokenId id;
  Secret<> token;  // shown once
};

class AuthService {
 public:
  AuthService(store::Store& store, const Clock& clock, AuthOptions options);

  Result<LoginResult> Login(const std::string& username, const Secret<>& password,
                            const std::string& remote_address);
  // The session behind a cookie value, or kUnauthenticated.
  Result<Principal> AuthenticateSession(const std::string& session_token);
  Result<void> Logout(const std::string& session_token);
  // The principal behind "Authorization: Bearer <token>", or kUnauthenticated.
  Result<Principal> AuthenticateApiToken(const std::string& token);

  Result<UserId> CreateUser(const std::string& username, const Secret<>& password,
                            domain::Role role, bool must_change_password);
  // Sets a new password after checking the current one and clears must_change_password.
  Result<void> ChangePassword(UserId user, const Secret<>& current, const Secret<>& new_password);
  // Gives an existing user (or a new admin) a random one-time password that must be changed at
  // the first login. Used by `nadajnik demo`.
  Result<Secret<>> IssueOneTimePassword(const std::string& username, domain::Role role);

  Result<NewApiToken> CreateApiToken(const std::string& name, domain::Role role);

  // An admin's changes to other users. `actor` is who asks (its id guards against locking
  // oneself out). Refusals are kFailedPrecondition with details "self" (an admin demoting,
  // disabling or deleting their own account) or "last_admin" (no enabled admin would be left);
  // kNotFound for an unknown user. The role is read again on every request, so a demoted user's
  // session loses the admin pages at once; disabling, deleting and a password reset end the
  // user's sessions.
  Result<void> SetRole(const Principal& actor, UserId user, domain::Role role);
  Result<void> SetDisabled(const Principal& actor, UserId user, bool disabled);
  Result<void> DeleteUser(const Principal& actor, UserId user);
  // Sets a password chosen by an admin; the user must change it at the next login.
  // kInvalidArgument when the password breaks the rules (ValidateNewPassword).
  Result<void> ResetPassword(UserId user, const Secret<>& new_password);

 private:
  store::Store& store_;
  const Clock& clock_;
  AuthOptions options_;
  // Applies `change` to the user in one transaction after checking that an enabled admin other
  // than the user is left when `removes_admin(user)` says the change takes the user's admin away.
  Result<void> ChangeUser(const Principal& actor, UserId user, std::string_view what,
                          const std::function<bool(const domain::User&)>& removes_admin,
                          const std::function<Result<void>(store::UnitOfWork&)>& change);

  std::string dummy_hash_;  // verified against when the username is unknown
};

}  // namespace nadajnik::services
