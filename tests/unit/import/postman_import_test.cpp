// The Postman importer on a collection hand-written in the real v2.1 format
// (tests/data/import/study_planner.postman_collection.json) with a Postman
// environment: the golden workflow, tests turned into assertions and
// captures, the rest kept as text, secrets never literal, bad input by file
// and JSON pointer. GOLIVE_UPDATE_GOLDEN=1 rewrites the golden workflow.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"
#include "import/importer.hpp"

namespace golive::imports {
namespace {

const std::string kCollection = std::string(GOLIVE_TEST_DATA) + "/import/study_planner.postman_collection.json";
const std::string kEnvironment = std::string(GOLIVE_TEST_DATA) + "/import/reference.postman_environment.json";
const std::string kGolden = std::string(GOLIVE_TEST_DATA) + "/../golden/import/study_planner.json";

ImportResult import_collection() {
  ImportOptions options;
  options.postman_environment = kEnvironment;
  return import_input("postman", kCollection, options);
}

TEST(PostmanImport, CollectionMatchesTheGoldenWorkflow) {
  ImportResult result = import_collection();
  const std::string text = format_workflow(result.workflow);
  if (const char* update = std::getenv("GOLIVE_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(kGolden, std::ios::binary) << text;
  }
  std::ifstream in(kGolden, std::ios::binary);
  std::ostringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(text, golden.str()) << "(run with GOLIVE_UPDATE_GOLDEN=1 to accept the new output)";
}

TEST(PostmanImport, TestsBecomeAssertionsAndCapturesTheRestIsKept) {
  ImportResult result = import_collection();
  const auto& steps = result.workflow["steps"];
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps[0]["name"], "auth_sign_up");  // folder path + request name
  EXPECT_EQ(steps[0]["capture"][0], nlohmann::ordered_json({{"var", "user_id"}, {"json", "/user/id"}}));
  EXPECT_EQ(steps[1]["assert"][1], nlohmann::ordered_json({{"json", "/token_type"}, {"equals", "bearer"}}));
  EXPECT_EQ(steps[3]["assert"][0]["status"], nlohmann::ordered_json({200, 201}));
  EXPECT_EQ(steps[3]["headers"]["Authorization"], "Bearer {{access_token}}");
  EXPECT_EQ(steps[4]["assert"][1], nlohmann::ordered_json({{"json", ""}, {"length", 1}}));
  EXPECT_EQ(steps[0]["url"], "{{env.paths.auth}}/signup");  // {{baseUrl}} is env.base_url
  EXPECT_NE(steps[3]["description"].get<std::string>().find("responseTime"), std::string::npos);
  EXPECT_EQ(result.summary.not_converted.size(), 5u);
  // The Postman environment's anon key is a JWT with role anon: {{env.anon_key}}, never the value.
  EXPECT_EQ(result.workflow["variables"]["anon_key"], "{{env.anon_key}}");
  EXPECT_EQ(result.workflow["variables"]["captcha_token"], "");  // a credential with no environment to map it
  EXPECT_EQ(result.workflow["variables"]["email"], "{{random.email}}");
  EXPECT_EQ(format_workflow(result.workflow).find("eyJ"), std::string::npos);
}

TEST(PostmanImport, EnvironmentValuesMapToEnvFields) {
  ImportOptions options;
  options.postman_environment = kEnvironment;
  options.environment_secrets = {{"golive-captcha-ok", "{{env.auth.captcha_token}}"}};
  ImportResult result = import_input("postman", kCollection, options);
  EXPECT_EQ(result.workflow["variables"]["captcha_token"], "{{env.auth.captcha_token}}");
}

// `--out DIR/`: one workflow per top-level folder; Courses uses the token
// Auth captures, so it includes auth.json first. Golden files in
// tests/golden/import/study_planner_folders/.
TEST(PostmanImport, FoldersBecomeWorkflowsMatchingTheGoldens) {
  ImportOptions options;
  options.postman_environment = kEnvironment;
  const std::string dir = std::string(GOLIVE_TEST_DATA) + "/../golden/import/study_planner_folders";
  options.output_path = dir;
  auto folders = import_postman_folders(kCollection, options);
  ASSERT_EQ(folders.size(), 2u);
  EXPECT_EQ(folders[0].file, "auth.json");
  EXPECT_EQ(folders[1].file, "courses.json");
  EXPECT_EQ(folders[1].include, "auth.json");
  EXPECT_EQ(folders[1].result.workflow["steps"][0], nlohmann::ordered_json({{"name", "auth"}, {"include", "auth.json"}}));
  EXPECT_EQ(folders[0].result.workflow["steps"][0]["name"], "sign_up");  // no folder prefix
  EXPECT_FALSE(folders[1].result.workflow.contains("variables"));      // all come from auth.json
  for (const auto& folder : folders) {
    const std::string text = format_workflow(folder.result.workflow);
    const std::string golden_path = dir + "/" + folder.file;
    if (const char* update = std::getenv("GOLIVE_UPDATE_GOLDEN"); update && std::string(update) == "1") {
      std::ofstream(golden_path, std::ios::binary) << text;
    }
    std::ifstream in(golden_path, std::ios::binary);
    std::ostringstream golden;
    golden << in.rdbuf();
    EXPECT_EQ(text, golden.str()) << folder.file << " (run with GOLIVE_UPDATE_GOLDEN=1 to accept the new output)";
  }
}

// Collection auth applies where a folder or request sets none; a folder's
// auth and variables hold inside it; loose requests get their own workflow.
TEST(PostmanImport, FolderWorkflowsInheritCollectionAndFolderAuthAndVariables) {
  const std::string path = ::testing::TempDir() + "inherit.postman_collection.json";
  std::ofstream(path) << R"({
  "info": {"name": "Shop API", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-Api-Key"}, {"key": "value", "value": "{{api_key}}"}]},
  "variable": [{"key": "baseUrl", "value": "https://shop.example.com"}, {"key": "region", "value": "eu"}],
  "item": [
    {"name": "Ping", "request": {"method": "GET", "url": "{{baseUrl}}/ping"}},
    {"name": "Admin Area", "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{admin_token}}"}]},
     "variable": [{"key": "region", "value": "us"}],
     "item": [
       {"name": "Stats", "request": {"method": "GET", "url": "{{baseUrl}}/admin/stats?region={{region}}"}},
       {"name": "Public", "request": {"method": "GET", "url": "{{baseUrl}}/admin/public", "auth": {"type": "noauth"}}}
     ]},
    {"name": "Orders", "item": [
       {"name": "List", "request": {"method": "GET", "url": "{{baseUrl}}/orders?region={{region}}", "auth": {"type": "inherit"}}}
     ]}
  ]
})";
  ImportOptions options;
  options.output_path = ::testing::TempDir();
  auto folders = import_postman_folders(path, options);
  ASSERT_EQ(folders.size(), 3u);
  EXPECT_EQ(folders[0].file, "shop_api.json");  // the loose request, named after the collection
  EXPECT_EQ(folders[1].file, "admin_area.json");
  EXPECT_EQ(folders[2].file, "orders.json");
  const auto& ping = folders[0].result.workflow["steps"][0];
  EXPECT_EQ(ping["headers"]["X-Api-Key"], "{{api_key}}");
  const auto& admin = folders[1].result.workflow;
  EXPECT_EQ(admin["steps"][0]["headers"]["Authorization"], "Bearer {{admin_token}}");
  EXPECT_FALSE(admin["steps"][1].contains("headers"));  // noauth
  EXPECT_EQ(admin["variables"]["region"], "us");         // the folder's value
  EXPECT_EQ(admin["variables"]["admin_token"], "");      // a credential: never a literal
  const auto& orders = folders[2].result.workflow;
  EXPECT_EQ(orders["steps"][0]["headers"]["X-Api-Key"], "{{api_key}}");  // inherit: the collection's
  EXPECT_EQ(orders["variables"]["region"], "eu");
}

TEST(PostmanImport, MalformedCollectionsNameFileAndPointer) {
  auto expect_error = [](const std::string& name, const std::string& text, const std::string& location) {
    const std::string path = ::testing::TempDir() + name;
    std::ofstream(path) << text;
    try {
      import_input("postman", path, {});
      ADD_FAILURE() << name << " accepted";
    } catch (const core::InputError& error) {
      EXPECT_EQ(error.file(), path);
      EXPECT_EQ(error.location(), location) << error.what();
    }
  };
  const std::string info = R"("info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"})";
  expect_error("v1.json", R"({"info": {"name": "x"}, "item": []})", "/info");
  expect_error("no_item.json", "{" + info + "}", "/");
  expect_error("no_url.json", "{" + info + R"(, "item": [{"name": "a", "request": {"method": "GET"}}]})",
               "/item/0/request");
  expect_error("bad_mode.json",
               "{" + info + R"(, "item": [{"name": "f", "item": [{"name": "a", "request": {"method": "POST", "url": "http://x.test/", "body": {"mode": "graphql"}}}]}]})",
               "/item/0/item/0/request/body/mode");
  expect_error("header_number.json",
               "{" + info + R"(, "item": [{"name": "a", "request": {"method": "GET", "url": "http://x.test/", "header": [{"key": "A", "value": 1}]}}]})",
               "/item/0/request/header/0/value");
}

}  // namespace
}  // namespace golive::imports
