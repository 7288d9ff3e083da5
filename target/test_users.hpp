// Test users of the contract suite: signed up through /auth/v1/signup (or
// logged in from env.auth.test_users when signup is off) and deleted through
// DELETE /auth/v1/user afterwards, which cascades to their subscriptions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/environment.hpp"

namespace golive::target {

struct ContractUser {
  std::string id;            // auth.users id (uuid)
  std::string email;
  std::string access_token;  // the user's JWT (registered with the redactor)
  bool created_here = false; // true: deleted by release_contract_user
};

// Signs up a fresh user (or logs in the index-th configured test user).
// Errors become the returned string.
struct ContractUserOutcome {
  std::optional<ContractUser> user;
  std::string error;
  bool unreachable = false;  // the auth endpoint never answered (connect or DNS failure)
};
ContractUserOutcome acquire_contract_user(const config::Environment& env, std::size_t index);

// Deletes a user this suite created; "" on success, else why not.
std::string release_contract_user(const config::Environment& env, const ContractUser& user);

}  // namespace golive::target
