// Surface coverage of API endpoints: declared endpoints from the reference
// target's route list and from OpenAPI, pattern matching, and which
// declared endpoints a set of recorded requests exercised.
#include "target/endpoint_surface.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "http/observing_client.hpp"
#include "tests/support/fake_http_client.hpp"

namespace golive::core {
namespace {

std::vector<std::string> names(const std::vector<target::DeclaredEndpoint>& endpoints) {
  std::vector<std::string> out;
  for (const auto& endpoint : endpoints) out.push_back(endpoint.name());
  return out;
}

TEST(EndpointSurface, RouteListExpandsRestTablesAndSkipsInternalRoutes) {
  const auto body = nlohmann::json::parse(R"({
    "routes": [{"method": "GET", "pattern": "/health"},
               {"method": "GET", "pattern": "/rest/v1/{table}"},
               {"method": "post", "pattern": "/rest/v1/{table}"},
               {"method": "GET", "pattern": "/functions/v1/jobs/{id}"},
               {"method": "GET", "pattern": "/_golive/routes"},
               {"method": "POST", "pattern": "/_mock/ai/v1/extract"}],
    "rest_tables": ["courses", "topics"]})");
  EXPECT_EQ(names(target::endpoints_from_route_list(body)),
            (std::vector<std::string>{"GET /health", "GET /rest/v1/courses", "GET /rest/v1/topics",
                                      "POST /rest/v1/courses", "POST /rest/v1/topics",
                                      "GET /functions/v1/jobs/{id}"}));
  EXPECT_THROW(target::endpoints_from_route_list(nlohmann::json::parse(R"({"status":"ok"})")),
               std::invalid_argument);
  EXPECT_THROW(target::endpoints_from_route_list(nlohmann::json::parse(R"({"routes":[{"method":1}]})")),
               std::invalid_argument);
}

TEST(EndpointSurface, OpenApiPathsUnderTheServerPrefix) {
  const auto document = nlohmann::json::parse(R"({
    "openapi": "3.0.0", "servers": [{"url": "https://api.example.com/rest/v1/"}],
    "paths": {"/courses": {"get": {}, "post": {}, "parameters": []},
              "/courses/{id}": {"delete": {}}}})");
  auto declared = names(target::endpoints_from_openapi(document));
  std::sort(declared.begin(), declared.end());
  EXPECT_EQ(declared, (std::vector<std::string>{"DELETE /rest/v1/courses/{id}", "GET /rest/v1/courses",
                                                "POST /rest/v1/courses"}));
  EXPECT_THROW(target::endpoints_from_openapi(nlohmann::json::object()), std::invalid_argument);
}

TEST(EndpointSurface, PatternsMatchSegmentBySegment) {
  EXPECT_TRUE(target::path_matches("/functions/v1/jobs/{id}", "/functions/v1/jobs/42"));
  EXPECT_FALSE(target::path_matches("/functions/v1/jobs/{id}", "/functions/v1/jobs"));
  EXPECT_FALSE(target::path_matches("/functions/v1/jobs/{id}", "/functions/v1/jobs/42/x"));
  EXPECT_TRUE(target::path_matches("/storage/v1/object/{bucket}/{*name}", "/storage/v1/object/up/a/b.txt"));
  EXPECT_FALSE(target::path_matches("/storage/v1/object/{bucket}/{*name}", "/storage/v1/object/up"));
  EXPECT_TRUE(target::path_matches("/", "/"));
  EXPECT_FALSE(target::path_matches("/health", "/healthz"));
}

TEST(EndpointSurface, ExercisedCountsOnlyDeclaredEndpointsOnTheTarget) {
  const std::vector<target::DeclaredEndpoint> declared = {
      {"GET", "/rest/v1/courses"},          {"GET", "/functions/v1/jobs/{id}"},
      {"GET", "/functions/v1/jobs/latest"}, {"POST", "/auth/v1/signup"},
      {"GET", "/health"}};
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"GET", "http://127.0.0.1:9000/rest/v1/courses?select=*"},
      {"GET", "http://127.0.0.1:9000/functions/v1/jobs/latest"},  // the literal route, not {id}
      {"get", "http://127.0.0.1:9000/auth/v1/signup"},            // wrong method for signup
      {"GET", "http://127.0.0.1:9000/nothing/here"},
      {"GET", "http://127.0.0.1:90000/health"},                   // another port: not the target
      {"GET", "http://other.example.com/health"}};
  EXPECT_EQ(target::exercised_endpoints(declared, requests, "http://127.0.0.1:9000"),
            (std::vector<std::string>{"GET /functions/v1/jobs/latest", "GET /rest/v1/courses"}));
}

TEST(RequestLog, RecordsDistinctRequestsWithoutQueries) {
  http::RequestLog log;
  log.on_request("GET", "http://h/a?x=1");
  log.on_request("GET", "http://h/a?x=2");
  log.on_request("POST", "http://h/a#frag");
  EXPECT_EQ(log.requests(),
            (std::vector<std::pair<std::string, std::string>>{{"GET", "http://h/a"}, {"POST", "http://h/a"}}));
  log.clear();
  EXPECT_TRUE(log.requests().empty());
}

}  // namespace
}  // namespace golive::core

namespace golive::testing {
namespace {

TEST(ObservingClient, TellsTheObserverOfEveryRequestAndForwardsIt) {
  boost::asio::io_context io;
  e2e::testing::FakeHttpClient inner(io, [](const http::HttpRequest&) {
    return e2e::testing::json_response(200, "{}");
  });
  http::RequestLog log;
  http::ObservingClient client(inner, &log);
  int answered = 0;
  http::HttpRequest request;
  request.method = "DELETE";
  request.url = "http://h/rest/v1/topics?id=eq.1";
  client.send(request, [&](http::HttpResponse&& response) { answered += response.status; });
  io.run();
  EXPECT_EQ(answered, 200);
  EXPECT_EQ(inner.sent, 1u);
  EXPECT_EQ(log.requests(),
            (std::vector<std::pair<std::string, std::string>>{{"DELETE", "http://h/rest/v1/topics"}}));

  http::ObservingClient unobserved(inner, nullptr);  // forwards only
  unobserved.send(request, [](http::HttpResponse&&) {});
  io.restart();
  io.run();
  EXPECT_EQ(inner.sent, 2u);
  EXPECT_EQ(log.requests().size(), 1u);
}

}  // namespace
}  // namespace golive::testing
