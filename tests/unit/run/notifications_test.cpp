// Notifications against a local receiver: a RunSession whose environment
// names a generic webhook and a Slack incoming webhook posts the verdict,
// the checklist's verified counts and the report's location to both when it
// finishes; a receiver that fails is a warning, never a changed verdict.
#include "run/notifications.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "run/run_session.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::run {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Received {
  std::mutex mutex;
  std::vector<std::pair<std::string, json>> posts;  // path, body
};

config::Environment write_and_load(const fs::path& dir, const json& notify, const std::string& base_url) {
  fs::create_directories(dir);
  const fs::path file = dir / "env.json";
  std::ofstream(file) << json{{"name", "notify-test"}, {"base_url", base_url}, {"anon_key", "anon"},
                              {"notify", notify}}.dump(2);
  return config::load_environment(file.string(), [](const std::string&) { return std::nullopt; },
                                  core::Redactor::global());
}

core::CheckResult passing_check() {
  core::CheckResult check;
  check.id = "security.headers.hsts";
  check.suite = "security";
  check.title = "HSTS is set";
  check.status = core::CheckStatus::kPass;
  return check;
}

TEST(Notifications, PostsTheVerdictCountsAndReportToBothWebhooks) {
  testing::TestHttpServer server;
  Received received;
  for (const char* path : {"/hook", "/slack"}) {
    server.on(path, [&received, path](const testing::TestRequest& request) {
      std::lock_guard lock(received.mutex);
      received.posts.emplace_back(path, json::parse(request.body));
      return testing::TestReply{200, {}, "ok"};
    });
  }
  const fs::path dir = fs::temp_directory_path() / ("golive_notify_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const config::Environment env = write_and_load(
      dir, {{"webhook", server.url("/hook")}, {"slack_webhook", server.url("/slack")},
            {"report_url", "https://ci.example.com/run/7/index.html"}},
      server.url(""));
  CommonOptions options;
  options.out_dir = (dir / "out").string();
  options.quiet = true;
  RunSession session(options, env, {"security"}, nullptr);
  session.sink().record(passing_check());
  const auto verdict = session.finish(false);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_EQ(*verdict, report::Verdict::kPass);
  std::lock_guard lock(received.mutex);
  ASSERT_EQ(received.posts.size(), 2u);
  for (const auto& [path, body] : received.posts) {
    if (path == "/hook") {
      EXPECT_EQ(body["verdict"], "GO");
      EXPECT_EQ(body["env"], "notify-test");
      EXPECT_EQ(body["report"], "https://ci.example.com/run/7/index.html");
      EXPECT_TRUE(body["checklist"]["total"].get<int>() > 0);
      EXPECT_NE(body["gate"].get<std::string>().find("items verified"), std::string::npos);
    } else {
      const std::string text = body["text"];
      EXPECT_NE(text.find("golive GO on notify-test"), std::string::npos) << text;
      EXPECT_NE(text.find("https://ci.example.com/run/7/index.html"), std::string::npos);
    }
  }
  fs::remove_all(dir);
}

TEST(Notifications, AFailingReceiverIsAWarningNotAVerdict) {
  testing::TestHttpServer server;
  const fs::path dir = fs::temp_directory_path() / ("golive_notify_fail_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const config::Environment env = write_and_load(dir, {{"webhook", server.url("/status/500")}}, server.url(""));
  CommonOptions options;
  options.out_dir = (dir / "out").string();
  options.quiet = true;
  RunSession session(options, env, {"security"}, nullptr);
  session.sink().record(passing_check());
  EXPECT_EQ(session.finish(false), report::Verdict::kPass);
  EXPECT_EQ(send_notifications(read_notify_settings(env), env, json::object()).size(), 1u);
  fs::remove_all(dir);
}

TEST(Notifications, ABadSectionNamesThePointer) {
  config::Environment env;
  env.source_file = "env.json";
  env.sections["notify"] = {{"webhook", "ftp://example.com"}};
  try {
    read_notify_settings(env);
    FAIL() << "accepted an ftp URL";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/notify/webhook"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace golive::run
