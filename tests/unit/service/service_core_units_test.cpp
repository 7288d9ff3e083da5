// Unit tests of the reference service's HTTP core pieces that need no
// database or socket: routing, request parsing, the PostgREST query parser,
// sanitising, rate limiting, SQLSTATE mapping, response headers, metrics text
// and the defect registry (kept in step with fixtures/DEFECTS.md).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fixtures/service/defect_registry.hpp"
#include "fixtures/service/pg_errors.hpp"
#include "fixtures/service/rate_limiter.hpp"
#include "fixtures/service/request_parsing.hpp"
#include "fixtures/service/request_router.hpp"
#include "fixtures/service/response_policy.hpp"
#include "fixtures/service/rest_query.hpp"
#include "fixtures/service/sanitize.hpp"
#include "fixtures/service/service_metrics.hpp"

namespace golive::reference {
namespace {

Handler named(const std::string& name) {
  return [name](ServiceContext&, const ServiceRequest&, const Identity&) {
    return ServiceResponse::json(200, {{"handler", name}});
  };
}

std::vector<std::string> segments(const std::string& path) {
  return *decoded_path_segments(path);
}

TEST(RequestRouter, MatchesLiteralsParamsAndRestPatterns) {
  RequestRouter router;
  router.add("GET", "/rest/v1/{table}", named("rest"));
  router.add("GET", "/storage/v1/object/{bucket}/{*path}", named("object"));
  router.add("POST", "/functions/v1/checkout", named("checkout"));
  router.add("POST", "/functions/v1/{name}", named("generic"));

  RouteMatch match = router.match("GET", segments("/rest/v1/courses"));
  ASSERT_EQ(match.outcome, RouteOutcome::kFound);
  EXPECT_EQ(match.pattern, "/rest/v1/{table}");
  EXPECT_EQ(match.params.at("table"), "courses");

  match = router.match("GET", segments("/storage/v1/object/uploads/u1/notes%2Fa%20b.pdf"));
  ASSERT_EQ(match.outcome, RouteOutcome::kFound);
  EXPECT_EQ(match.params.at("bucket"), "uploads");
  EXPECT_EQ(match.params.at("path"), "u1/notes/a b.pdf");
  EXPECT_EQ(router.match("GET", segments("/storage/v1/object/uploads")).outcome,
            RouteOutcome::kNotFound);

  // The literal wins over the capture whatever the registration order.
  EXPECT_EQ(router.match("POST", segments("/functions/v1/checkout")).pattern,
            "/functions/v1/checkout");
  EXPECT_EQ(router.match("POST", segments("/functions/v1/export")).pattern, "/functions/v1/{name}");

  match = router.match("DELETE", segments("/rest/v1/courses"));
  EXPECT_EQ(match.outcome, RouteOutcome::kMethodNotAllowed);
  EXPECT_EQ(match.allowed_methods, std::vector<std::string>{"GET"});
  EXPECT_TRUE(router.path_exists(segments("/rest/v1/topics")));
  EXPECT_FALSE(router.path_exists(segments("/rest/v2/topics")));
  EXPECT_EQ(router.match("GET", segments("/rest/v1/courses/extra")).outcome,
            RouteOutcome::kNotFound);
}

TEST(RequestRouter, RejectsDuplicateAndMalformedPatterns) {
  RequestRouter router;
  router.add("GET", "/a/{id}", named("a"));
  EXPECT_THROW(router.add("GET", "/a/{id}", named("again")), std::logic_error);
  EXPECT_THROW(router.add("GET", "/b/{*rest}/c", named("b")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/b/{}", named("b")), std::invalid_argument);
  EXPECT_EQ(router.routes().size(), 1u);
}

TEST(RequestParsing, DecodesPathsAndQueries) {
  EXPECT_EQ(percent_decode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_FALSE(percent_decode("bad%2", false));
  EXPECT_FALSE(percent_decode("bad%zz", false));
  const auto query = parse_query("select=id,title&title=eq.A%20B&title=neq.C&flag&x=%ZZ");
  EXPECT_EQ(query.count("title"), 2u);
  EXPECT_EQ(query.find("select")->second, "id,title");
  EXPECT_EQ(query.find("flag")->second, "");
  EXPECT_EQ(query.find("x")->second, "%ZZ");  // kept raw for the validator to refuse
  EXPECT_EQ(join_path(segments("//rest//v1/x/")), "/rest/v1/x");
  EXPECT_FALSE(decoded_path_segments("/a/%G0"));
  const SplitTarget target = split_target("/rest/v1/x?a=1?b");
  EXPECT_EQ(target.raw_path, "/rest/v1/x");
  EXPECT_EQ(target.query_string, "a=1?b");
}

TableCatalog test_catalog() {
  return TableCatalog::from_tables(
      {{"courses", {{"id", "uuid"}, {"user_id", "uuid"}, {"title", "text"}, {"syllabus", "text"}}},
       {"topics", {{"id", "uuid"}, {"course_id", "uuid"}, {"position", "integer"}}}});
}

TEST(RestQuery, ParsesSelectFiltersOrderAndPaging) {
  RestQueryError error;
  const auto query = parse_rest_query("courses",
                                      {{"select", "id, title"},
                                       {"title", "not.ilike.*alg*"},
                                       {"id", "in.(a,\"b,c\",d)"},
                                       {"syllabus", "is.null"},
                                       {"order", "title.desc.nullslast,id"},
                                       {"limit", "10"},
                                       {"offset", "20"}},
                                      test_catalog(), &error);
  ASSERT_TRUE(query) << error.message;
  EXPECT_EQ(query->select, (std::vector<std::string>{"id", "title"}));
  ASSERT_EQ(query->filters.size(), 3u);
  for (const RestFilter& filter : query->filters) {
    if (filter.column == "title") {
      EXPECT_EQ(filter.op, FilterOperator::kIlike);
      EXPECT_TRUE(filter.negated);
      EXPECT_EQ(filter.values, std::vector<std::string>{"*alg*"});
    } else if (filter.column == "id") {
      EXPECT_EQ(filter.op, FilterOperator::kIn);
      EXPECT_EQ(filter.values, (std::vector<std::string>{"a", "b,c", "d"}));
    } else {
      EXPECT_EQ(filter.op, FilterOperator::kIs);
    }
  }
  ASSERT_EQ(query->order.size(), 2u);
  EXPECT_TRUE(query->order[0].descending);
  EXPECT_EQ(query->order[0].nulls_first, false);
  EXPECT_FALSE(query->order[1].descending);
  EXPECT_EQ(query->limit, 10);
  EXPECT_EQ(query->offset, 20);
}

TEST(RestQuery, RejectsUnknownColumnsOperatorsAndValues) {
  RestQueryError error;
  const TableCatalog catalog = test_catalog();
  EXPECT_FALSE(parse_rest_query("courses", {{"select", "id,password"}}, catalog, &error));
  EXPECT_EQ(error.code, "42703");
  EXPECT_FALSE(parse_rest_query("courses", {{"title\"; drop", "eq.x"}}, catalog, &error));
  EXPECT_EQ(error.code, "42703");
  EXPECT_FALSE(parse_rest_query("courses", {{"title", "between.a"}}, catalog, &error));
  EXPECT_EQ(error.code, "PGRST100");
  EXPECT_FALSE(parse_rest_query("courses", {{"title", "eq"}}, catalog, &error));
  EXPECT_FALSE(parse_rest_query("courses", {{"syllabus", "is.maybe"}}, catalog, &error));
  EXPECT_FALSE(parse_rest_query("courses", {{"id", "in.(a,b"}}, catalog, &error));
  EXPECT_FALSE(parse_rest_query("courses", {{"order", "position.asc"}}, catalog, &error));
  EXPECT_FALSE(parse_rest_query("courses", {{"limit", "ten"}}, catalog, &error));
  EXPECT_FALSE(parse_rest_query("courses", {{"offset", "-1"}}, catalog, &error));
  // ?search= exists on courses only; elsewhere it is an (unknown) column.
  EXPECT_TRUE(parse_rest_query("courses", {{"search", "x"}}, catalog, &error));
  EXPECT_FALSE(parse_rest_query("topics", {{"search", "x"}}, catalog, &error));
}

TEST(RestQuery, ParsesRangeHeaders) {
  auto range = parse_range_header("0-9");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->offset, 0);
  EXPECT_EQ(range->limit, 10);
  range = parse_range_header("20-");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->offset, 20);
  EXPECT_FALSE(range->limit);
  EXPECT_FALSE(parse_range_header("9-0"));
  EXPECT_FALSE(parse_range_header("items"));
  EXPECT_FALSE(parse_range_header("-5"));
}

TEST(Sanitize, RemovesMarkupKeepsText) {
  EXPECT_EQ(sanitize_user_text("Week 1<script>alert(1)</script> intro"), "Week 1 intro");
  EXPECT_EQ(sanitize_user_text("<SCRIPT type=x>bad()</SCRIPT>ok"), "ok");
  EXPECT_EQ(sanitize_user_text("<img src=x onerror=alert(1)>pic"), "pic");
  EXPECT_EQ(sanitize_user_text("<a href=\"javascript:alert(1)\">link</a>"), "link");
  EXPECT_EQ(sanitize_user_text("<!-- <script>x</script> -->after"), "after");
  EXPECT_EQ(sanitize_user_text("a < b and c > d"), "a < b and c > d");
  EXPECT_EQ(sanitize_user_text(std::string("nul\0byte\x07", 10)), "nulbyte");
  EXPECT_EQ(sanitize_user_text("line1\nline2\ttab"), "line1\nline2\ttab");
  EXPECT_EQ(sanitize_user_text("<style>body{}</style><iframe src=x></iframe>text"), "text");
  EXPECT_EQ(sanitize_user_text("unterminated <script>alert(1)"), "unterminated ");
  EXPECT_EQ(html_escape("<a href='x'>\"&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
}

TEST(RateLimiter, SpendsAndRefillsPerKey) {
  RateLimiter limiter(6);  // 6 per minute: one every 10 s
  const auto start = RateLimiter::Clock::now();
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(limiter.take("ip/a", start).allowed) << i;
  const RateLimitDecision refused = limiter.take("ip/a", start);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_s, 10);
  EXPECT_TRUE(limiter.take("ip/b", start).allowed);  // keys are independent
  EXPECT_FALSE(limiter.take("ip/a", start + std::chrono::seconds(5)).allowed);
  EXPECT_TRUE(limiter.take("ip/a", start + std::chrono::seconds(11)).allowed);
  RateLimiter unlimited(0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.take("k").allowed);
}

TEST(PgErrors, MapsSqlStatesLikePostgrest) {
  EXPECT_EQ(http_status_for_sqlstate("42501"), 403);
  EXPECT_EQ(http_status_for_sqlstate("23505"), 409);
  EXPECT_EQ(http_status_for_sqlstate("23503"), 409);
  EXPECT_EQ(http_status_for_sqlstate("23502"), 400);
  EXPECT_EQ(http_status_for_sqlstate("22P02"), 400);
  EXPECT_EQ(http_status_for_sqlstate("42601"), 400);
  EXPECT_EQ(http_status_for_sqlstate("42P01"), 404);
  EXPECT_EQ(http_status_for_sqlstate("57014"), 504);
  EXPECT_EQ(http_status_for_sqlstate("XX000"), 500);
  EXPECT_EQ(primary_message("ERROR:  new row violates row-level security policy\nDETAIL: x"),
            "new row violates row-level security policy");
  // libpqxx 6.4 drops the SQLSTATE of some classes: the class answers.
  EXPECT_EQ(sqlstate_of(pqxx::insufficient_privilege("ERROR:  denied")), "42501");
  EXPECT_EQ(sqlstate_of(pqxx::unique_violation("ERROR:  dup")), "23505");
  EXPECT_EQ(sqlstate_of(pqxx::sql_error("ERROR:  x", "q", "22P02")), "22P02");
  const ServiceResponse response =
      response_for_sql_error(pqxx::insufficient_privilege("ERROR:  denied\n"));
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(nlohmann::json::parse(response.body)["message"], "denied");
}

TEST(ResponsePolicy, AddsHeadersAndCorsForAllowedOriginsOnly) {
  ServiceRequest request;
  request.headers["origin"] = "https://app.example";
  ResponsePolicy strict({{"https://app.example"}, true, false});
  ServiceResponse response;
  strict.decorate(response, request);
  const auto header = [&](const std::string& name) -> std::string {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  };
  EXPECT_EQ(header("Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(header("X-Frame-Options"), "DENY");
  request.headers["origin"] = "https://evil.example";
  response = {};
  strict.decorate(response, request);
  EXPECT_EQ(header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(header("Vary"), "Origin");
  ResponsePolicy open({{}, false, true});
  response = {};
  open.decorate(response, request);
  EXPECT_EQ(header("Access-Control-Allow-Origin"), "https://evil.example");
  EXPECT_EQ(header("X-Frame-Options"), "");
  EXPECT_EQ(open.preflight(request).status, 204);
}

TEST(ServiceMetrics, RendersCumulativeHistogramsAndCounters) {
  ServiceMetrics metrics;
  metrics.record_request("GET", "/health", 200, 0.0004);
  metrics.record_request("GET", "/health", 200, 0.02);
  metrics.record_request("GET", "/health", 503, 3.0);
  metrics.ai_job_started();
  metrics.ai_job_started();
  metrics.ai_job_finished(1500, true);
  const std::string text = metrics.render_prometheus();
  EXPECT_NE(
      text.find("golive_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 2\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("golive_http_requests_total{method=\"GET\",route=\"/health\",status=\"503\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("golive_http_request_duration_seconds_bucket{route=\"/health\",le=\"0.001\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("golive_http_request_duration_seconds_bucket{route=\"/health\",le=\"0.025\"} 2\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("golive_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 3\n"),
      std::string::npos);
  EXPECT_NE(text.find("golive_http_request_duration_seconds_count{route=\"/health\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("golive_ai_jobs_active 1\n"), std::string::npos);
  EXPECT_NE(text.find("golive_ai_job_duration_seconds_bucket{le=\"2.5\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("golive_ai_jobs_total{outcome=\"completed\"} 1\n"), std::string::npos);
}

TEST(DefectRegistry, ParsesAndValidatesSpecs) {
  std::string error;
  auto spec = parse_defect_spec("rls-disabled:topics", &error);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->name, "rls-disabled");
  EXPECT_EQ(spec->parameter, "topics");
  EXPECT_TRUE(parse_defect_spec("missing-index:courses.user_id", &error));
  EXPECT_FALSE(parse_defect_spec("rls-disabled", &error));
  EXPECT_FALSE(parse_defect_spec("rls-disabled:Topics", &error));
  EXPECT_FALSE(parse_defect_spec("rls-disabled:a;drop", &error));
  EXPECT_FALSE(parse_defect_spec("jwt-accept-none:x", &error));
  EXPECT_FALSE(parse_defect_spec("nope", &error));
  EXPECT_NE(error.find("unknown defect"), std::string::npos);

  DefectSet set({*parse_defect_spec("rls-disabled:topics", &error),
                 *parse_defect_spec("rls-disabled:courses", &error),
                 *parse_defect_spec("no-rate-limit", &error)});
  EXPECT_TRUE(set.enabled("no-rate-limit"));
  EXPECT_TRUE(set.enabled("rls-disabled"));
  EXPECT_TRUE(set.enabled("rls-disabled:courses"));
  EXPECT_FALSE(set.enabled("rls-disabled:plans"));
  EXPECT_FALSE(set.enabled("jwt-accept-none"));
  EXPECT_EQ(set.parameters("rls-disabled"), (std::vector<std::string>{"topics", "courses"}));
  EXPECT_EQ(set.parameters("rls-disabled:"), (std::vector<std::string>{"topics", "courses"}));
}

TEST(DefectRegistry, EveryDefectOfTheIssueIsKnownAndDocumented) {
  for (const char* name : {"rls-disabled",
                           "policy-always-true",
                           "update-without-check",
                           "subscription-self-write",
                           "inactive-plans-visible",
                           "missing-index",
                           "webhook-skip-signature",
                           "webhook-no-tolerance",
                           "webhook-not-idempotent",
                           "webhook-duplicate-race",
                           "webhook-order-unsafe",
                           "webhook-payment-failed-ignored",
                           "jwt-accept-none",
                           "jwt-ignore-expiry",
                           "sqli-search",
                           "xss-unsanitized",
                           "missing-security-headers",
                           "cors-reflect-any-origin",
                           "no-rate-limit",
                           "storage-public",
                           "signed-url-no-expiry",
                           "upload-no-limits",
                           "upload-type-only",
                           "quota-ui-only",
                           "ai-no-retry",
                           "ai-no-dedupe",
                           "token-double-redeem",
                           "csrf-not-checked",
                           "sentry-no-context",
                           "sentry-leaks-pii",
                           "metrics-missing-business",
                           "log-missing-payment-failed",
                           "request-id-ignored",
                           "sentry-payment-failed-unreported",
                           "cascade-incomplete",
                           "slow-under-load",
                           "errors-under-load",
                           "api-uses-service-role",
                           "single-instance",
                           "replica-absent",
                           "archiving-broken",
                           "backup-stale",
                           "cache-disabled",
                           "cache-no-ttl",
                           "static-no-cache",
                           "function-uses-service-role",
                           "legal-page-missing",
                           "analytics-before-consent",
                           "console-error",
                           "csp-violation",
                           "bundle-leaks-service-role",
                           "mockai-in-bundle",
                           "frontend-no-empty-state",
                           "frontend-slow-lcp",
                           "consent-banner-missing",
                           "consent-ignored-after-reject",
                           "frontend-signin-broken",
                           "frontend-no-pending-state",
                           "frontend-eager-calendar",
                           "frontend-no-rollback",
                           "frontend-icon-no-tooltip",
                           "frontend-portal-button-dead",
                           "frontend-sentry-missing"}) {
    EXPECT_NE(find_defect(name), nullptr) << name;
  }
  std::ifstream in(GOLIVE_SOURCE_DIR "/fixtures/DEFECTS.md");
  ASSERT_TRUE(in) << "fixtures/DEFECTS.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  for (const DefectInfo& info : defect_catalog()) {
    const std::string cell =
        "| `" + info.name + (info.parameter.empty() ? "" : ":<" + info.parameter + ">") + "` |";
    EXPECT_NE(text.str().find(cell), std::string::npos) << "DEFECTS.md has no row " << cell;
  }
}

}  // namespace
}  // namespace golive::reference
