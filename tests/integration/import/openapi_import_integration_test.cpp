// The OpenAPI importer through the golive binary, as a user runs it:
//   - the reference target's own document (fixtures/app-repo/docs/openapi.json)
//     imports whole (one step per operation, undeclared path parameters listed
//     "to fill"), and its operations an anonymous client may call run green
//     with `golive e2e` against the reference target in its default configuration;
//   - a Supabase-style document hand-written with response schemas
//     (tests/data/import/study_planner_rest.openapi.json) runs green with
//     every response checked against the document (contract.schema.*), and a
//     copy whose schema the target does not meet fails on that check.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/curl_reproduction.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

const std::string kReferenceDocument = std::string(GOLIVE_TEST_DATA) + "/../../fixtures/app-repo/docs/openapi.json";
const std::string kRestDocument = std::string(GOLIVE_TEST_DATA) + "/import/study_planner_rest.openapi.json";

ProcessOutcome golive(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {GOLIVE_BINARY};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return run_process(argv, {}, std::chrono::seconds(120));
}

fs::path work_dir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("golive_openapi_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "workflows");
  return dir;
}

// `golive e2e` against a fresh reference target in its default configuration
// (no seeded defect), as the HAR importer's test runs it.
ProcessOutcome run_e2e(const fs::path& dir) {
  const std::string env_file = shared_reference_env().write_env_file();
  return golive({"e2e", "--env", env_file, "--workflows-dir", (dir / "workflows").string(), "--out",
                 (dir / "out").string()});
}

TEST(OpenApiImportIntegration, ReferenceDocumentImportsWholeAndItsPublicOperationsRunGreen) {
  const fs::path dir = work_dir("reference");
  ProcessOutcome all = golive({"import", "openapi", kReferenceDocument, "--out", (dir / "all.json").string()});
  ASSERT_EQ(all.exit_code, 0) << all.stderr_text;
  // One step per operation the document declares, whatever it declares today.
  std::ifstream document_file(kReferenceDocument);
  const nlohmann::json document = nlohmann::json::parse(document_file);
  std::size_t operations = 0;
  for (const auto& [path, item] : document["paths"].items()) {
    for (const char* method : {"get", "put", "post", "delete", "options", "head", "patch", "trace"}) {
      operations += item.contains(method) ? 1 : 0;
    }
  }
  EXPECT_GE(operations, 52u);
  const std::string expected = std::to_string(operations) + " steps from " + std::to_string(operations) + " operations";
  EXPECT_NE(all.stdout_text.find(expected), std::string::npos) << expected << "\n" << all.stdout_text;
  EXPECT_NE(all.stdout_text.find("to fill"), std::string::npos) << all.stdout_text;
  EXPECT_NE(all.stdout_text.find("id: undeclared path parameter of GET /auth/v1/admin/users/{id}"), std::string::npos)
      << all.stdout_text;

  const std::string workflow = (dir / "workflows" / "reference_public.json").string();
  std::vector<std::string> arguments = {"import", "openapi", kReferenceDocument, "--only", "GET /health", "--only",
                                        "GET /version", "--only", "GET /auth/v1/health", "--only", "GET /rest/v1/{table}",
                                        "--only", "GET /terms", "--only", "GET /privacy", "--only", "GET /web/login",
                                        "--out", workflow};
  // The frontend's pages and assets, except Sentry's SDK and its init script:
  // the target serves those only when it has a Sentry DSN, and this one has none.
  for (const auto& [path, item] : document["paths"].items()) {
    if (path.rfind("/site", 0) == 0 && item.contains("get") && path.find("sentry") == std::string::npos) {
      arguments.insert(arguments.end(), {"--only", "GET " + path});
    }
  }
  ProcessOutcome imported = golive(arguments);
  ASSERT_EQ(imported.exit_code, 0) << imported.stderr_text;
  // The anonymous GETs: at least the 12 the document declared when this test was written.
  std::smatch counted;
  ASSERT_TRUE(std::regex_search(imported.stdout_text, counted, std::regex(R"((\d+) steps from (\d+) operations)")))
      << imported.stdout_text;
  EXPECT_EQ(counted[1], counted[2]) << imported.stdout_text;
  EXPECT_GE(std::stoi(counted[1]), 12) << imported.stdout_text;
  ProcessOutcome run = run_e2e(dir);
  EXPECT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
  EXPECT_NE(run.stdout_text.find("1/1 workflow runs passed, 0 steps failed"), std::string::npos) << run.stdout_text;
  for (const char* step : {"get_health", "get_rest_v1_table", "get_site_assets_site_css", "get_web_login"}) {
    EXPECT_NE(run.stdout_text.find(std::string("[pass] e2e.reference_public.") + step), std::string::npos)
        << step << "\n" << run.stdout_text;
  }
}

TEST(OpenApiImportIntegration, ResponsesAreCheckedAgainstTheDocumentsSchemas) {
  const fs::path dir = work_dir("rest");
  // The document's currentUser needs a user's bearer token: left out here.
  const std::vector<std::string> only = {"--only", "* /rest/*", "--only", "* /health", "--only", "* /version",
                                         "--only", "GET /auth/v1/health"};
  std::vector<std::string> arguments = {"import", "openapi", kRestDocument, "--out",
                                        (dir / "workflows" / "rest_smoke.json").string()};
  arguments.insert(arguments.end(), only.begin(), only.end());
  ProcessOutcome imported = golive(arguments);
  ASSERT_EQ(imported.exit_code, 0) << imported.stderr_text;
  EXPECT_NE(imported.stdout_text.find("4 steps with a JSON response schema"), std::string::npos)
      << imported.stdout_text;
  ProcessOutcome run = run_e2e(dir);
  EXPECT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
  for (const char* check : {"e2e.rest_smoke.list_courses", "contract.schema.listCourses", "contract.schema.authHealth",
                            "contract.schema.serviceHealth", "contract.schema.serviceVersion"}) {
    EXPECT_NE(run.stdout_text.find(std::string("[pass] ") + check), std::string::npos) << check << "\n"
                                                                                       << run.stdout_text;
  }

  // The same workflow against a copy whose /version schema wants a member
  // the target does not send: the step passes, the conformance check fails.
  const fs::path strict_dir = work_dir("rest_strict");
  nlohmann::json document = nlohmann::json::parse(std::ifstream(kRestDocument));
  auto& schema = document["paths"]["/version"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
  schema["required"].push_back("commit");
  // Written as YAML (JSON is YAML; the comment line makes golive read it as
  // such), so the conformance check reads a YAML document too.
  const fs::path strict = strict_dir / "strict.openapi.yaml";
  std::ofstream(strict) << "# the Supabase-style document, /version stricter\n" << document.dump(2);
  arguments = {"import", "openapi", strict.string(), "--out", (strict_dir / "workflows" / "rest_smoke.json").string()};
  arguments.insert(arguments.end(), only.begin(), only.end());
  ASSERT_EQ(golive(arguments).exit_code, 0);
  ProcessOutcome strict_run = run_e2e(strict_dir);
  EXPECT_EQ(strict_run.exit_code, 1) << strict_run.stdout_text;
  EXPECT_NE(strict_run.stdout_text.find("[pass] e2e.rest_smoke.service_version"), std::string::npos)
      << strict_run.stdout_text;
  EXPECT_NE(strict_run.stdout_text.find("[FAIL] contract.schema.serviceVersion"), std::string::npos)
      << strict_run.stdout_text;
  EXPECT_NE(strict_run.stdout_text.find("commit"), std::string::npos) << strict_run.stdout_text;
}

// A golive home whose e2e/workflows holds only the workflows in `workflows`
// (plus the shared common/ and data/ folders); everything else links to the
// source tree. `golive run` reads its workflows from the home.
fs::path home_with_workflows(const fs::path& dir) {
  const fs::path source = fs::canonical(fs::path(GOLIVE_TEST_DATA) / ".." / "..");
  const fs::path home = dir / "home";
  fs::create_directories(home / "e2e" / "workflows");
  for (const auto& entry : fs::directory_iterator(source)) {
    if (entry.path().filename() != "e2e") fs::create_symlink(entry.path(), home / entry.path().filename());
  }
  for (const auto& entry : fs::directory_iterator(source / "e2e")) {
    if (entry.path().filename() != "workflows") fs::create_symlink(entry.path(), home / "e2e" / entry.path().filename());
  }
  for (const char* shared : {"common", "data"}) {
    if (fs::exists(source / "e2e" / "workflows" / shared)) {
      fs::create_symlink(source / "e2e" / "workflows" / shared, home / "e2e" / "workflows" / shared);
    }
  }
  return home;
}

// `golive run`'s e2e stage checks a workflow that names an OpenAPI document
// against that document, as `golive e2e` does: contract.schema.<operationId>
// results, a failing one where the response breaks the (stricter) document.
TEST(OpenApiImportIntegration, GoliveRunChecksAWorkflowAgainstTheDocumentItNames) {
  const fs::path dir = work_dir("run_strict");
  const fs::path home = home_with_workflows(dir);
  nlohmann::json document = nlohmann::json::parse(std::ifstream(kRestDocument));
  auto& schema = document["paths"]["/version"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
  schema["required"].push_back("commit");
  const fs::path strict = dir / "strict.openapi.json";
  std::ofstream(strict) << document.dump(2);
  ASSERT_EQ(golive({"import", "openapi", strict.string(), "--out",
                    (home / "e2e" / "workflows" / "rest_smoke.json").string(), "--only", "* /rest/*", "--only",
                    "* /health", "--only", "* /version", "--only", "GET /auth/v1/health"})
                .exit_code,
            0);
  const std::string env_file = shared_reference_env().write_env_file();
  const ProcessOutcome run =
      run_process({GOLIVE_BINARY, "run", "--env", env_file, "--suite", "e2e", "--out", (dir / "out").string()},
                  {{"GOLIVE_HOME", home.string()}}, std::chrono::seconds(300));
  EXPECT_EQ(run.exit_code, 1) << run.stdout_text << run.stderr_text;
  std::map<std::string, nlohmann::json> checks;
  std::ifstream results(dir / "out" / "latest" / "results.jsonl");
  for (std::string line; std::getline(results, line);) {
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_object() && record.contains("id")) checks[record.value("id", "")] = record;
  }
  ASSERT_FALSE(checks.empty()) << run.stdout_text << run.stderr_text;
  for (const char* id : {"e2e.rest_smoke.service_version", "contract.schema.listCourses",
                         "contract.schema.serviceHealth"}) {
    ASSERT_TRUE(checks.count(id)) << id << "\n" << run.stdout_text;
    EXPECT_EQ(checks[id].value("status", ""), "pass") << checks[id].dump();
  }
  ASSERT_TRUE(checks.count("contract.schema.serviceVersion")) << run.stdout_text;
  EXPECT_EQ(checks["contract.schema.serviceVersion"].value("status", ""), "fail")
      << checks["contract.schema.serviceVersion"].dump();
  EXPECT_NE(checks["contract.schema.serviceVersion"].dump().find("commit"), std::string::npos);
  // The failing conformance check carries the step's request as curl.
  std::string problems;
  const auto curl = parse_curl_reproduction(checks["contract.schema.serviceVersion"]["evidence"], "GET",
                                            shared_reference_env().base_url() + "/version",
                                            reference_secret_values(shared_reference_env()), &problems);
  EXPECT_EQ(problems, "");
  ASSERT_TRUE(curl);
  EXPECT_EQ(curl->url, shared_reference_env().base_url() + "/version");
  EXPECT_FALSE(checks["contract.schema.serviceHealth"]["evidence"].contains("reproduction"));
}

TEST(OpenApiImportIntegration, MalformedDocumentExitsTwoNamingFileAndPointer) {
  const fs::path dir = work_dir("malformed");
  const fs::path bad = dir / "bad.openapi.json";
  std::ofstream(bad) << R"({"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": {"requestBody": {"$ref": "#/components/requestBodies/Missing"}, "responses": {"200": {"description": "ok"}}}}}})";
  ProcessOutcome run = golive({"import", "openapi", bad.string(), "--out", (dir / "workflows" / "bad.json").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.stderr_text.find(bad.string() + " at /paths/~1a/get/requestBody/$ref"), std::string::npos)
      << run.stderr_text;
  EXPECT_FALSE(fs::exists(dir / "workflows" / "bad.json"));
}

}  // namespace
}  // namespace golive::testing
