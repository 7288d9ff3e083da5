// The API reference check: path templates on both sides, routes without an
// operation, operations without an example, bad documents naming the file,
// and the embedded app repository (clean and openapi-missing-route) against
// the reference target's route list (tests/data/repo/reference_routes.json,
// captured from GET /_golive/routes of `scripts/reference-env up`, method
// and pattern of each route plus rest_tables: re-capture it when the
// reference target's routes change).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/input_error.hpp"
#include "repo/app_repo_fixture.hpp"
#include "repo/openapi_docs.hpp"

namespace golive::repo {
namespace {

class CollectingSink : public core::ResultSink {
 public:
  void record(const core::CheckResult& result) override { results.push_back(result); }
  std::vector<core::CheckResult> results;
};

std::vector<target::DeclaredEndpoint> reference_routes() {
  std::ifstream in(GOLIVE_SOURCE_DIR "/tests/data/repo/reference_routes.json");
  return target::endpoints_from_route_list(nlohmann::json::parse(in));
}

TEST(OpenApiDocs, TemplatesMatchIgnoringQueriesAndParameterNames) {
  EXPECT_TRUE(templates_match("/rest/v1/courses?id=eq.X", "/rest/v1/courses"));
  EXPECT_TRUE(templates_match("/rest/v1/{table}", "/rest/v1/courses?id=eq.X"));
  EXPECT_TRUE(templates_match("/functions/v1/jobs/{id}", "/functions/v1/jobs/{jobId}"));
  EXPECT_TRUE(templates_match("/functions/v1/jobs/{id}", "/functions/v1/jobs/42"));
  EXPECT_FALSE(templates_match("/functions/v1/jobs/{id}", "/functions/v1/jobs"));
  EXPECT_FALSE(templates_match("/rest/v1/courses", "/rest/v1/topics"));
  EXPECT_FALSE(templates_match("/rest/v1/{table}", "/rest/v1/rpc/{function}"));
  EXPECT_TRUE(templates_match("/storage/v1/object/{bucket}/{name}", "/storage/v1/object/{bucket}/{*name}"));
  EXPECT_FALSE(templates_match("/storage/v1/object/{bucket}/{name}", "/storage/v1/object/public/{bucket}/{*name}"));
  EXPECT_FALSE(templates_match("/storage/v1/object/{bucket}", "/storage/v1/object/{bucket}/{*name}"));
}

TEST(OpenApiDocs, NamesMissingRoutesAndOperationsWithoutExamples) {
  const nlohmann::json document = nlohmann::json::parse(R"({
    "openapi": "3.0.3", "servers": [{"url": "https://api.example.com/rest/v1"}],
    "paths": {
      "/courses": {"get": {"responses": {"200": {"content": {"application/json": {"example": [{"id": 1}]}}}}},
                   "post": {"requestBody": {"content": {"application/json": {"examples": {"a": {"value": {}}}}}},
                            "responses": {"201": {"description": "created"}}},
                   "delete": {"responses": {"204": {"description": "gone"}}}}
    }})");
  const std::vector<target::DeclaredEndpoint> declared = {
      {"GET", "/rest/v1/courses?id=eq.X"}, {"POST", "/rest/v1/courses"}, {"PATCH", "/rest/v1/courses"}};
  const OpenApiCoverage coverage = compare_openapi(document, declared);
  EXPECT_EQ(coverage.operations, 3u);
  EXPECT_EQ(coverage.missing_routes, std::vector<std::string>({"PATCH /rest/v1/courses"}));
  EXPECT_EQ(coverage.without_examples, std::vector<std::string>({"DELETE /courses"}));
}

TEST(OpenApiDocs, ReadsYamlAndRejectsWhatIsNotOpenApi3NamingTheFile) {
  const nlohmann::json yaml = parse_openapi("docs/openapi.yaml",
                                            "openapi: 3.1.0\npaths:\n  /health:\n    get:\n      responses:\n"
                                            "        '200':\n          content:\n            application/json:\n"
                                            "              example: {status: ok}\n");
  const OpenApiCoverage coverage = compare_openapi(yaml, {{"GET", "/health"}});
  EXPECT_TRUE(coverage.missing_routes.empty());
  EXPECT_TRUE(coverage.without_examples.empty());
  for (const std::string text : {"{\"openapi\": \"3.0.0\", \"paths\": ", "swagger: '2.0'\npaths: {}\n",
                                 "openapi: 3.0.0\npaths: [unclosed\n", "openapi: 3.0.0\n"}) {
    try {
      parse_openapi("docs/openapi.json", text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.file(), "docs/openapi.json");
    }
  }
}

core::CheckResult check_embedded(const std::vector<std::string>& variants,
                                 const std::vector<target::DeclaredEndpoint>& declared) {
  ScratchAppRepo scratch(default_app_repo_sources(GOLIVE_SOURCE_DIR), variants);
  RepoSettings settings = settings_for_path(scratch.path());
  settings.declared_endpoints = declared;
  settings.declared_source = "tests/data/repo/reference_routes.json";
  CollectingSink sink;
  check_openapi_docs(settings, sink);
  EXPECT_EQ(sink.results.size(), 1u);
  return sink.results.at(0);
}

TEST(OpenApiDocs, TheEmbeddedDocumentCoversTheReferenceRoutes) {
  const core::CheckResult clean = check_embedded({}, reference_routes());
  EXPECT_EQ(clean.status, core::CheckStatus::kPass) << clean.message;
  EXPECT_EQ(clean.evidence["declared_routes"], reference_routes().size());

  const core::CheckResult broken = check_embedded({"openapi-missing-route"}, reference_routes());
  EXPECT_EQ(broken.status, core::CheckStatus::kFail);
  EXPECT_EQ(broken.evidence["missing_routes"], nlohmann::json::array({"GET /functions/v1/jobs/{id}"}));
  EXPECT_NE(broken.message.find("docs/openapi.json"), std::string::npos) << broken.message;
}

TEST(OpenApiDocs, SkipsWithoutTheDeclaredRoutesAndErrorsOnABadDocument) {
  EXPECT_EQ(check_embedded({}, {}).status, core::CheckStatus::kSkip);

  ScratchAppRepo scratch(default_app_repo_sources(GOLIVE_SOURCE_DIR), {});
  std::ofstream(scratch.path() + "/docs/openapi.json", std::ios::trunc) << "{\"openapi\": \"3.0.3\", \"paths\": {";
  RepoSettings settings = settings_for_path(scratch.path());
  settings.declared_endpoints = reference_routes();
  CollectingSink sink;
  check_openapi_docs(settings, sink);
  ASSERT_EQ(sink.results.size(), 1u);
  EXPECT_EQ(sink.results[0].status, core::CheckStatus::kError);
  EXPECT_NE(sink.results[0].message.find("docs/openapi.json"), std::string::npos) << sink.results[0].message;
}

}  // namespace
}  // namespace golive::repo
