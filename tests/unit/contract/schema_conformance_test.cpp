// API schema conformance offline: the validator names the JSON pointer and
// keyword of each violation, the shipped catalogue compiles and matches the
// reference API's URLs, an OpenAPI 3 document's response schemas (with local
// $refs and nullable) are used instead, and the observer turns responses
// into one check per endpoint.
#include "contract/schema_conformance.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "contract/json_schema_validator.hpp"
#include "contract/response_schemas.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"

namespace golive::contract {
namespace {

namespace fs = std::filesystem;

const nlohmann::json kJobSchema = nlohmann::json::parse(R"({
  "type": "object",
  "required": ["id", "status"],
  "additionalProperties": false,
  "properties": {
    "id": {"type": "string", "pattern": "^[0-9a-f-]{36}$"},
    "status": {"enum": ["queued", "completed", "failed"]},
    "attempts": {"type": "integer", "minimum": 0},
    "result": {"type": "object", "properties": {"topics": {"type": "array", "items": {"type": "string"}}}}
  }
})");

constexpr const char* kUuid = "0b5a7c1e-1111-4222-8333-944455556666";

http::HttpResponse json_response(int status, const nlohmann::json& body) {
  http::HttpResponse response;
  response.status = status;
  response.headers = {{"content-type", "application/json"}};
  response.body = body.dump();
  return response;
}

config::Environment reference_like_env() {
  config::Environment env;
  env.base_url = "http://127.0.0.1:9";
  env.paths.auth = "/auth/v1";
  env.paths.rest = "/rest/v1";
  env.paths.functions = "/functions/v1";
  return env;
}

TEST(JsonSchemaValidator, AConformingDocumentHasNoViolations) {
  const JsonSchemaValidator schema(kJobSchema, "job");
  EXPECT_TRUE(schema.validate({{"id", kUuid}, {"status", "queued"}, {"attempts", 2}}).empty());
}

TEST(JsonSchemaValidator, EachViolationNamesItsPointerAndKeyword) {
  const JsonSchemaValidator schema(kJobSchema, "job");
  auto violations = schema.validate({{"id", 7}, {"status", "queued"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].pointer, "/id");
  EXPECT_EQ(violations[0].keyword, "type");

  violations = schema.validate({{"id", kUuid}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].pointer, "");
  EXPECT_EQ(violations[0].keyword, "required");
  EXPECT_NE(violations[0].message.find("status"), std::string::npos);

  violations = schema.validate({{"id", kUuid}, {"status", "lost"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].pointer, "/status");
  EXPECT_EQ(violations[0].keyword, "enum");

  violations = schema.validate({{"id", "x"}, {"status", "queued"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].keyword, "pattern");

  violations = schema.validate({{"id", kUuid}, {"status", "queued"}, {"secret", "x"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].pointer, "/secret");
  EXPECT_EQ(violations[0].keyword, "additionalProperties");

  // Deep inside an array: the leaf violation, not the container's summary.
  violations =
      schema.validate({{"id", kUuid}, {"status", "completed"}, {"result", {{"topics", {"a", 3}}}}});
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].pointer, "/result/topics/1");
  EXPECT_EQ(violations[0].keyword, "type");

  violations = schema.validate({{"id", kUuid}, {"status", "queued"}, {"attempts", -1}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].keyword, "minimum");
}

TEST(JsonSchemaValidator, AnUnusableSchemaIsRefusedWithItsOrigin) {
  try {
    JsonSchemaValidator schema(nlohmann::json::parse(R"({"$ref": "#/definitions/missing"})"),
                               "broken.json");
    FAIL() << "accepted an unresolvable $ref";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("broken.json"), std::string::npos);
  }
}

TEST(ResponseSchemas, TheShippedCatalogueCompilesAndMatchesReferenceUrls) {
  const auto schemas =
      ResponseSchemas::from_catalogue(default_schemas_dir(GOLIVE_SOURCE_DIR), reference_like_env());
  EXPECT_GE(schemas.endpoints().size(), 30u);
  const EndpointSchema* job = schemas.find("GET", "/functions/v1/jobs/" + std::string(kUuid), 200);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->name, "functions.job.get");
  EXPECT_NE(job->origin.find("function_job.json"), std::string::npos);
  const EndpointSchema* error = schemas.find("GET", "/functions/v1/jobs/x", 404);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(error->origin.find("error.json"), std::string::npos);
  EXPECT_EQ(schemas.find("GET", "/functions/v1/jobs/a/b", 200), nullptr);
  EXPECT_EQ(schemas.find("PATCH", "/rest/v1/courses", 200), nullptr);
  EXPECT_NE(schemas.find("get", "/rest/v1/topics", 206), nullptr);
  EXPECT_EQ(url_path("http://h:1/rest/v1/topics?select=id&limit=2"), "/rest/v1/topics");
}

fs::path write_openapi(const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("golive_openapi_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "openapi.json";
  std::ofstream(file) << text;
  return file;
}

const char* kOpenApi = R"({
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/functions/v1/jobs/{id}": {
      "get": {
        "operationId": "getJob",
        "responses": {
          "200": {"description": "job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/rest/v1/courses": {
      "get": {"responses": {"200": {"description": "rows", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Course"}}}}}}}
    }
  },
  "components": {"schemas": {
    "Job": {"type": "object", "required": ["id", "status"], "properties": {
      "id": {"type": "string"}, "status": {"type": "string", "enum": ["queued", "completed"]},
      "error": {"type": "object", "nullable": true}}},
    "Error": {"type": "object", "required": ["message"]},
    "Course": {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}}
  }}
})";

TEST(ResponseSchemas, AnOpenApiDocumentsResponseSchemasAreUsed) {
  const auto schemas = ResponseSchemas::from_openapi(write_openapi(kOpenApi).string());
  ASSERT_EQ(schemas.endpoints().size(), 3u);
  const EndpointSchema* job = schemas.find("GET", "/functions/v1/jobs/42", 200);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->name, "getJob");
  EXPECT_NE(job->origin.find("/paths/~1functions~1v1~1jobs~1{id}/get/responses/200"),
            std::string::npos)
      << job->origin;
  EXPECT_TRUE(
      job->validator->validate({{"id", "1"}, {"status", "queued"}, {"error", nullptr}}).empty());
  const auto violations = job->validator->validate({{"id", "1"}, {"status", "lost"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].pointer, "/status");
  EXPECT_EQ(violations[0].keyword, "enum");

  const EndpointSchema* fallback = schemas.find("GET", "/functions/v1/jobs/42", 404);
  ASSERT_NE(fallback, nullptr);
  EXPECT_EQ(fallback->status, "default");

  const EndpointSchema* courses = schemas.find("GET", "/rest/v1/courses", 200);
  ASSERT_NE(courses, nullptr);
  EXPECT_EQ(courses->name, "rest.v1.courses.get");
  const auto rows = courses->validator->validate(nlohmann::json::parse(R"([{"title": "a"}, {}])"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pointer, "/1");
  EXPECT_EQ(rows[0].keyword, "required");
}

TEST(ResponseSchemas, AnOpenApiDocumentWithABadRefIsAnInputErrorWithItsPointer) {
  std::string text = kOpenApi;
  text.replace(text.find("#/components/schemas/Job"), 24, "#/components/schemas/Nope");
  try {
    ResponseSchemas::from_openapi(write_openapi(text).string());
    FAIL() << "accepted an unresolvable $ref";
  } catch (const core::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("/responses/200/content"), std::string::npos)
        << error.what();
  }
}

TEST(SchemaConformance, OneCheckPerEndpointWithPointerAndKeywordOfEachViolation) {
  SchemaConformance conformance(ResponseSchemas::from_openapi(write_openapi(kOpenApi).string()),
                                "http://127.0.0.1:9");
  conformance.observe("GET", "http://127.0.0.1:9/functions/v1/jobs/1",
                      json_response(200, {{"id", "1"}, {"status", "queued"}}), "e2e.a.one");
  conformance.observe("GET", "http://127.0.0.1:9/functions/v1/jobs/2",
                      json_response(200, {{"id", 2}, {"status", "queued"}}), "e2e.a.two");
  conformance.observe("GET", "http://127.0.0.1:9/rest/v1/courses?select=title",
                      json_response(200, nlohmann::json::parse(R"([{"title": "x"}])")),
                      "e2e.b.list");
  conformance.observe("GET", "http://127.0.0.1:9/rest/v1/elsewhere",
                      json_response(200, nlohmann::json::array()), "e2e.b.other");
  EXPECT_EQ(conformance.validated(), 3u);
  EXPECT_EQ(conformance.unmatched(), 1u);

  core::CollectingSink sink;
  conformance.record_results(sink);
  const auto results = sink.results();
  ASSERT_EQ(results.size(), 2u);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : results) by_id[result.id] = result;
  const auto& job = by_id.at("contract.schema.getJob");
  EXPECT_EQ(job.status, core::CheckStatus::kFail);
  EXPECT_NE(job.message.find("/id violates \"type\""), std::string::npos) << job.message;
  EXPECT_NE(job.message.find("e2e.a.two"), std::string::npos) << job.message;
  EXPECT_EQ(job.evidence["violations"][0]["pointer"], "/id");
  EXPECT_EQ(job.evidence["violations"][0]["keyword"], "type");
  EXPECT_EQ(job.evidence["violations"][0]["found"], "integer");
  EXPECT_EQ(by_id.at("contract.schema.rest.v1.courses.get").status, core::CheckStatus::kPass);
}

TEST(SchemaConformance, ANonJsonBodyForADescribedEndpointIsAViolation) {
  SchemaConformance conformance(ResponseSchemas::from_openapi(write_openapi(kOpenApi).string()),
                                "http://127.0.0.1:9");
  http::HttpResponse html;
  html.status = 200;
  html.headers = {{"content-type", "text/html"}};
  html.body = "<html></html>";
  conformance.observe("GET", "http://127.0.0.1:9/functions/v1/jobs/1", html, "e2e.a.html");
  core::CollectingSink sink;
  conformance.record_results(sink);
  ASSERT_EQ(sink.results().size(), 1u);
  EXPECT_EQ(sink.results()[0].evidence["violations"][0]["keyword"], "content-type");
}

TEST(SchemaConformance, GoTruesCurrentErrorShapeConformsAndItsLegacyShapeIsNamed) {
  SchemaConformance conformance(
      ResponseSchemas::from_catalogue(default_schemas_dir(GOLIVE_SOURCE_DIR), reference_like_env()),
      "http://127.0.0.1:9");
  const std::string token_url = "http://127.0.0.1:9/auth/v1/token?grant_type=password";
  conformance.observe("POST", token_url,
                      json_response(400, {{"code", "invalid_credentials"},
                                          {"message", "Invalid login credentials"}}),
                      "e2e.a.current");
  conformance.observe("POST", token_url,
                      json_response(400, {{"code", 400},
                                          {"error_code", "invalid_credentials"},
                                          {"msg", "Invalid login credentials"}}),
                      "e2e.a.legacy");
  core::CollectingSink sink;
  conformance.record_results(sink);
  ASSERT_EQ(sink.results().size(), 1u);
  const core::CheckResult token = sink.results()[0];
  EXPECT_EQ(token.id, "contract.schema.auth.token.post");
  EXPECT_EQ(token.status, core::CheckStatus::kPass) << token.message;
  EXPECT_NE(token.message.find("1 error(s) in GoTrue's legacy shape"), std::string::npos)
      << token.message;
  EXPECT_EQ(token.evidence["legacy_gotrue_errors"], 1);

  // A body that is neither shape still violates the schema.
  SchemaConformance strict(
      ResponseSchemas::from_catalogue(default_schemas_dir(GOLIVE_SOURCE_DIR), reference_like_env()),
      "http://127.0.0.1:9");
  strict.observe("POST", token_url, json_response(400, {{"error", "nope"}}), "e2e.a.other");
  core::CollectingSink strict_sink;
  strict.record_results(strict_sink);
  ASSERT_EQ(strict_sink.results().size(), 1u);
  EXPECT_EQ(strict_sink.results()[0].status, core::CheckStatus::kFail);
}

}  // namespace
}  // namespace golive::contract
