// The `golive run` pipeline as a library, without the binary: the env stage
// against a local server writes a complete run directory through RunSession
// (run_start, checks, surface coverage, run_end, reports), and production is
// refused before the first request and before any run directory exists.
#include "run/run_pipeline.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

class RunPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("golive-pipeline-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "out");
  }
  void TearDown() override { fs::remove_all(dir_); }

  run::RunRequest request_for(bool production, nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json env = {{"name", "pipeline"},
                          {"production", production},
                          {"base_url", server_.url("")}};
    env.update(extra);
    std::ofstream(dir_ / "env.json") << env.dump();
    run::RunRequest request;
    request.common.env_file = (dir_ / "env.json").string();
    request.common.out_dir = (dir_ / "out").string();
    request.common.quiet = true;
    return request;
  }

  std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> out;
    for (const auto& entry : fs::directory_iterator(dir_ / "out")) {
      if (!entry.is_directory() || entry.is_symlink()) continue;
      std::ifstream in(entry.path() / "results.jsonl");
      for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }

  TestHttpServer server_;
  fs::path dir_;
};

TEST_F(RunPipelineTest, EnvStageWritesACompleteRunDirectory) {
  run::RunRequest request = request_for(false);
  request.suites = {"env"};
  EXPECT_EQ(run::run_pipeline(request), core::kExitPass);
  EXPECT_GE(server_.requests_received(), 1u);  // the reachability check, and the route list
  const auto all = records();
  ASSERT_GE(all.size(), 4u);
  EXPECT_EQ(all.front().value("record", ""), "run_start");
  EXPECT_EQ(all.front()["suites"], nlohmann::json::array({"env"}));
  EXPECT_EQ(all.back().value("record", ""), "run_end");
  EXPECT_EQ(all.back()["interrupted"], false);
  std::set<std::string> ids;
  bool coverage = false;
  for (const auto& record : all) {
    if (record.contains("id")) ids.insert(record["id"].get<std::string>());
    if (record.value("record", "") == "surface_coverage") {
      coverage = true;
      EXPECT_EQ(record["endpoints_exercised"], 1) << record.dump();  // GET / of the env stage
    }
  }
  EXPECT_TRUE(ids.count("env.valid"));
  EXPECT_TRUE(ids.count("env.target_reachable"));
  EXPECT_FALSE(ids.count("e2e.setup"));  // stages not selected do not run
  EXPECT_TRUE(coverage);
  bool rendered = false;
  for (const auto& entry : fs::directory_iterator(dir_ / "out")) {
    if (entry.is_directory() && !entry.is_symlink()) {
      rendered = fs::exists(entry.path() / "report.json") && fs::exists(entry.path() / "junit.xml");
    }
  }
  EXPECT_TRUE(rendered);
}

// A GO says for what: the release from release.version_url, the environment
// and its file's hash, in run_start (and so in every report); and a strict
// gate fails a run that leaves verifiable checklist items unverified (an env
// stage alone verifies almost nothing).
TEST_F(RunPipelineTest, RecordsTheReleaseAndAStrictGateFailsOnUnverifiedItems) {
  server_.on("/version", [](const TestRequest&) {
    return TestReply{200, {{"Content-Type", "application/json"}},
                     R"({"version": "2.3.4", "commit": "9f3c2e1"})"};
  });
  run::RunRequest request = request_for(false, {{"release", {{"version_url", "/version"}}}});
  request.suites = {"env"};
  EXPECT_EQ(run::run_pipeline(request), core::kExitPass);
  auto start = records().front();
  EXPECT_EQ(start["release"]["version"], "2.3.4 (commit 9f3c2e1)") << start.dump();
  EXPECT_EQ(start["release"]["source"], server_.url("/version"));
  EXPECT_EQ(start["environment"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(start["gate"]["strict"], false);
  bool identified = false;
  for (const auto& record : records()) {
    if (record.value("id", "") == "env.release_identified") {
      identified = record["status"] == "pass";
    }
  }
  EXPECT_TRUE(identified);

  fs::remove_all(dir_ / "out");
  fs::create_directories(dir_ / "out");
  request.strict = true;
  EXPECT_EQ(run::run_pipeline(request), core::kExitGateFailed);
  EXPECT_EQ(records().front()["gate"]["strict"], true);

  // The environment can ask for it too.
  fs::remove_all(dir_ / "out");
  fs::create_directories(dir_ / "out");
  request = request_for(false, {{"checklist", {{"strict", true}}}});
  request.suites = {"env"};
  EXPECT_EQ(run::run_pipeline(request), core::kExitGateFailed);
}

TEST_F(RunPipelineTest, AVersionUrlThatAnswersNoVersionFailsItsCheck) {
  server_.on("/version", [](const TestRequest&) { return TestReply{404, {}, "not found"}; });
  run::RunRequest request = request_for(false, {{"release", {{"version_url", "/version"}}}});
  request.suites = {"env"};
  EXPECT_EQ(run::run_pipeline(request), core::kExitGateFailed);
  bool failed = false;
  for (const auto& record : records()) {
    if (record.value("id", "") == "env.release_identified") {
      failed = record["status"] == "fail" &&
               record["message"].get<std::string>().find("HTTP 404") != std::string::npos;
    }
  }
  EXPECT_TRUE(failed);
  // --release names it without asking the target.
  fs::remove_all(dir_ / "out");
  fs::create_directories(dir_ / "out");
  request.release = "v1.0.0-rc1";
  EXPECT_EQ(run::run_pipeline(request), core::kExitPass);
  EXPECT_EQ(records().front()["release"]["version"], "v1.0.0-rc1");
  EXPECT_EQ(records().front()["release"]["source"], "--release");
}

TEST_F(RunPipelineTest, ProductionIsRefusedBeforeAnyRequestOrRunDirectory) {
  run::RunRequest request = request_for(true);
  request.suites = {"e2e"};
  EXPECT_THROW(run::run_pipeline(request), core::InputError);
  EXPECT_EQ(server_.requests_received(), 0u);
  EXPECT_TRUE(fs::is_empty(dir_ / "out"));
  request.suites = {"nope"};
  EXPECT_THROW(run::run_pipeline(request), core::InputError);
}

}  // namespace
}  // namespace golive::testing
