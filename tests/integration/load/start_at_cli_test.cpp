// `golive load --start-at` / `--start-file` through the real binary: a time
// in the past or more than a day ahead is exit 2 before anything is written;
// a start file that appears later is waited for (the wait is shown) and the
// shard's statistics start at the time it holds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "load/start_time.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::load {
namespace {

using golive::testing::run_process;
namespace cli = golive::testing::cli;

TEST(StartAtCli, BadStartTimesAreExitTwoAndWriteNothing) {
  golive::testing::TestHttpServer server;
  const std::string dir = cli::scratch_dir("start_at_bad");
  const std::string env = cli::write_test_env(dir, server.url(""));
  const std::string profile = cli::write_tiny_profile(dir, 5, 1, 2000);
  for (const std::string& when : {format_unix_ms(now_unix_ms() - 60'000), format_unix_ms(now_unix_ms() + 25LL * 3600 * 1000),
                                  std::string("20:15")}) {
    SCOPED_TRACE(when);
    const auto outcome = run_process({GOLIVE_BINARY, "load", profile, "--env", env, "--out", dir + "/out",
                                      "--start-at", when},
                                     {}, std::chrono::seconds(30));
    EXPECT_EQ(outcome.exit_code, 2) << outcome.stderr_text;
    EXPECT_NE(outcome.stderr_text.find("--start-at"), std::string::npos) << outcome.stderr_text;
    EXPECT_FALSE(std::filesystem::exists(dir + "/out"));
  }
}

TEST(StartAtCli, AStartFileIsWaitedForAndPinsTheShardsStart) {
  golive::testing::TestHttpServer server;
  server.behave_everywhere("/ok");  // GET /health answers 200
  const std::string dir = cli::scratch_dir("start_file");
  const std::string env = cli::write_test_env(dir, server.url(""));
  const std::string profile = cli::write_tiny_profile(dir, 10, 1, 2000);
  const std::string start_file = dir + "/run.start";
  const std::int64_t start_at = (now_unix_ms() / 1000 + 3) * 1000;  // a whole second, 2-3 s ahead
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    std::ofstream(start_file + ".tmp") << format_unix_ms(start_at) << "\n";
    std::filesystem::rename(start_file + ".tmp", start_file);
  });
  const auto outcome = run_process({GOLIVE_BINARY, "load", profile, "--env", env, "--out", dir + "/out",
                                    "--start-file", start_file},
                                   {}, std::chrono::seconds(60));
  writer.join();
  ASSERT_EQ(outcome.exit_code, 0) << outcome.stdout_text << outcome.stderr_text;
  EXPECT_NE(outcome.stdout_text.find("waiting for the start file"), std::string::npos) << outcome.stdout_text;
  EXPECT_NE(outcome.stdout_text.find("synchronised start at " + format_unix_ms(start_at)), std::string::npos)
      << outcome.stdout_text;
  const nlohmann::json shard =
      nlohmann::json::parse(cli::slurp(cli::latest_run(dir + "/out") + "/load-shard.json"));
  EXPECT_EQ(shard["stats"]["start_unix_ms"], start_at) << shard.dump().substr(0, 400);
}

}  // namespace
}  // namespace golive::load
