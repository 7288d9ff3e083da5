// `golive report render` and `golive report merge` end to end, with the real
// binary against a local test server:
//  - render reproduces byte for byte the reports `golive run` wrote, and
//    refuses directories without a result stream (exit 2);
//  - `golive run` records surface coverage from the target's route list;
//  - two real `golive load --shard 1/2` and `2/2` processes merge into one
//    run whose requests are the sum of the shards', with thresholds evaluated
//    on the whole (each shard alone fails `requests >= 60`, the merge passes).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/child_process.hpp"
#include "tests/support/test_http_server.hpp"

namespace fs = std::filesystem;

namespace {

const char* const kReportFiles[] = {"report.json", "junit.xml", "index.html", "checklist.md", "sla.md"};

std::string temp_dir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("golive_report_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string write_env(const std::string& dir, const std::string& base_url) {
  std::string path = dir + "/env.json";
  std::ofstream(path) << nlohmann::json{{"name", "test-target"}, {"base_url", base_url}}.dump();
  return path;
}

golive::testing::ProcessOutcome run_golive(const std::vector<std::string>& args) {
  std::vector<std::string> argv{GOLIVE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  // No step summary from the test runs, even under GitHub Actions.
  return golive::testing::run_process(argv, {{"GITHUB_STEP_SUMMARY", ""}}, std::chrono::seconds(120));
}

// A target that answers everything with 200 "ok" and declares three routes.
void serve_ok_with_routes(golive::testing::TestHttpServer& server) {
  server.on("/_golive/routes", [](const golive::testing::TestRequest&) {
    return golive::testing::TestReply{
        200, {{"Content-Type", "application/json"}},
        R"({"routes":[{"method":"GET","pattern":"/"},{"method":"GET","pattern":"/health"},)"
        R"({"method":"POST","pattern":"/auth/v1/signup"}],"rest_tables":[]})"};
  });
  server.on("/", [](const golive::testing::TestRequest&) {
    return golive::testing::TestReply{200, {}, "ok"};
  });
}

TEST(GoliveReportRender, ReproducesTheRunsReportsByteForByte) {
  golive::testing::TestHttpServer server;
  serve_ok_with_routes(server);
  const std::string dir = temp_dir("render");
  const std::string env = write_env(dir, server.url(""));
  auto run = run_golive({"run", "--env", env, "--suite", "env", "--out", dir + "/out"});
  ASSERT_EQ(run.exit_code, 0) << run.digest();
  const std::string run_dir = fs::read_symlink(dir + "/out/latest").string();
  const std::string latest = dir + "/out/latest";
  std::map<std::string, std::string> written;
  for (const char* file : kReportFiles) {
    written[file] = read_file(latest + "/" + file);
    ASSERT_FALSE(written[file].empty()) << file;
    fs::remove(latest + "/" + file);
  }

  auto render = run_golive({"report", "render", latest});
  EXPECT_EQ(render.exit_code, 0) << render.stdout_text << render.stderr_text;
  EXPECT_NE(render.stdout_text.find("verdict: GO"), std::string::npos) << render.stdout_text;
  for (const char* file : kReportFiles) {
    EXPECT_TRUE(read_file(latest + "/" + file) == written[file]) << file << " differs after re-rendering";
  }
  auto elsewhere = run_golive({"report", "render", latest, "--out", dir + "/again"});
  EXPECT_EQ(elsewhere.exit_code, 0) << elsewhere.stderr_text;
  for (const char* file : kReportFiles) {
    EXPECT_TRUE(read_file(dir + "/again/" + file) == written[file]) << file << " in --out DIR";
  }

  // Surface coverage from the route list: declared 3, exercised a subset.
  const auto report = nlohmann::json::parse(written["report.json"]);
  const auto& endpoints = report["surface_coverage"]["endpoints"];
  EXPECT_EQ(endpoints["declared"]["count"], 3) << report["surface_coverage"].dump();
  EXPECT_GE(endpoints["exercised"]["count"].get<int>(), 1) << report["surface_coverage"].dump();
  EXPECT_LE(endpoints["exercised"]["count"].get<int>(), 3);
  EXPECT_NE(written["index.html"].find("API endpoints exercised / declared"), std::string::npos);
}

TEST(GoliveReportRender, RefusesWhatIsNotARunDirectory) {
  const std::string dir = temp_dir("render_bad");
  auto missing = run_golive({"report", "render", dir + "/nope"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.stderr_text.find("not a directory"), std::string::npos) << missing.stderr_text;
  auto empty = run_golive({"report", "render", dir});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.stderr_text.find("no result stream"), std::string::npos) << empty.stderr_text;
  std::ofstream(dir + "/results.jsonl") << "{\"record\":\"run_start\"}\nnot json at all\n{\"id\":";
  auto malformed = run_golive({"report", "render", dir});
  EXPECT_EQ(malformed.exit_code, 2) << malformed.stdout_text;
  EXPECT_NE(malformed.stderr_text.find("results.jsonl"), std::string::npos) << malformed.stderr_text;
}

// `report render --waivers FILE`: the same run re-rendered with a waiver
// file; the waived failure no longer fails the gate, JUnit reports it as
// skipped with the reason; a malformed file is exit 2 naming it.
TEST(GoliveReportRender, AppliesAWaiverFileToTheRunsReports) {
  const std::string dir = temp_dir("render_waivers");
  {
    // A passing run (tests/data/results) whose env.reachable.base_url failed.
    std::istringstream lines(read_file(std::string(GOLIVE_TEST_DATA) + "/results/passing_run.jsonl"));
    std::ofstream out(dir + "/results.jsonl");
    std::string line;
    while (std::getline(lines, line)) {
      auto record = nlohmann::json::parse(line);
      if (record.value("id", "") == "env.reachable.base_url") {
        record["status"] = "fail";
        record["message"] = "GET /rest/v1/ answered 503";
      }
      out << record.dump() << "\n";
    }
  }
  auto plain = run_golive({"report", "render", dir, "--out", dir + "/plain"});
  EXPECT_EQ(plain.exit_code, 1) << plain.stdout_text << plain.stderr_text;
  EXPECT_NE(plain.stdout_text.find("verdict: NO-GO"), std::string::npos) << plain.stdout_text;

  std::ofstream(dir + "/waivers.json") << R"({"waivers": [{"check": "env.reachable.base_url",
      "reason": "the staging gateway is being replaced", "owner": "web@example.com",
      "expires": "2099-12-31"}]})";
  auto waived = run_golive({"report", "render", dir, "--waivers", dir + "/waivers.json", "--out", dir + "/waived"});
  EXPECT_EQ(waived.exit_code, 0) << waived.stdout_text << waived.stderr_text;
  EXPECT_NE(waived.stdout_text.find("waivers: 1 from"), std::string::npos) << waived.stdout_text;
  EXPECT_NE(waived.stdout_text.find("verdict: GO"), std::string::npos) << waived.stdout_text;
  const std::string junit = read_file(dir + "/waived/junit.xml");
  EXPECT_NE(junit.find("<skipped"), std::string::npos) << junit;
  EXPECT_NE(junit.find("the staging gateway is being replaced"), std::string::npos) << junit;
  EXPECT_NE(read_file(dir + "/waived/index.html").find("web@example.com"), std::string::npos);
  // The run directory's stream is untouched.
  EXPECT_EQ(read_file(dir + "/results.jsonl").find("web@example.com"), std::string::npos);

  std::ofstream(dir + "/bad.json") << R"({"waivers": [{"check": "x", "owner": "o", "expires": "soon"}]})";
  auto bad = run_golive({"report", "render", dir, "--waivers", dir + "/bad.json", "--out", dir + "/bad"});
  EXPECT_EQ(bad.exit_code, 2) << bad.stdout_text;
  EXPECT_NE(bad.stderr_text.find("bad.json"), std::string::npos) << bad.stderr_text;
}

std::uint64_t shard_requests(const std::string& shard_file) {
  const auto shard = nlohmann::json::parse(read_file(shard_file));
  for (const auto& scope : shard["stats"]["scenarios"][0]["scopes"]) {
    if (scope["scope"] == "scenario") return scope["requests"].get<std::uint64_t>();
  }
  return 0;
}

TEST(GoliveReportMerge, TwoShardProcessesMergeIntoOneVerdict) {
  golive::testing::TestHttpServer server;
  const std::string dir = temp_dir("merge");
  const std::string env = write_env(dir, server.url(""));
  const std::string profile = dir + "/profile.json";
  // 40 requests/s for 2 s in all: about 40 per shard, 80 together.
  std::ofstream(profile) << nlohmann::json{
      {"description", "report merge test: two shards of a constant rate"},
      {"scenarios",
       {{{"name", "ok"},
         {"executor", "constant_arrival_rate"},
         {"rate", 40},
         {"duration_s", 2},
         {"max_vus", 20},
         {"request", {{"method", "GET"}, {"url", "/ok"}}},
         {"thresholds", {"requests >= 60", "error_rate < 1%", "p(99) < 1000ms"}}}}}}.dump();

  auto shard = [&](const std::string& which, const std::string& out) {
    return run_golive({"load", profile, "--env", env, "--shard", which, "--shard-group", "t1",
                       "--threads", "1", "--out", out, "--quiet"});
  };
  auto first = std::async(std::launch::async, shard, "1/2", dir + "/s1");
  auto second = std::async(std::launch::async, shard, "2/2", dir + "/s2");
  const auto one = first.get();
  const auto two = second.get();
  EXPECT_EQ(one.exit_code, 1) << "one shard alone is short of 60 requests\n" << one.stderr_text;
  EXPECT_EQ(two.exit_code, 1) << two.stderr_text;
  const std::string file1 = dir + "/s1/latest/load-shard.json";
  const std::string file2 = dir + "/s2/latest/load-shard.json";
  ASSERT_TRUE(fs::exists(file1) && fs::exists(file2));
  const std::uint64_t requests = shard_requests(file1) + shard_requests(file2);
  EXPECT_GE(requests, 70u);
  EXPECT_LE(requests, 90u);
  EXPECT_EQ(server.requests_received(), requests);

  auto merge = run_golive({"report", "merge", file1, dir + "/s2/latest", "--out", dir + "/merged"});
  EXPECT_EQ(merge.exit_code, 0) << merge.stdout_text << merge.stderr_text;
  const auto report = nlohmann::json::parse(read_file(dir + "/merged/latest/report.json"));
  EXPECT_EQ(report["summary"]["verdict"], "pass") << report["summary"].dump();
  EXPECT_EQ(report["load"]["ok"]["requests"].get<std::uint64_t>(), requests);
  std::uint64_t histogram_total = 0;
  for (const auto& bar : report["load"]["ok"]["histogram"]) histogram_total += bar["count"].get<std::uint64_t>();
  EXPECT_EQ(histogram_total, requests) << "the merged histogram holds every sample";
  for (const char* file : kReportFiles) {
    EXPECT_TRUE(fs::exists(dir + "/merged/latest/" + std::string(file))) << file;
  }
  bool shards_check = false;
  for (const auto& check : report["checks"]) {
    if (check["id"] == "load.merge.shards") {
      shards_check = true;
      EXPECT_EQ(check["status"], "pass") << check.dump();
    }
  }
  EXPECT_TRUE(shards_check);

  // One shard of two: merged with a warning, and its thresholds fail.
  auto partial = run_golive({"report", "merge", file1, "--out", dir + "/partial"});
  EXPECT_EQ(partial.exit_code, 1) << partial.stdout_text << partial.stderr_text;
  EXPECT_NE(partial.stderr_text.find("shards 2 of 1..2 are missing"), std::string::npos)
      << partial.stderr_text;
  // The same shard twice, or a file that is not a shard: bad input.
  auto twice = run_golive({"report", "merge", file1, file1, "--out", dir + "/twice"});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.stderr_text.find("given twice"), std::string::npos) << twice.stderr_text;
  auto not_shard = run_golive({"report", "merge", profile, "--out", dir + "/bad"});
  EXPECT_EQ(not_shard.exit_code, 2) << not_shard.stderr_text;
  // --threshold replaces the shards' thresholds and decides the exit code.
  auto stricter = run_golive({"report", "merge", file1, file2, "--threshold", "ok:requests >= 1000",
                              "--out", dir + "/strict"});
  EXPECT_EQ(stricter.exit_code, 1) << stricter.stdout_text << stricter.stderr_text;
}

}  // namespace
