// The environment's "repo" section: defaults, relative paths resolved against
// the environment file, and bad settings refused with the JSON pointer.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "repo/repo_settings.hpp"
#include "repo/repo_suite.hpp"

namespace golive::repo {
namespace {

namespace fs = std::filesystem;

config::Environment environment_with(const std::string& repo_json) {
  // Each test is its own process, run in parallel: the pid keeps them apart.
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("golive_repo_settings_" + std::to_string(::getpid()));
  fs::create_directories(dir / "app");
  const fs::path file = dir / "env.json";
  std::ofstream(file) << R"({"name": "t", "base_url": "http://127.0.0.1:9", "anon_key": "k", "repo": )" << repo_json << "}";
  core::Redactor redactor;
  return config::load_environment(file.string(), [](const std::string&) { return std::nullopt; }, redactor);
}

std::string pointer_of(const std::string& repo_json) {
  try {
    read_repo_settings(environment_with(repo_json));
  } catch (const core::InputError& e) {
    return e.location();
  }
  return "(accepted)";
}

TEST(RepoSettings, DefaultsAndRelativePath) {
  const RepoSettings settings = read_repo_settings(environment_with(R"({"path": "app", "coverage_min_percent": 90})"));
  EXPECT_TRUE(fs::path(settings.path).is_absolute());
  EXPECT_EQ(fs::path(settings.path).filename(), "app");
  EXPECT_EQ(settings.coverage_min_percent, 90);
  EXPECT_EQ(settings.production_env, ".env.production");
  EXPECT_EQ(settings.runbook_sections.size(), 3u);
  EXPECT_TRUE(repo_capability(environment_with(R"({"path": "app"})")).available);
  EXPECT_FALSE(repo_capability(environment_with(R"({"path": ""})")).available);
}

TEST(RepoSettings, BadSettingsNameTheirPointer) {
  EXPECT_EQ(pointer_of(R"({"path": "no-such-folder"})"), "/repo/path");
  EXPECT_EQ(pointer_of(R"({"path": "app", "coverage_min_percent": 120})"), "/repo/coverage_min_percent");
  EXPECT_EQ(pointer_of(R"({"path": "app", "coverge": ["x"]})"), "/repo/coverge");
  EXPECT_EQ(pointer_of(R"({"path": "app", "coverage": ["../outside.info"]})"), "/repo/coverage/0");
  EXPECT_EQ(pointer_of(R"({"path": "app", "env_files": {"prod": ".env"}})"), "/repo/env_files/prod");
  // The environment loader itself requires the path.
  EXPECT_THROW(environment_with(R"({"coverage": []})"), core::InputError);
}

}  // namespace
}  // namespace golive::repo
