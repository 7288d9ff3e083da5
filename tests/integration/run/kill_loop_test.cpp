// Nothing lost when golive itself is killed: SIGKILL (what a CI timeout, an
// OOM kill or an eviction sends; no handler runs) at random moments of
// `golive load`, `golive e2e` and `golive run` against one already-started
// reference target, 20 kills in all. Every killed run leaves a directory
// that `golive report render` renders as a partial NO-GO with every check
// that was written before the kill, and a killed load run's report counts
// the completed requests to within one second's worth of what the target
// itself counted (its /metrics request counter). `golive run` is killed both
// in its first stages and inside its HTTP security, contract and load stages.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/reference_env.hpp"

namespace {

using namespace golive::testing::cli;
namespace fs = std::filesystem;

constexpr int kRate = 100;  // requests per second of the load profile

golive::testing::ReferenceEnv& target() {
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "100000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "100000", 1);
  return golive::testing::shared_reference_env();
}

// Requests the target answered on /health, from its own counter.
std::uint64_t health_requests_answered(const std::string& base_url) {
  const auto outcome = golive::testing::run_process({"curl", "-sf", base_url + "/metrics"}, {},
                                                    std::chrono::seconds(10));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.stderr_text;
  std::uint64_t total = 0;
  const std::regex line(R"(golive_http_requests_total\{[^}]*route="/health"[^}]*\} ([0-9]+))");
  for (std::sregex_iterator it(outcome.stdout_text.begin(), outcome.stdout_text.end(), line), end;
       it != end; ++it) {
    total += std::stoull((*it)[1].str());
  }
  return total;
}

// Complete check lines of a result stream (a torn last line is not one).
std::size_t check_lines(const std::string& results) {
  std::size_t checks = 0;
  for (const auto& record : read_results(results)) checks += record.contains("record") ? 0 : 1;
  return checks;
}

struct Killed {
  bool killed = false;               // died of the SIGKILL before its run_end (false: it had finished before)
  std::string run_dir;
  std::uint64_t target_counted = 0;  // /health requests the target answered during the run
};

// Starts `command` against the shared target and sends SIGKILL `after_s`
// seconds later. With a `marker`, the moment counts from the first line of
// the result stream that contains it (a stage's first check or record), so
// the kill lands inside that stage of `golive run`.
Killed start_and_kill(const std::vector<std::string>& command, const std::string& dir, double after_s,
                      const std::string& marker = "") {
  const std::string base_url = target().base_url();
  const std::uint64_t before = health_requests_answered(base_url);
  std::vector<std::string> args = command;
  args.insert(args.end(), {"--env", target().write_env_file(), "--out", dir + "/out"});
  const GoliveProcess process = start_golive(args, dir);
  EXPECT_GT(process.pid, 0);
  if (!marker.empty()) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const std::string results = latest_run(dir + "/out") + "/results.jsonl";
      seen = fs::exists(results) && slurp(results).find(marker) != std::string::npos;
    }
    EXPECT_TRUE(seen) << "no " << marker << " in the result stream within 30 s";
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(after_s));
  ::kill(-process.pid, SIGKILL);
  const GoliveExit exit = wait_golive(process, std::chrono::seconds(20));
  EXPECT_FALSE(exit.timed_out);
  // Requests in flight at the kill reach the target a moment later.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Killed killed;
  killed.target_counted = health_requests_answered(base_url) - before;
  killed.run_dir = latest_run(dir + "/out");
  // A kill that lands after the run wrote its run_end (while it renders
  // reports or stops what it started) leaves a complete run: it renders with
  // its own verdict, not as a partial one.
  const std::string results = killed.run_dir + "/results.jsonl";
  const bool completed = fs::exists(results) && slurp(results).find("\"record\":\"run_end\"") != std::string::npos;
  killed.killed = !exit.exited && !completed;
  return killed;
}

// Renders a killed run and checks what every killed run must show.
nlohmann::json render_killed(const Killed& killed, const std::string& dir, const std::string& what) {
  if (!fs::exists(killed.run_dir + "/results.jsonl")) {
    // Killed before the run directory existed: nothing was measured.
    return nullptr;
  }
  const std::string rendered = dir + "/rendered";
  const auto render = golive::testing::run_process(
      {GOLIVE_BINARY, "report", "render", killed.run_dir, "--out", rendered}, {}, std::chrono::seconds(60));
  if (!killed.killed) {
    // It finished before the kill: a complete run renders with its own verdict.
    EXPECT_TRUE(render.exit_code == 0 || render.exit_code == 1) << what << "\n" << render.stderr_text;
    return nullptr;
  }
  EXPECT_EQ(render.exit_code, 1) << what << ": a killed run renders as NO-GO\n"
                                 << render.stdout_text << render.stderr_text;
  EXPECT_NE(render.stdout_text.find("NO-GO"), std::string::npos) << what << "\n" << render.stdout_text;
  EXPECT_NE(render.stdout_text.find("partial"), std::string::npos) << what << "\n" << render.stdout_text;
  if (!fs::exists(rendered + "/report.json")) {
    ADD_FAILURE() << what << ": no report.json\n" << render.stderr_text;
    return nullptr;
  }
  const auto report = nlohmann::json::parse(slurp(rendered + "/report.json"));
  EXPECT_EQ(report["summary"]["verdict"], "fail") << what;
  EXPECT_EQ(report["checks"].size(), check_lines(killed.run_dir + "/results.jsonl"))
      << what << ": every check written before the kill is in the report";
  return report;
}

TEST(KillLoop, EveryKilledRunRendersAndKeepsWhatItMeasured) {
  const std::uint32_t seed = std::random_device{}();
  std::cout << "kill moments from seed " << seed << "\n";
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> moment(0.2, 2.8);
  const auto started = std::chrono::steady_clock::now();

  const std::string base = scratch_dir("kill_loop");
  const std::string profile = write_tiny_profile(base, kRate, 3, 5000);
  int kills = 0;
  int landed = 0;  // kills that hit a running process
  int load_reports = 0;
  bool merged_one = false;
  for (int i = 0; i < 8; ++i, ++kills) {
    const double after = moment(random);
    const std::string what = "golive load killed after " + std::to_string(after) + " s";
    const std::string dir = scratch_dir("kill_loop_load_" + std::to_string(i));
    const Killed killed = start_and_kill({"load", profile}, dir, after);
    landed += killed.killed ? 1 : 0;
    const nlohmann::json report = render_killed(killed, dir, what);
    std::uint64_t measured = 0;
    if (report.is_object() && report.contains("load") && report["load"].is_object()) {
      for (const auto& [name, scenario] : report["load"].items()) {
        measured += scenario["requests"].get<std::uint64_t>();
        EXPECT_TRUE(scenario.value("partial", false)) << what;
        ++load_reports;
      }
    }
    std::cout << what << ": the partial report counts " << measured << " requests, the target "
              << killed.target_counted << "\n";
    EXPECT_LE(measured, killed.target_counted) << what;
    if (measured > 0 && !merged_one) {
      // The killed shard's directory merges from its last checkpoint, with a warning.
      merged_one = true;
      const auto merge = golive::testing::run_process(
          {GOLIVE_BINARY, "report", "merge", killed.run_dir, "--out", dir + "/merged"}, {},
          std::chrono::seconds(60));
      EXPECT_EQ(merge.exit_code, 1) << merge.stdout_text << merge.stderr_text;
      EXPECT_NE(merge.stderr_text.find("killed before it finished"), std::string::npos) << merge.stderr_text;
      // The merge reads the last snapshot (written once a second), the render
      // the newer per-second lines: the merge may lag by up to a second's worth.
      const std::size_t at = merge.stdout_text.find(" requests");
      const std::size_t start = merge.stdout_text.rfind(' ', at == std::string::npos ? 0 : at - 1);
      ASSERT_NE(at, std::string::npos) << merge.stdout_text;
      const std::uint64_t merged = std::stoull(merge.stdout_text.substr(start + 1, at - start - 1));
      EXPECT_LE(merged, measured) << merge.stdout_text;
      EXPECT_LE(measured - merged, static_cast<std::uint64_t>(kRate)) << merge.stdout_text;
    }
    EXPECT_LE(killed.target_counted - std::min(measured, killed.target_counted),
              static_cast<std::uint64_t>(kRate))
        << what << ": the report counted " << measured << " requests, the target " << killed.target_counted;
  }
  EXPECT_GE(load_reports, 4) << "most kills land after the first checkpoint";
  EXPECT_TRUE(merged_one);

  // All the workflows take about a second against the reference target.
  std::uniform_real_distribution<double> e2e_moment(0.1, 0.9);
  for (int i = 0; i < 6; ++i, ++kills) {
    const double after = e2e_moment(random);
    const std::string dir = scratch_dir("kill_loop_e2e_" + std::to_string(i));
    const Killed killed = start_and_kill({"e2e"}, dir, after);
    landed += killed.killed ? 1 : 0;
    render_killed(killed, dir, "golive e2e killed after " + std::to_string(after) + " s");
  }
  // `golive run` killed in its first stages (env, RLS, db, e2e) ...
  for (int i = 0; i < 2; ++i, ++kills) {
    const double after = moment(random);
    const std::string dir = scratch_dir("kill_loop_run_" + std::to_string(i));
    const Killed killed = start_and_kill({"run"}, dir, after);
    landed += killed.killed ? 1 : 0;
    render_killed(killed, dir, "golive run killed after " + std::to_string(after) + " s");
  }
  // ... and inside its later ones: the HTTP security probes, the Stripe
  // replay and AI fault checks, and the load stage (whose partial figures
  // must be in the report).
  struct InStage {
    std::string suite;
    std::string marker;   // the stage has started once the stream holds this
    double latest_s = 0;  // the kill comes at most this long after the marker
  };
  // Against this target's environment the Stripe checks follow each other
  // for about 0.2 s after the first and the AI checks skip, so the contract
  // kill comes early.
  const std::vector<InStage> stages = {{"security", "\"id\":\"security.headers", 1.5},
                                       {"contract", "\"id\":\"contract.stripe", 0.15},
                                       {"load", "\"record\":\"load_second\"", 1.5},
                                       {"load", "\"record\":\"load_second\"", 1.5}};
  // A stage can end sooner than its usual length on a faster run (the
  // contract stage's last checks come within a few hundred milliseconds of
  // its first); a kill that came after the run had finished is tried again
  // with the latest moment halved, so each stage is killed while it runs.
  constexpr int kAttemptsPerStage = 4;
  for (std::size_t i = 0; i < stages.size(); ++i, ++kills) {
    Killed killed;
    std::string what;
    std::string dir;
    nlohmann::json report;
    double latest = stages[i].latest_s;
    for (int attempt = 0; attempt < kAttemptsPerStage && !killed.killed; ++attempt, latest /= 2) {
      const double after = std::uniform_real_distribution<double>(0.0, latest)(random);
      what = "golive run --suite " + stages[i].suite + " killed " + std::to_string(after) +
             " s into the stage";
      dir = scratch_dir("kill_loop_run_stage_" + std::to_string(i) + "_" + std::to_string(attempt));
      killed = start_and_kill({"run", "--suite", stages[i].suite}, dir, after, stages[i].marker);
      report = render_killed(killed, dir, what);
      if (!killed.killed) {
        std::cout << what << ": the run had finished; again with an earlier moment\n";
      }
    }
    landed += killed.killed ? 1 : 0;
    ASSERT_TRUE(killed.killed) << what << ": the run finished before the kill " << kAttemptsPerStage
                               << " times";
    ASSERT_TRUE(report.is_object()) << what;
    const std::string prefix = stages[i].suite + ".";
    bool stage_check = false;
    for (const auto& check : report["checks"]) {
      stage_check = stage_check || check.value("id", "").rfind(prefix, 0) == 0;
    }
    if (stages[i].suite == "load") {
      ASSERT_TRUE(report.contains("load") && report["load"].is_object() && !report["load"].empty()) << what;
      for (const auto& [name, scenario] : report["load"].items()) {
        EXPECT_TRUE(scenario.value("partial", false)) << what << ": " << name;
      }
    } else {
      EXPECT_TRUE(stage_check) << what << ": the stage's finished checks are in the report";
    }
  }
  EXPECT_EQ(kills, 20);
  EXPECT_GE(landed, 16) << "most kills must hit a running golive";
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::minutes(2));
}

}  // namespace
