// The three log sources on their own (no target): a file followed from where
// it ended, a platform's log command run by /bin/sh, and an HTTP log drain
// fed by the real curl with the bodies drains send (NDJSON, a JSON array,
// a platform's envelope around the application's line); the settings'
// errors name the file and pointer.
#include "observability/log_source.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/input_error.hpp"

namespace golive::observability {
namespace {

std::vector<nlohmann::json> wait_for(LogSource& source, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<nlohmann::json> lines = source.lines();
  while (lines.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    lines = source.lines();
  }
  return lines;
}

std::filesystem::path temp_file(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() /
                    (name + "-" + std::to_string(::getpid()) + "-" +
                     std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  return path;
}

TEST(JsonLogObjects, ReadsNdjsonArraysPrefixedLinesAndPlatformEnvelopes) {
  auto objects = json_log_objects("{\"event\":\"A\"}\nnot json\n2025-01-01 app[web.1]: {\"event\":\"B\"}\n");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[1]["event"], "B");

  objects = json_log_objects(R"([{"event":"A"}, 7, {"message":"{\"event\":\"C\",\"job_id\":\"j\"}","source":"lambda"}])");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[1]["event"], "C");
  EXPECT_EQ(objects[1]["job_id"], "j");

  // A plain message that is not JSON stays the platform's object.
  objects = json_log_objects(R"({"message":"GET /health 200","source":"edge"})");
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0]["source"], "edge");
  EXPECT_TRUE(json_log_objects("").empty());
}

TEST(LogSource, AFileIsFollowedFromWhereItEndedWhenOpened) {
  const auto path = temp_file("golive-log");
  std::ofstream(path) << "{\"event\":\"OLD\"}\n";
  LogSettings settings;
  settings.file = path.string();
  auto source = LogSource::open(settings);
  ASSERT_NE(source, nullptr);
  EXPECT_TRUE(source->lines().empty());
  std::ofstream(path, std::ios::app) << "{\"event\":\"NEW\"}\n";
  const auto lines = source->lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["event"], "NEW");
  EXPECT_EQ(source->describe(), "file " + path.string());
  std::filesystem::remove(path);
}

TEST(LogSource, ACommandsOutputIsReadAndTheCommandStoppedWithItsGroup) {
  // A log CLI that prints lines and keeps following, as `... logs --tail`
  // does; its sleep is a child of the shell, so stopping must reach the group.
  // The sleep's unusual length names it for pgrep.
  const std::string sleeper = "sleep 29." + std::to_string(::getpid() % 1000000);
  LogSettings settings;
  settings.command = "echo '{\"event\":\"A\"}'; echo 'plain text'; echo '{\"event\":\"B\"}'; " + sleeper;
  const std::string running = "pgrep -f '^" + sleeper + "$' > /dev/null";
  {
    auto source = LogSource::open(settings);
    const auto lines = wait_for(*source, 2);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1]["event"], "B");
    EXPECT_NE(source->describe().find("command `echo"), std::string::npos);
    // The sleep starts after the lines are printed: wait until it runs.
    bool started = false;
    for (int attempt = 0; attempt < 250 && !started; ++attempt) {
      started = std::system(running.c_str()) == 0;
      if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(started) << "the command's child never ran";
  }
  EXPECT_NE(std::system(running.c_str()), 0) << "the command's child outlived its source";
}

TEST(LogSource, AnHttpDrainTakesNdjsonAndJsonArraysFromCurl) {
  LogSettings settings;
  settings.drain_listen = "127.0.0.1:0";  // settings refuse port 0; the source binds a free one
  auto source = LogSource::open(settings);
  // "HTTP drain on 127.0.0.1:PORT (0 deliveries)"
  const std::string described = source->describe();
  const std::size_t on = described.find(" on ") + 4;
  const std::string url = "http://" + described.substr(on, described.find(" (") - on) + "/drain";
  const std::string script = temp_file("golive-drain").string() + ".sh";
  std::ofstream(script)
      << "set -e\n"
      << "printf '%s\\n%s\\n' '{\"event\":\"A\"}' '{\"event\":\"B\"}' | "
         "curl -sS --fail -o /dev/null -H 'Content-Type: application/x-ndjson' --data-binary @- " << url << "\n"
      << "curl -sS --fail -o /dev/null -H 'Content-Type: application/json' "
         "--data-binary '[{\"message\":\"{\\\"event\\\":\\\"C\\\"}\",\"source\":\"lambda\"}]' " << url << "\n";
  ASSERT_EQ(std::system(("bash " + script).c_str()), 0);
  std::filesystem::remove(script);
  const auto lines = wait_for(*source, 3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["event"], "A");
  EXPECT_EQ(lines[1]["event"], "B");
  EXPECT_EQ(lines[2]["event"], "C");
  EXPECT_NE(source->describe().find("(2 deliveries)"), std::string::npos) << source->describe();
}

config::Environment env_with_logs(const nlohmann::json& logs) {
  config::Environment env;
  env.source_file = "staging.json";
  env.sections["observability"] = {{"logs", logs}};
  return env;
}

TEST(LogSettings, ReadsOneSourceAndRefusesTwoOrAMalformedDrain) {
  EXPECT_EQ(read_log_settings(env_with_logs({{"command", "heroku logs --tail"}})).command, "heroku logs --tail");
  EXPECT_TRUE(read_log_settings(env_with_logs({{"drain_listen", "127.0.0.1:9400"}})).configured());
  EXPECT_FALSE(read_log_settings(config::Environment{}).configured());
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {{{"file", "/x.log"}, {"command", "tail -F /x.log"}}, "/observability/logs"},
      {{{"drain_listen", "localhost"}}, "/observability/logs/drain_listen"},
      {{{"drain_listen", "127.0.0.1:0"}}, "/observability/logs/drain_listen"},
      {{{"timeout_ms", 5}, {"file", "/x.log"}}, "/observability/logs/timeout_ms"},
      {{{"url", "https://logs.example.com"}}, "/observability/logs/url"},
  };
  for (const auto& [logs, pointer] : cases) {
    try {
      read_log_settings(env_with_logs(logs));
      ADD_FAILURE() << "accepted " << logs.dump();
    } catch (const core::InputError& error) {
      EXPECT_EQ(error.file(), "staging.json");
      EXPECT_EQ(error.location(), pointer) << error.what();
    }
  }
}

}  // namespace
}  // namespace golive::observability
