#include "tests/support/service/service_test_support.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "tests/support/service/service_process.hpp"

namespace golive::testing {

std::string unique_label(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

ReferenceEnv& ServiceCoreTest::env() {
  // reference-env looks for the binary in build*/; pin it to this build's.
  ::setenv("GOLIVE_REFERENCE_TARGET_BIN", reference_service_binary().c_str(), 0);
  return shared_reference_env(ReferenceEnv::Options{});
}

Account ServiceCoreTest::sign_up(const std::string& label, const std::string& base_url) {
  const std::string base = base_url.empty() ? env().base_url() : base_url;
  Account account;
  account.email = unique_label(label) + "@example.test";
  account.password = "correct-horse-" + label;
  const std::vector<std::string> exempt = {"apikey: " + service_key()};
  const ServiceReply signup =
      http_send_json("POST", base + "/auth/v1/signup",
                     {{"email", account.email}, {"password", account.password}}, exempt);
  EXPECT_EQ(signup.status, 200) << signup.body;
  account.id = signup.json().value("/user/id"_json_pointer, std::string());
  const ServiceReply token =
      http_send_json("POST", base + "/auth/v1/token?grant_type=password",
                     {{"email", account.email}, {"password", account.password}}, exempt);
  EXPECT_EQ(token.status, 200) << token.body;
  account.token = token.json().value("access_token", std::string());
  return account;
}

nlohmann::json ServiceCoreTest::create_course(const Account& account, const std::string& title) {
  const ServiceReply reply =
      http_send_json("POST", url("/rest/v1/courses"), {{"title", title}, {"user_id", account.id}},
                     {account.bearer(), "Prefer: return=representation"});
  EXPECT_EQ(reply.status, 201) << reply.body;
  const nlohmann::json rows = reply.json();
  return rows.is_array() && !rows.empty() ? rows[0] : nlohmann::json();
}

std::string ServiceCoreTest::sql_value(const std::string& sql) {
  pqxx::connection connection(env().database_url());
  pqxx::nontransaction txn(connection);
  const pqxx::result rows = txn.exec(sql);
  if (rows.empty() || rows[0][0].is_null()) return "";
  return rows[0][0].as<std::string>();
}

void ServiceCoreTest::sql_exec(const std::string& sql) {
  pqxx::connection connection(env().database_url());
  pqxx::nontransaction txn(connection);
  txn.exec(sql);
}

void ServiceCoreTest::use_defects(const std::vector<std::string>& defects) {
  env().restart_service(defects);
  defects_switched_ = true;
}

void ServiceCoreTest::TearDown() {
  if (defects_switched_) env().restart_service({});
}

}  // namespace golive::testing
