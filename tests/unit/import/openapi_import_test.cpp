// The OpenAPI 3 importer on a pet-store document hand-written in YAML
// (tests/data/import/petstore.openapi.yaml): the golden workflow, examples
// and schema-generated values, the lowest declared 2xx status, security as
// {{env.*}} references, --tag, and bad input by file and JSON pointer.
// GOLIVE_UPDATE_GOLDEN=1 rewrites the golden workflow.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"
#include "e2e/workflow_parser.hpp"
#include "import/importer.hpp"

namespace golive::imports {
namespace {

const std::string kDocument = std::string(GOLIVE_TEST_DATA) + "/import/petstore.openapi.yaml";
const std::string kGolden = std::string(GOLIVE_TEST_DATA) + "/../golden/import/petstore_smoke.json";

ImportResult import_document(const std::string& tag = "") {
  ImportOptions options;
  options.output_path = kGolden;  // the "openapi" member is relative to the workflow file
  options.openapi_tag = tag;
  return import_input("openapi", kDocument, options);
}

const nlohmann::ordered_json& step(const ImportResult& result, const std::string& name) {
  for (const auto& s : result.workflow["steps"]) {
    if (s["name"] == name) return s;
  }
  static const nlohmann::ordered_json none;
  ADD_FAILURE() << "no step " << name;
  return none;
}

TEST(OpenApiImport, DocumentMatchesTheGoldenWorkflow) {
  ImportResult result = import_document();
  const std::string text = format_workflow(result.workflow);
  if (const char* update = std::getenv("GOLIVE_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(kGolden, std::ios::binary) << text;
  }
  std::ifstream in(kGolden, std::ios::binary);
  std::ostringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(text, golden.str()) << "(run with GOLIVE_UPDATE_GOLDEN=1 to accept the new output)";
  // What was written parses, and names the document for schema conformance.
  auto workflow = e2e::parse_workflow(nlohmann::json::parse(text), kGolden);
  EXPECT_EQ(std::filesystem::path(workflow.openapi).filename(), "petstore.openapi.yaml");
  EXPECT_TRUE(std::filesystem::exists(workflow.openapi));
}

TEST(OpenApiImport, OneStepPerOperationWithExamplesAndGeneratedBodies) {
  ImportResult result = import_document();
  EXPECT_EQ(result.workflow["steps"].size(), 10u);
  // servers[0]'s path prefixes every URL, relative to env.base_url; the path
  // parameter takes the example of its $ref'd component.
  EXPECT_EQ(step(result, "show_pet_by_id")["url"], "/v1/pets/42");
  // Required query parameter from its schema default; the optional one is left out.
  EXPECT_EQ(step(result, "list_pets")["query"], nlohmann::ordered_json({{"limit", "20"}}));
  // A path parameter with no example becomes a variable to fill.
  EXPECT_EQ(step(result, "get_pet_photo")["url"], "/v1/pets/42/photos/{{photo_id}}");
  EXPECT_EQ(result.workflow["variables"]["photo_id"], "");
  ASSERT_EQ(result.summary.to_fill.size(), 1u);
  EXPECT_NE(result.summary.to_fill[0].find("GET /pets/{petId}/photos/{photoId}"), std::string::npos);
  // Body from the schema: required properties only, enum, minLength, formats.
  EXPECT_EQ(step(result, "create_pet")["body"],
            nlohmann::ordered_json::parse(
                R"({"name": "golive", "species": "dog", "owner": {"email": "{{random.email}}", "id": "{{uuid}}"}})"));
  EXPECT_EQ(step(result, "place_order")["body"],
            nlohmann::ordered_json::parse(
                R"({"petId": 1, "quantity": 1, "placedAt": "2026-01-01T00:00:00Z", "express": false})"));
  // Body from the first of "examples"; a form body from its schema.
  EXPECT_EQ(step(result, "update_user")["body"]["firstName"], "Ada");
  EXPECT_EQ(step(result, "update_user")["url"], "/v1/users/ada");
  EXPECT_EQ(step(result, "login_user")["form"]["password"], "golive-{{random.hex}}");
  // The lowest declared 2xx status; a 2xx list where only 2XX or default is declared.
  EXPECT_EQ(step(result, "create_pet")["assert"][0]["status"], 200);
  EXPECT_EQ(step(result, "delete_pet")["assert"][0]["status"], 204);
  EXPECT_EQ(step(result, "get_pet_photo")["assert"][0]["status"], nlohmann::ordered_json({200, 201, 202, 204}));
  EXPECT_EQ(result.summary.response_schemas, 4u);  // list, create (201 is not the lowest), show, order
}

TEST(OpenApiImport, SecuritySchemesBecomeEnvReferencesNeverLiterals) {
  ImportResult result = import_document();
  EXPECT_EQ(step(result, "show_pet_by_id")["headers"]["Authorization"], "Bearer {{env.anon_key}}");
  EXPECT_EQ(step(result, "place_order")["headers"]["X-Store-Key"], "{{env.anon_key}}");
  EXPECT_FALSE(step(result, "get_inventory").contains("headers"));  // security: [] overrides the document's
  EXPECT_FALSE(step(result, "partner_feed").contains("headers"));
  bool noted = false;
  for (const auto& line : result.summary.not_converted) {
    noted |= line.find("partner_feed: needs partnerOAuth (oauth2)") != std::string::npos;
  }
  EXPECT_TRUE(noted) << describe_summary(result.summary);
}

TEST(OpenApiImport, TagKeepsOnlyItsOperations) {
  ImportResult result = import_document("store");
  ASSERT_EQ(result.workflow["steps"].size(), 3u);
  EXPECT_EQ(result.workflow["steps"][0]["name"], "place_order");
  EXPECT_NE(result.workflow["description"].get<std::string>().find("3 of 10 operations"), std::string::npos);
  EXPECT_THROW(import_document("nonexistent"), core::InputError);
}

// OpenAPI 3.1 in YAML: an unquoted version, schema "examples" arrays, type
// lists and 3.0's boolean exclusiveMinimum.
TEST(OpenApiImport, ReadsThreeOneDetails) {
  const std::string path = ::testing::TempDir() + "three_one.yaml";
  std::ofstream(path) << R"(openapi: 3.1
info: {title: t, version: "1"}
paths:
  /items/{code}:
    post:
      operationId: addItem
      parameters:
        - {name: code, in: path, required: true, schema: {type: string, examples: [AB-1]}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [count, note, when]
              properties:
                count: {type: integer, minimum: 0, exclusiveMinimum: true}
                note: {type: [string, "null"]}
                when: {type: string, format: date}
      responses:
        "201": {description: created}
)";
  ImportResult result = import_input("openapi", path, {});
  const auto& step = result.workflow["steps"][0];
  EXPECT_EQ(step["url"], "/items/AB-1");
  EXPECT_EQ(step["body"], nlohmann::ordered_json::parse(R"({"count": 1, "note": "golive", "when": "2026-01-01"})"));
  EXPECT_EQ(step["assert"][0]["status"], 201);
}

TEST(OpenApiImport, MalformedDocumentsNameFileAndPointer) {
  auto expect_error = [](const std::string& name, const std::string& text, const std::string& location) {
    const std::string path = ::testing::TempDir() + name;
    std::ofstream(path) << text;
    try {
      import_input("openapi", path, {});
      ADD_FAILURE() << name << " accepted";
    } catch (const core::InputError& error) {
      EXPECT_EQ(error.file(), path);
      EXPECT_EQ(error.location(), location) << error.what();
    }
  };
  const std::string head = R"("openapi": "3.0.3", "info": {"title": "x", "version": "1"})";
  expect_error("swagger.json", R"({"swagger": "2.0", "paths": {}})", "/swagger");
  expect_error("v31x.json", R"({"openapi": "2.1", "paths": {}})", "/openapi");
  expect_error("no_paths.json", "{" + head + "}", "/");
  expect_error("bad_ref.json",
               "{" + head + R"(, "paths": {"/a": {"get": {"requestBody": {"$ref": "#/components/requestBodies/Nope"}, "responses": {"200": {"description": "ok"}}}}}})",
               "/paths/~1a/get/requestBody/$ref");
  expect_error("no_responses.json", "{" + head + R"(, "paths": {"/a": {"get": {}}}})", "/paths/~1a/get");
  expect_error("parameter_without_in.json",
               "{" + head + R"(, "paths": {"/a/{id}": {"get": {"parameters": [{"name": "id"}], "responses": {"200": {"description": "ok"}}}}}})",
               "/paths/~1a~1{id}/get/parameters/0");
  expect_error("unclosed_brace.json",
               "{" + head + R"(, "paths": {"/a/{id": {"get": {"responses": {"200": {"description": "ok"}}}}}})",
               "/paths/~1a~1{id");
  expect_error("unknown_scheme.json",
               "{" + head + R"(, "paths": {"/a": {"get": {"security": [{"nope": []}], "responses": {"200": {"description": "ok"}}}}}})",
               "/paths/~1a/get/security/0/nope");
  expect_error("bad_yaml.yaml", "openapi: 3.0.0\npaths:\n  /a: [unclosed\n", "line 4");
  expect_error("bad_json.json", "{\"openapi\": \"3.0.0\",", "line 1, column 21");
}

}  // namespace
}  // namespace golive::imports
