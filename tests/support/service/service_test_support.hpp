// What the HTTP-core integration tests share: the binary's reference target
// (database + this build's service, started once per test binary), accounts
// made through the real /auth/v1 endpoints with the service_role key (which
// the auth rate limits exempt, so only the rate-limit tests spend the
// per-IP budget), and owner-connection SQL for arranging and checking rows.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "tests/support/service/service_http_client.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::testing {

struct Account {
  std::string id;
  std::string email;
  std::string password;
  std::string token;  // access token from /auth/v1/token
  std::string bearer() const { return "Authorization: Bearer " + token; }
};

class ServiceCoreTest : public ::testing::Test {
 protected:
  // The shared target, with the service binary of this build.
  static ReferenceEnv& env();

  static std::string url(const std::string& path) { return env().base_url() + path; }
  static std::string service_key() { return env().var("GOLIVE_REF_SERVICE_ROLE_KEY"); }
  static std::string anon_key() { return env().var("GOLIVE_REF_ANON_KEY"); }
  static std::string jwt_secret() { return env().var("GOLIVE_REF_JWT_SECRET"); }

  // Signs up and logs in a fresh account through /auth/v1 (service_role
  // apikey, so no rate limit is spent). Fails the test on any error.
  static Account sign_up(const std::string& label, const std::string& base_url = "");

  // Inserts a course through REST as `account` and returns its row.
  static nlohmann::json create_course(const Account& account, const std::string& title);

  // First field of the first row as text ("" for no row or NULL), as owner.
  static std::string sql_value(const std::string& sql);
  static void sql_exec(const std::string& sql);

  // Restarts the shared service with `defects` (TearDown restores a clean one).
  void use_defects(const std::vector<std::string>& defects);
  void TearDown() override;

 private:
  bool defects_switched_ = false;
};

// Unique per process and call: pid + counter.
std::string unique_label(const std::string& prefix);

}  // namespace golive::testing
