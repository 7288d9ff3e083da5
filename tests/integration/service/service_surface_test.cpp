// What every response of the reference service carries (security headers,
// CORS by allowlist, request ids, no version banner) and the operational
// and public routes: /health, /version, /metrics, /terms, /privacy, /_golive/routes,
// 404/405 shapes, the body limit, and many concurrent connections.
#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "tests/support/service/service_process.hpp"
#include "tests/support/service/service_test_support.hpp"

namespace golive::testing {
namespace {

using SurfaceTest = ServiceCoreTest;

void expect_security_headers(const ServiceReply& reply, const std::string& what) {
  EXPECT_EQ(reply.header("content-security-policy").value_or("").find("default-src 'self'"), 0u)
      << what;
  EXPECT_NE(reply.header("content-security-policy").value_or("").find("frame-ancestors 'none'"),
            std::string::npos)
      << what;
  EXPECT_EQ(reply.header("strict-transport-security").value_or(""),
            "max-age=31536000; includeSubDomains")
      << what;
  EXPECT_EQ(reply.header("x-frame-options").value_or(""), "DENY") << what;
  EXPECT_EQ(reply.header("x-content-type-options").value_or(""), "nosniff") << what;
  EXPECT_EQ(reply.header("referrer-policy").value_or(""), "strict-origin-when-cross-origin")
      << what;
  EXPECT_TRUE(reply.header("permissions-policy")) << what;
  EXPECT_FALSE(reply.header("server")) << what;
  EXPECT_EQ(reply.header_count("x-frame-options"), 1u) << what;
}

TEST_F(SurfaceTest, EveryKindOfResponseCarriesTheSecurityHeaders) {
  expect_security_headers(http_get(url("/health")), "health 200");
  expect_security_headers(http_get(url("/terms")), "terms html");
  expect_security_headers(http_get(url("/nowhere")), "404");
  expect_security_headers(http_get(url("/auth/v1/user"), {"Authorization: Bearer x.y.z"}), "401");
  expect_security_headers(http_send_json("POST", url("/rest/v1/courses"), {{"title", "x"}}), "403");
  expect_security_headers(
      call_service(
          {"OPTIONS", url("/rest/v1/courses"), {"Origin: http://localhost:3000"}, "", 30000}),
      "preflight");
  expect_security_headers(call_service({"PUT", url("/health"), {}, "", 30000}), "405");
  EXPECT_TRUE(http_get(url("/health")).header("x-request-id"));
}

TEST_F(SurfaceTest, CorsAnswersOnlyTheAllowlistedOrigin) {
  const ServiceReply allowed = http_get(url("/rest/v1/plans"), {"Origin: http://localhost:3000"});
  EXPECT_EQ(allowed.header("access-control-allow-origin").value_or(""), "http://localhost:3000");
  EXPECT_EQ(allowed.header("access-control-allow-credentials").value_or(""), "true");
  EXPECT_NE(allowed.header("vary").value_or("").find("Origin"), std::string::npos);

  const ServiceReply evil = http_get(url("/rest/v1/plans"), {"Origin: https://evil.example"});
  EXPECT_EQ(evil.status, 200);
  EXPECT_FALSE(evil.header("access-control-allow-origin"));
  EXPECT_FALSE(evil.header("access-control-allow-credentials"));
  EXPECT_FALSE(
      http_get(url("/rest/v1/plans"), {"Origin: null"}).header("access-control-allow-origin"));

  const ServiceReply preflight =
      call_service({"OPTIONS",
                    url("/rest/v1/courses"),
                    {"Origin: http://localhost:3000", "Access-Control-Request-Method: PATCH",
                     "Access-Control-Request-Headers: authorization, content-type"},
                    "",
                    30000});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-origin").value_or(""), "http://localhost:3000");
  EXPECT_NE(preflight.header("access-control-allow-methods").value_or("").find("PATCH"),
            std::string::npos);
  EXPECT_NE(preflight.header("access-control-allow-headers").value_or("").find("authorization"),
            std::string::npos);

  const ServiceReply evil_preflight =
      call_service({"OPTIONS",
                    url("/rest/v1/courses"),
                    {"Origin: https://evil.example", "Access-Control-Request-Method: DELETE"},
                    "",
                    30000});
  EXPECT_FALSE(evil_preflight.header("access-control-allow-origin"));
  EXPECT_FALSE(evil_preflight.header("access-control-allow-methods"));
}

TEST_F(SurfaceTest, CorsAllowlistComesFromTheCorsOriginFlag) {
  ServiceProcess service(
      env(), {"--cors-origin", "https://app.example", "--cors-origin", "https://admin.example"});
  for (const char* origin : {"https://app.example", "https://admin.example"}) {
    EXPECT_EQ(http_get(service.base_url() + "/health", {std::string("Origin: ") + origin})
                  .header("access-control-allow-origin")
                  .value_or(""),
              origin);
  }
  EXPECT_FALSE(http_get(service.base_url() + "/health", {"Origin: http://localhost:3000"})
                   .header("access-control-allow-origin"));
}

TEST_F(SurfaceTest, HealthPingsTheDatabase) {
  const ServiceReply reply = http_get(url("/health"));
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json()["status"], "ok");
  EXPECT_EQ(reply.json()["database"], "ok");
}

// The deployed release, read by golive run through release.version_url.
TEST_F(SurfaceTest, VersionNamesTheRelease) {
  const ServiceReply reply = http_get(url("/version"));
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json()["version"], "1.0.0");
  EXPECT_EQ(reply.json()["service"], "golive-reference-target");
}

TEST_F(SurfaceTest, MetricsArePrometheusTextWithRequestsLatencyAndAiJobs) {
  http_get(url("/terms"));
  http_get(url("/nowhere"));
  const ServiceReply reply = http_get(url("/metrics"));
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type").value_or("").rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string& text = reply.body;
  for (const char* expected :
       {"# TYPE golive_http_requests_total counter",
        "golive_http_requests_total{method=\"GET\",route=\"/terms\",status=\"200\"} ",
        "golive_http_requests_total{method=\"GET\",route=\"(unmatched)\",status=\"404\"} ",
        "# TYPE golive_http_request_duration_seconds histogram",
        "golive_http_request_duration_seconds_bucket{route=\"/terms\",le=\"+Inf\"} ",
        "golive_http_request_duration_seconds_count{route=\"/terms\"} ",
        "# TYPE golive_ai_jobs_active gauge", "golive_ai_jobs_active ",
        "# TYPE golive_ai_job_duration_seconds histogram",
        "golive_ai_job_duration_seconds_bucket{le=\"+Inf\"} ", "golive_http_requests_in_flight "}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
  }
  // Raw paths never become labels (bounded cardinality).
  EXPECT_EQ(text.find("/nowhere"), std::string::npos);
}

TEST_F(SurfaceTest, TermsAndPrivacyArePublicHtml) {
  for (const auto& [path, heading] :
       {std::pair{"/terms", "Terms of Service"}, std::pair{"/privacy", "Privacy Policy"}}) {
    const ServiceReply reply = http_get(url(path));
    EXPECT_EQ(reply.status, 200) << path;
    EXPECT_EQ(reply.header("content-type").value_or("").rfind("text/html", 0), 0u) << path;
    EXPECT_NE(reply.body.find(std::string("<h1>") + heading + "</h1>"), std::string::npos) << path;
  }
}

TEST_F(SurfaceTest, RouteListCoversEveryPrefixAndTable) {
  const nlohmann::json list = http_get(url("/_golive/routes")).json();
  std::set<std::string> routes;
  for (const auto& route : list["routes"])
    routes.insert(route["method"].get<std::string>() + " " + route["pattern"].get<std::string>());
  for (const char* expected :
       {"POST /auth/v1/signup", "POST /auth/v1/token", "GET /auth/v1/user", "POST /auth/v1/logout",
        "POST /auth/v1/admin/users", "DELETE /auth/v1/admin/users/{id}",
        "GET /rest/v1/{table}", "POST /rest/v1/{table}", "PATCH /rest/v1/{table}",
        "DELETE /rest/v1/{table}", "GET /health", "GET /version", "GET /metrics", "GET /terms",
        "GET /privacy"}) {
    EXPECT_EQ(routes.count(expected), 1u) << expected;
  }
  const bool has_functions = std::any_of(routes.begin(), routes.end(), [](const std::string& r) {
    return r.find("/functions/v1/") != std::string::npos;
  });
  EXPECT_TRUE(has_functions);
  const auto& tables = list["rest_tables"];
  EXPECT_NE(std::find(tables.begin(), tables.end(), "courses"), tables.end());
  EXPECT_NE(std::find(tables.begin(), tables.end(), "subscriptions"), tables.end());
}

TEST_F(SurfaceTest, UnknownRoutesAre404AndWrongMethods405WithAllow) {
  const ServiceReply missing = http_get(url("/rest/v2/courses"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json()["code"], "not_found");
  const ServiceReply wrong = call_service({"PUT", url("/rest/v1/courses"), {}, "{}", 30000});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_NE(wrong.header("allow").value_or("").find("PATCH"), std::string::npos);
}

TEST_F(SurfaceTest, BodiesAboveTheServerLimitAre413) {
  const std::string huge(13 * 1024 * 1024, 'a');
  const ServiceReply reply = call_service(
      {"POST", url("/rest/v1/courses"), {"Content-Type: application/json"}, huge, 60000});
  EXPECT_EQ(reply.status, 413) << reply.transport_error;
  EXPECT_EQ(http_get(url("/health")).status, 200);  // and the service is fine
}

TEST_F(SurfaceTest, ExpectContinueUploadsAreAnswered) {
  const std::string body = nlohmann::json{{"title", "x"}}.dump();
  const ServiceReply reply =
      call_service({"POST",
                    url("/rest/v1/courses"),
                    {"Content-Type: application/json", "Expect: 100-continue"},
                    body,
                    30000});
  EXPECT_EQ(reply.status, 401);      // anon may not insert (PostgREST: 401): the body was judged
  EXPECT_LT(reply.total_ms, 900.0);  // curl would wait 1 s without the 100 Continue
}

TEST_F(SurfaceTest, ManyConcurrentConnectionsAreAllAnswered) {
  constexpr int kClients = 200;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      if (http_get(url("/health")).status == 200) ok.fetch_add(1);
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(ok.load(), kClients);
}

}  // namespace
}  // namespace golive::testing
