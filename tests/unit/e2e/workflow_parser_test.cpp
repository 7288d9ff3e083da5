#include "e2e/workflow_parser.hpp"

#include <gtest/gtest.h>

#include "core/input_error.hpp"
#include "e2e/dataset.hpp"
#include "tests/support/temp_workflow_dir.hpp"

namespace golive::e2e {
namespace {

using testing::TempWorkflowDir;

// Loads `content` as <dir>/<name> and expects an InputError naming `file`
// (defaults to the workflow itself) at `location`, with `problem` in it.
void expect_error(const std::string& content, const std::string& location,
                  const std::string& problem, const std::string& name = "flow.json") {
  TempWorkflowDir dir;
  std::string path = dir.write(name, content);
  try {
    load_workflow(path);
    FAIL() << "expected an InputError at " << location;
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), path) << e.what();
    EXPECT_EQ(e.location(), location) << e.what();
    EXPECT_NE(e.problem().find(problem), std::string::npos) << e.what();
  }
}

const char* kMinimalStep = R"({"name": "s", "url": "/x"})";

std::string flow_with_steps(const std::string& steps) {
  return R"({"description": "d", "steps": [)" + steps + "]}";
}

TEST(WorkflowParserTest, ParsesAFullWorkflow) {
  TempWorkflowDir dir;
  dir.write("common/signup.json", R"({
    "description": "creates a user",
    "variables": {"password": "pw-{{random.hex}}"},
    "steps": [{"name": "create", "method": "POST", "url": "{{env.paths.auth}}/signup",
               "body": {"email": "{{email}}", "password": "{{password}}"},
               "capture": [{"var": "user_id", "json": "/user/id"}],
               "assert": [{"status": [200, 201]}]}],
    "cleanup": [{"name": "delete", "method": "DELETE", "url": "/auth/v1/user",
                 "assert": [{"status": 204}]}]
  })");
  std::string path = dir.write("journey.json", R"J({
    "description": "a journey",
    "variables": {"email": "{{prefix}}-{{random.email}}", "prefix": "p"},
    "headers": {"apikey": "{{env.anon_key}}"},
    "steps": [
      {"name": "signup", "include": "common/signup.json"},
      {"name": "poll_me", "url": "/auth/v1/user", "headers": {"APIKEY": "override"},
       "query": {"select": "*", "id": "eq.{{user_id}}"},
       "poll": {"interval_ms": 10, "timeout_ms": 100}, "think_ms": 5, "timeout_ms": 2000,
       "assert": [{"json": "/id", "equals": "{{user_id}}"}, {"header": "x-a", "exists": true},
                  {"body_contains": "id"}, {"latency_ms_below": 500}, {"json": "/n", "equals": 3},
                  {"json": "/list", "length": 2}, {"json": "/id", "type": "string"}]},
      {"name": "hook", "method": "POST", "url": "{{env.stripe.webhook_url}}", "body": "raw {{user_id}}",
       "sign": {"stripe": true}, "capture": [{"var": "code", "status": true},
                                             {"var": "loc", "header": "Location"},
                                             {"var": "num", "regex": "n=(\\d+)"}]}
    ],
    "cleanup": [{"name": "logout", "method": "POST", "url": "/auth/v1/logout"}]
  })J");
  Workflow wf = load_workflow(path);
  EXPECT_EQ(wf.name, "journey");
  EXPECT_EQ(wf.description, "a journey");
  ASSERT_EQ(wf.steps.size(), 3u);
  EXPECT_EQ(wf.steps[0].name, "signup.create");
  EXPECT_EQ(wf.steps[0].source_file, dir.path() + "/common/signup.json");
  EXPECT_EQ(wf.steps[0].location, "/steps/0");
  EXPECT_TRUE(wf.steps[0].body_is_json);
  EXPECT_EQ(wf.steps[1].name, "poll_me");
  ASSERT_TRUE(wf.steps[1].poll.has_value());
  EXPECT_EQ(wf.steps[1].poll->interval.count(), 10);
  EXPECT_EQ(wf.steps[1].think.count(), 5);
  EXPECT_EQ(wf.steps[1].timeout.count(), 2000);
  EXPECT_EQ(wf.steps[1].assertions.size(), 7u);
  EXPECT_EQ(wf.steps[1].query.size(), 2u);
  // The step's own header replaces the default of the same name (any case).
  ASSERT_EQ(wf.steps[1].headers.size(), 1u);
  EXPECT_EQ(wf.steps[1].headers[0].first, "APIKEY");
  EXPECT_TRUE(wf.steps[2].sign_stripe);
  EXPECT_FALSE(wf.steps[2].body_is_json);
  EXPECT_EQ(wf.steps[2].captures.size(), 3u);
  EXPECT_EQ(wf.steps[2].captures[1].header, "location");
  // Parent cleanup first, then the included workflow's (it deletes the user last).
  ASSERT_EQ(wf.cleanup.size(), 2u);
  EXPECT_EQ(wf.cleanup[0].name, "logout");
  EXPECT_EQ(wf.cleanup[1].name, "signup.delete");
  // Variables in dependency order: prefix before email, whatever the file order.
  ASSERT_EQ(wf.variables.size(), 3u);
  auto position = [&](const std::string& name) {
    auto slot = *wf.symbols.find(name);
    for (std::size_t i = 0; i < wf.variables.size(); ++i) {
      if (wf.variables[i].slot == slot) return i;
    }
    return wf.variables.size();
  };
  EXPECT_LT(position("prefix"), position("email"));
}

TEST(WorkflowParserTest, MissingDescription) {
  expect_error(R"({"steps": [{"name": "s", "url": "/x"}]})", "/",
               "missing required key \"description\"");
}

TEST(WorkflowParserTest, UnknownTopLevelAndStepKeys) {
  expect_error(R"({"description": "d", "stepz": []})", "/stepz", "unknown key \"stepz\"");
  expect_error(flow_with_steps(R"({"name": "s", "url": "/x", "asert": []})"), "/steps/0/asert",
               "unknown key \"asert\"");
}

// "openapi": the document golive e2e checks responses against, relative to the file.
TEST(WorkflowParserTest, OpenApiDocumentIsResolvedAndMustExist) {
  TempWorkflowDir dir;
  dir.write("api/openapi.json", R"({"openapi": "3.0.3", "paths": {}})");
  const std::string path =
      dir.write("flow.json", R"({"description": "d", "openapi": "api/openapi.json", "steps": [{"name": "s", "url": "/x"}]})");
  EXPECT_EQ(load_workflow(path).openapi, dir.path() + "/api/openapi.json");
  expect_error(R"({"description": "d", "openapi": "missing.json", "steps": [{"name": "s", "url": "/x"}]})", "/openapi",
               "does not exist");
  expect_error(R"({"description": "d", "openapi": 3, "steps": [{"name": "s", "url": "/x"}]})", "/openapi", "string");
}

TEST(WorkflowParserTest, WrongTypes) {
  expect_error(flow_with_steps(R"({"name": "s", "url": 5})"), "/steps/0/url", "expected a string");
  expect_error(flow_with_steps(R"({"name": "s", "url": "/x", "method": "FETCH"})"),
               "/steps/0/method", "method must be one of");
  expect_error(flow_with_steps(R"({"name": "s", "url": "/x", "think_ms": -1})"),
               "/steps/0/think_ms", "zero or more");
  expect_error(flow_with_steps(R"({"name": "s", "url": "/x", "assert": [{"status": 42}]})"),
               "/steps/0/assert/0/status", "between 100 and 599");
  expect_error(flow_with_steps(R"({"name": "s", "url": "/x", "assert": {"status": 200}})"),
               "/steps/0/assert", "expected an array");
}

TEST(WorkflowParserTest, UnknownTemplateVariableNamesItsPointer) {
  expect_error(
      flow_with_steps(
          R"({"name": "s", "url": "/x", "headers": {"Authorization": "Bearer {{token}}"}})"),
      "/steps/0/headers/Authorization", "unknown variable \"token\"");
  expect_error(
      flow_with_steps(R"({"name": "s", "url": "/x", "body": {"user": {"email": "{{mail}}"}}})"),
      "/steps/0/body/user/email", "unknown variable \"mail\"");
  expect_error(flow_with_steps(R"({"name": "s", "url": "{{env.nope}}/x"})"), "/steps/0/url",
               "unknown variable \"env.nope\"");
}

TEST(WorkflowParserTest, VariableCapturedByALaterStepIsUnknownEarlier) {
  expect_error(flow_with_steps(R"({"name": "a", "url": "/x?t={{token}}"},
                                  {"name": "b", "url": "/y", "capture": [{"var": "token", "json": "/t"}]})"),
               "/steps/0/url", "unknown variable \"token\"");
}

TEST(WorkflowParserTest, AStepsAssertionsCannotUseItsOwnCaptures) {
  expect_error(
      flow_with_steps(R"({"name": "a", "url": "/x", "capture": [{"var": "t", "json": "/t"}],
                                   "assert": [{"body_contains": "{{t}}"}]})"),
      "/steps/0/assert/0/body_contains", "unknown variable \"t\"");
}

TEST(WorkflowParserTest, BadRegexAndPointer) {
  expect_error(
      flow_with_steps(R"({"name": "s", "url": "/x", "assert": [{"json": "/a", "matches": "(["}]})"),
      "/steps/0/assert/0/matches", "invalid regular expression");
  expect_error(
      flow_with_steps(R"({"name": "s", "url": "/x", "assert": [{"json": "a/b", "exists": true}]})"),
      "/steps/0/assert/0/json", "not a JSON pointer");
  expect_error(flow_with_steps(
                   R"({"name": "s", "url": "/x", "capture": [{"var": "v", "regex": "id=\\d+"}]})"),
               "/steps/0/capture/0/regex", "needs a group");
}

TEST(WorkflowParserTest, AssertionAndCaptureShapes) {
  expect_error(flow_with_steps(R"({"name": "s", "url": "/x", "assert": [{"json": "/a"}]})"),
               "/steps/0/assert/0", "exactly one of: equals, exists, matches, type, length");
  expect_error(
      flow_with_steps(R"({"name": "s", "url": "/x", "assert": [{"json": "/a", "type": "float"}]})"),
      "/steps/0/assert/0/type", "type must be one of");
  expect_error(flow_with_steps(R"({"name": "s", "url": "/x", "assert": [{"statuz": 200}]})"),
               "/steps/0/assert/0", "an assertion needs one of");
  expect_error(
      flow_with_steps(
          R"({"name": "s", "url": "/x", "capture": [{"var": "v", "json": "/a", "header": "h"}]})"),
      "/steps/0/capture/0", "exactly one of: json, header, regex, status");
  expect_error(
      flow_with_steps(R"({"name": "s", "url": "/x", "capture": [{"var": "uuid", "json": "/a"}]})"),
      "/steps/0/capture/0/var", "built-in");
}

TEST(WorkflowParserTest, PollNeedsAssertionsAndSaneTimes) {
  expect_error(flow_with_steps(
                   R"({"name": "s", "url": "/x", "poll": {"interval_ms": 10, "timeout_ms": 100}})"),
               "/steps/0/poll", "needs assertions");
  expect_error(flow_with_steps(R"({"name": "s", "url": "/x", "assert": [{"status": 200}],
                                   "poll": {"interval_ms": 500, "timeout_ms": 100}})"),
               "/steps/0/poll", "must not exceed");
}

TEST(WorkflowParserTest, StepNamesAreUniqueAcrossStepsAndCleanup) {
  expect_error(R"({"description": "d", "steps": [{"name": "s", "url": "/x"}],
                   "cleanup": [{"name": "s", "url": "/y"}]})",
               "/cleanup/0/name", "used twice");
  expect_error(flow_with_steps(R"({"name": "a b", "url": "/x"})"), "/steps/0/name",
               "not a valid step name");
}

TEST(WorkflowParserTest, InvalidJsonNamesLineAndColumn) {
  TempWorkflowDir dir;
  std::string path = dir.write("broken.json", "{\n  \"description\": \"d\",\n  \"steps\": [,]\n}");
  try {
    load_workflow(path);
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.location(), "line 3, column 13");
  }
}

TEST(WorkflowParserTest, ErrorsInAnIncludedFileNameThatFile) {
  TempWorkflowDir dir;
  std::string included =
      dir.write("common/sub.json",
                R"({"description": "sub", "steps": [{"name": "x", "url": "/x", "metod": "GET"}]})");
  std::string path = dir.write("main.json", flow_with_steps(R"({"include": "common/sub.json"})"));
  try {
    load_workflow(path);
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), included);
    EXPECT_EQ(e.location(), "/steps/0/metod");
  }
}

TEST(WorkflowParserTest, IncludeCycleAndMissingInclude) {
  TempWorkflowDir dir;
  dir.write("a.json", flow_with_steps(R"({"include": "b.json"})"));
  std::string b = dir.write("b.json", flow_with_steps(R"({"include": "a.json"})"));
  try {
    load_workflow(dir.path() + "/a.json");
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), b);
    EXPECT_EQ(e.location(), "/steps/0/include");
    EXPECT_NE(e.problem().find("include cycle"), std::string::npos);
  }
  expect_error(flow_with_steps(R"({"include": "nowhere.json"})"), "/steps/0/include",
               "does not exist");
}

TEST(WorkflowParserTest, VariableCyclesAndRuntimeReferencesAreRejected) {
  expect_error(
      R"({"description": "d", "variables": {"a": "{{b}}", "b": "{{a}}"}, "steps": [{"name": "s", "url": "/x"}]})",
      "/variables/a", "depends on itself");
  expect_error(
      R"({"description": "d", "variables": {"uuid": "x"}, "steps": [{"name": "s", "url": "/x"}]})",
      "/variables/uuid", "built-in");
}

TEST(WorkflowParserTest, DatasetsDeclareTheirColumns) {
  TempWorkflowDir dir;
  dir.write("rows.csv",
            "path,expected\n/terms,Terms of Service\n\"/privacy\",\"Privacy, \"\"policy\"\"\"\n");
  std::string path = dir.write("legal.json", R"({"description": "d", "dataset": "rows.csv",
      "steps": [{"name": "get", "url": "{{path}}", "assert": [{"body_contains": "{{expected}}"}]}]})");
  Workflow wf = load_workflow(path);
  ASSERT_TRUE(wf.dataset.has_value());
  EXPECT_EQ(wf.dataset->columns, (std::vector<std::string>{"path", "expected"}));
  ASSERT_EQ(wf.dataset->rows.size(), 2u);
  EXPECT_EQ(wf.dataset->rows[1][1], "Privacy, \"policy\"");
}

TEST(WorkflowParserTest, DatasetErrorsNameTheDatasetFile) {
  TempWorkflowDir dir;
  std::string rows = dir.write("rows.json", R"([{"a": "1", "b": 2}, {"a": "3"}])");
  std::string path = dir.write(
      "flow.json",
      R"({"description": "d", "dataset": "rows.json", "steps": [{"name": "s", "url": "/{{a}}"}]})");
  try {
    load_workflow(path);
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), rows);
    EXPECT_EQ(e.location(), "/1");
  }
  std::string csv = dir.write("bad.csv", "a,b\n1,2,3\n");
  EXPECT_THROW(load_dataset(csv), core::InputError);
  expect_error(
      R"({"description": "d", "dataset": "none.csv", "steps": [{"name": "s", "url": "/x"}]})",
      "/dataset", "does not exist");
}

TEST(WorkflowParserTest, CsvParserHandlesQuotesAndCrlf) {
  auto records = parse_csv("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\nlast,\n", "t.csv");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1][0], "x,1");
  EXPECT_EQ(records[1][1], "say \"hi\"");
  EXPECT_EQ(records[2], (std::vector<std::string>{"last", ""}));
  EXPECT_THROW(parse_csv("a\n\"open", "t.csv"), core::InputError);
}

TEST(WorkflowParserTest, ListsTopLevelWorkflowFilesOnly) {
  TempWorkflowDir dir;
  dir.write("b.json", flow_with_steps(kMinimalStep));
  dir.write("a.json", flow_with_steps(kMinimalStep));
  dir.write("common/c.json", flow_with_steps(kMinimalStep));
  dir.write("notes.txt", "x");
  auto files = list_workflow_files(dir.path());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], dir.path() + "/a.json");
  EXPECT_EQ(files[1], dir.path() + "/b.json");
}

}  // namespace
}  // namespace golive::e2e
