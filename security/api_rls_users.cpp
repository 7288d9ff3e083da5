#include "security/api_rls_users.hpp"

#include <chrono>

#include "core/random_id.hpp"
#include "target/jwt.hpp"

namespace golive::security {

std::optional<ProbeUser> mint_probe_user(pqxx::connection& connection, const config::Environment& env,
                                         core::Redactor& redactor, std::string* why) {
  if (env.jwt_secret.empty()) {
    *why = "no jwt_secret to sign a token with";
    return std::nullopt;
  }
  ProbeUser user;
  user.email = "golive-matrix-" + core::random_hex(6) + "@example.test";
  try {
    pqxx::work txn(connection);
    user.id = txn.exec_params1("INSERT INTO auth.users (id, email, encrypted_password) "
                               "VALUES (gen_random_uuid(), $1, '') RETURNING id::text",
                               user.email)[0]
                  .as<std::string>();
    txn.commit();
  } catch (const pqxx::sql_error& e) {
    *why = std::string("cannot insert a user into auth.users: ") + e.what();
    return std::nullopt;
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  user.access_token = target::jwt_sign_hs256({{"sub", user.id},
                                              {"role", "authenticated"},
                                              {"aud", "authenticated"},
                                              {"email", user.email},
                                              {"iat", now},
                                              {"exp", now + 900},
                                              {"is_anonymous", false}},
                                             env.jwt_secret);
  redactor.add_secret(user.access_token);
  user.created_here = true;
  return user;
}

bool release_minted_user(pqxx::connection& connection, const ProbeUser& user) {
  try {
    pqxx::work txn(connection);
    txn.exec_params("DELETE FROM auth.users WHERE id = $1::uuid", user.id);
    txn.commit();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace golive::security
