// The users of the API access matrix when they are minted locally: with the
// environment's jwt_secret and database_url, each user is a row of
// auth.users inserted through the database (id, a "golive-matrix-<hex>@
// example.test" address, an empty password hash: nobody can log in as it)
// and an HS256 token signed with jwt_secret carrying the claims GoTrue puts
// in a session (sub, role and aud "authenticated", email, iat, exp in 15
// minutes). No auth request is made, so this works where signups are off
// and no service_role_key or test users are given. The user is deleted
// again through the database (its rows cascade as with GoTrue's admin
// delete). A minted token is a secret like any issued one: it is registered
// with the run's Redactor before it is used, so no result, console line or
// report shows it.
//
// Setting: security.api_rls.users (security/api_rls_settings.hpp).
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "config/environment.hpp"
#include "core/redactor.hpp"
#include "security/http_probe_support.hpp"

namespace golive::security {

// How the matrix obtains its users: kAuto = the environment's auth (signup,
// tokens, login workflow) and, when that gives no users, minted with
// jwt_secret; kMint = minted only; kAuth = the environment's auth only.
enum class MatrixUsers { kAuto, kAuth, kMint };

// A minted user (see above), its token registered with `redactor`, or
// nullopt with `why`.
std::optional<ProbeUser> mint_probe_user(pqxx::connection& connection, const config::Environment& env,
                                         core::Redactor& redactor, std::string* why);

// Deletes a minted user's auth.users row; false when the database refused.
bool release_minted_user(pqxx::connection& connection, const ProbeUser& user);

}  // namespace golive::security
