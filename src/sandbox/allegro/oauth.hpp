// The Allegro sandbox's OAuth 2.0 server (shared/reference/allegro-api.md section 1), served on
// the same port as the REST API, at the auth host's paths:
//
//   GET  /auth/oauth/authorize   login + consent page of the authorization code flow (PKCE S256)
//   POST /auth/oauth/authorize   the page's form: 302 to redirect_uri?code=..&state=.. or
//                                ?error=access_denied&state=..; wrong credentials: the page again
//   POST /auth/oauth/token       grant types authorization_code, refresh_token, client_credentials
//                                and urn:ietf:params:oauth:grant-type:device_code; HTTP Basic
//                                client auth; parameters from the form body or the query string
//   POST /auth/oauth/device      starts the device flow
//   GET  /skojarz-aplikacje      the device flow's confirmation page (also under
//   POST /skojarz-aplikacje      /uzytkownik/bezpieczenstwo/, as newer Allegro links use)
//
// It follows the documentation, not Nadajnik's client: codes live 10 s and are single-use,
// refresh tokens rotate (the old pair dies; the old refresh token keeps working for 60 s after
// its first use, each use giving a new pair), errors come in the OAuth shape of section 1.6.
// All times are World::Now(), so advancing World::offset expires codes and tokens.
//
// The registered application is SandboxOptions::client_id/client_secret with the hub's scopes
// of section 1.9 (kSandboxAppScopes); it may use every flow. Handlers lock World::mu for the
// whole request. Everything echoed into HTML is escaped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/router.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

// The scopes the sandbox application is registered with; a request for any other scope gets
// invalid_scope, and a request without a scope gets all of these.
inline const std::vector<std::string> kSandboxAppScopes = {
    "allegro:api:profile:read",      "allegro:api:orders:read",
    "allegro:api:orders:write",      "allegro:api:shipments:read",
    "allegro:api:shipments:write",   "allegro:api:sale:offers:read",
    "allegro:api:sale:offers:write", "allegro:api:sale:settings:read",
};

void RegisterOAuthRoutes(http::Router& router, World& world);

struct IssuedTokens {
  std::string access_token;
  std::string refresh_token;
  int expires_in = 0;  // seconds, options.access_token_ttl
};

// Issues a user token pair as the token endpoint does (JWT-shaped, unique, stored in
// world.access_tokens / world.refresh_tokens). Empty `scopes` means kSandboxAppScopes.
// The caller holds world.mu and has checked that the seller exists.
IssuedTokens IssueUserTokens(World& world, const std::string& seller_id,
                             const std::string& client_id, std::vector<std::string> scopes);

// A password change (section 1.8): every access and refresh token of the seller dies at once,
// and so do authorization codes not yet exchanged. The caller holds world.mu.
void RevokeSellerTokens(World& world, const std::string& seller_id);

}  // namespace nadajnik::sandbox::allegro
