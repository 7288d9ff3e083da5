// The HTTP probes judge what a real Supabase project answers, on a scripted
// server that answers as Supabase's gateway and GoTrue do: a 429 without
// Retry-After is a working rate limit (Retry-After is reported when present,
// never required); Access-Control-Allow-Origin: * without credentials, as
// the gateway answers every origin, exposes no session and passes, while an
// echoed origin with credentials fails naming the host that served it.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "config/environment.hpp"
#include "core/redactor.hpp"
#include "core/result_stream.hpp"
#include "security/cors_probe.hpp"
#include "security/rate_limit_probe.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::security {
namespace {

namespace fs = std::filesystem;

std::string request_header(const testing::TestRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

config::Environment env_for(const testing::TestHttpServer& server, core::Redactor& redactor) {
  const fs::path file = fs::temp_directory_path() /
                        ("golive-gateway-" + std::to_string(server.port()) + ".json");
  const nlohmann::json env = {{"name", "gateway"},
                              {"base_url", "http://127.0.0.1:" + std::to_string(server.port())},
                              {"anon_key", "anon-gateway"},
                              {"safety", {{"allowed_hosts", {"127.0.0.1"}}}}};
  std::ofstream(file) << env.dump(2);
  config::Environment loaded =
      config::load_environment(file.string(), config::process_variables(), redactor);
  fs::remove(file);
  return loaded;
}

std::map<std::string, core::CheckResult> by_id(const core::CollectingSink& sink) {
  std::map<std::string, core::CheckResult> checks;
  for (const auto& result : sink.results()) checks[result.id] = result;
  return checks;
}

TEST(SupabaseGatewayProbes, A429WithoutRetryAfterIsAWorkingRateLimit) {
  testing::TestHttpServer server;
  std::atomic<int> attempts{0};
  server.on("/auth/v1/signup", [&](const testing::TestRequest&) {
    testing::TestReply reply;
    reply.status = ++attempts > 4 ? 429 : 400;
    reply.headers = {{"Content-Type", "application/json"}};
    reply.body = reply.status == 429 ? R"({"code":"over_request_rate_limit","message":"slow down"})"
                                     : R"({"code":"weak_password","message":"too short"})";
    return reply;
  });
  core::Redactor redactor;
  const config::Environment env = env_for(server, redactor);
  HttpSecuritySettings settings = read_http_security_settings(env);
  settings.max_requests_before_429 = 8;
  settings.burst = 12;
  settings.rate_limit_endpoints = {default_rate_limit_endpoints(env).front()};
  const ProbeClient client(env, std::chrono::seconds(5));
  core::CollectingSink sink;
  run_rate_limit_probe(client, settings, sink);
  const auto checks = by_id(sink);
  ASSERT_TRUE(checks.count("security.ratelimit.signup"));
  const core::CheckResult& signup = checks.at("security.ratelimit.signup");
  EXPECT_EQ(signup.status, core::CheckStatus::kPass) << signup.message;
  EXPECT_NE(signup.message.find("no Retry-After"), std::string::npos) << signup.message;
}

TEST(SupabaseGatewayProbes, AWildcardOriginWithoutCredentialsPassesAnEchoWithCredentialsFails) {
  testing::TestHttpServer gateway;
  gateway.on("/", [](const testing::TestRequest&) {
    testing::TestReply reply;
    reply.headers = {{"Access-Control-Allow-Origin", "*"}, {"Content-Type", "application/json"}};
    reply.body = "{}";
    return reply;
  });
  core::Redactor redactor;
  {
    const config::Environment env = env_for(gateway, redactor);
    const ProbeClient client(env, std::chrono::seconds(5));
    core::CollectingSink sink;
    ScoreCard score;
    run_cors_probe(client, read_http_security_settings(env), sink, score);
    const auto checks = by_id(sink);
    ASSERT_TRUE(checks.count("security.cors.reflect_origin"));
    EXPECT_EQ(checks.at("security.cors.reflect_origin").status, core::CheckStatus::kPass)
        << checks.at("security.cors.reflect_origin").message;
    EXPECT_NE(checks.at("security.cors.reflect_origin").message.find("never carries credentials"),
              std::string::npos);
  }

  testing::TestHttpServer echoing;
  echoing.on("/", [](const testing::TestRequest& request) {
    testing::TestReply reply;
    reply.headers = {{"Access-Control-Allow-Origin", request_header(request, "origin")},
                     {"Access-Control-Allow-Credentials", "true"}};
    return reply;
  });
  const config::Environment env = env_for(echoing, redactor);
  const ProbeClient client(env, std::chrono::seconds(5));
  core::CollectingSink sink;
  ScoreCard score;
  run_cors_probe(client, read_http_security_settings(env), sink, score);
  const core::CheckResult reflect = by_id(sink).at("security.cors.reflect_origin");
  EXPECT_EQ(reflect.status, core::CheckStatus::kFail);
  EXPECT_NE(reflect.message.find("127.0.0.1:" + std::to_string(echoing.port())), std::string::npos)
      << reflect.message;
}

}  // namespace
}  // namespace golive::security
