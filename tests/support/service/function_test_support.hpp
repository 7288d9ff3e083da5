// What the feature-handler integration tests share: a plain libcurl client for
// the reference service, users created straight in the database with a JWT
// minted under the service's secret (so tests never hit the auth rate
// limits), signed Stripe webhook deliveries, and a fixture that switches
// seeded defects for one test and back.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "tests/support/reference_env.hpp"

namespace golive::testing {

struct HttpReply {
  long status = 0;                             // 0: the request never got an answer
  std::map<std::string, std::string> headers;  // names lowercased, last value wins
  std::string body;
  std::string error;  // curl's message when status == 0

  // The body as JSON; null when it is not JSON.
  nlohmann::json json() const;
  // A response header by lowercase name; "" when absent.
  std::string header(const std::string& name) const;
};

// One blocking request. `headers` are full "Name: value" lines. Timeout 30 s.
HttpReply http_request(const std::string& method, const std::string& url,
                       const std::string& body = "", const std::vector<std::string>& headers = {});

struct TestUser {
  std::string id;  // auth.users.id
  std::string email;
  std::string token;  // HS256 access token: {sub, role: authenticated, email, exp: +1 h}
  std::string bearer() const { return "Authorization: Bearer " + token; }
};

// Runs one SQL statement on the owner connection and returns the first field
// of the first row as text ("" when there is no row or it is NULL).
std::string sql_value(pqxx::connection& admin, const std::string& sql);

// The env var with the reference service binary this build made, so the
// tests run the service they were built with (see CMakeLists.txt).
void use_service_binary_of_this_build();

// Base fixture: every test runs against the binary's shared reference target
// (`options` must be the same for every fixture in one binary).
class ReferenceServiceTest : public ::testing::Test {
 protected:
  static ReferenceEnv& env();
  static ReferenceEnv::Options& env_options();  // set before the first env() call

  void SetUp() override;

  std::string url(const std::string& path) const { return env().base_url() + path; }
  pqxx::connection& admin();

  // A fresh user (auth.users + profiles row on 'free'), unique per call.
  TestUser create_user(const std::string& label = "user");

  // Restarts the service with exactly these defects. The next test that does
  // not call it gets a clean service again (SetUp), so consecutive defect
  // tests cost one restart each.
  void use_defects(const std::vector<std::string>& defects);

  HttpReply get(const std::string& path, const TestUser* user = nullptr,
                const std::vector<std::string>& headers = {});
  HttpReply post_json(const std::string& path, const nlohmann::json& body,
                      const TestUser* user = nullptr);

  // Delivers `event` to /functions/v1/stripe-webhook signed as Stripe would
  // at `timestamp` (0 = now) with the service's webhook secret.
  HttpReply deliver_event(const nlohmann::json& event, std::int64_t timestamp = 0);

  // The structured log lines of the service so far (service.log in the state
  // dir) whose "event" is `event_name`, parsed.
  std::vector<nlohmann::json> service_log_events(const std::string& event_name) const;

 private:
  static std::vector<std::string>& running_defects();  // of the shared service

  std::unique_ptr<pqxx::connection> admin_;
};

// A unique suffix for ids and names (pid, counter and clock), so reruns and
// parallel binaries never collide in one database.
std::string unique_suffix();

// A Stripe-shaped event envelope: {"id", "object": "event", "type",
// "created", "data": {"object": object}}.
nlohmann::json stripe_event(const std::string& id, const std::string& type, std::int64_t created,
                            const nlohmann::json& object);

std::int64_t now_unix();

}  // namespace golive::testing
