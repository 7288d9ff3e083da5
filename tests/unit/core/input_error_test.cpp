// Input errors name the file and the JSON pointer or line/column; the CLI
// turns each broken environment in tests/data/env/broken into exit code 2.
#include "core/input_error.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace golive::core {
namespace {

TEST(InputError, SyntaxErrorsGiveLineAndColumn) {
  try {
    parse_json_text("{\n  \"a\": 1,\n  \"b\": ]\n}", "x.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "x.json");
    EXPECT_EQ(e.location().rfind("line 3, column", 0), 0u) << e.location();
  }
}

// Fuzzing (request_log_fuzz): "1e999" made nlohmann throw out_of_range (not
// parse_error), which escaped parse_json_text as "internal error" with no file or line.
TEST(InputError, NumberOverflowIsAnInputErrorWithLineAndColumn) {
  try {
    parse_json_text("{\n  \"max_rps\": 1e999\n}", "env.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "env.json");
    EXPECT_EQ(e.location(), "line 2, column 14") << e.location();
    EXPECT_NE(e.problem().find("number overflow"), std::string::npos) << e.problem();
  }
}

TEST(InputError, ReaderNamesPointerOfNestedValues) {
  auto doc = nlohmann::json::parse(R"({"steps": [{"url": 5}], "a/b": {"c~d": "x"}})");
  JsonReader root(doc, "wf.json");
  try {
    root.at("steps").at(0).at("url").as_string();
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.location(), "/steps/0/url");
    EXPECT_NE(std::string(e.what()).find("expected a string, found number"), std::string::npos);
  }
  try {
    root.at("a/b").at("c~d").as_integer();
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.location(), "/a~1b/c~0d");
  }
  EXPECT_THROW(root.at("steps").at(3), InputError);
  EXPECT_THROW(root.reject_unknown_keys({"steps"}), InputError);
  EXPECT_EQ(root.string_or("missing", "fallback"), "fallback");
}

TEST(InputError, MissingFileIsAnInputError) {
  EXPECT_THROW(load_json_file("/nonexistent/golive.json"), InputError);
}

struct CommandOutput {
  int exit_code;
  std::string output;
};

CommandOutput run(const std::string& command) {
  std::array<char, 4096> buffer{};
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, ""};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// Every broken environment file gets exit code 2 and a message naming the
// file, the location and the problem (tests/data/env/broken/expected.tsv).
TEST(EnvCheckCorpus, EveryBrokenFileExitsTwoWithFileAndPointer) {
  std::string dir = std::string(GOLIVE_TEST_DATA) + "/env/broken/";
  std::ifstream expected(dir + "expected.tsv");
  ASSERT_TRUE(expected) << "missing expected.tsv";
  std::string line;
  int cases = 0;
  while (std::getline(expected, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream fields(line);
    std::string file, location, fragment;
    std::getline(fields, file, '\t');
    std::getline(fields, location, '\t');
    std::getline(fields, fragment, '\t');
    auto result = run(std::string(GOLIVE_BINARY) + " env check --env " + dir + file);
    EXPECT_EQ(result.exit_code, 2) << file << ": " << result.output;
    EXPECT_NE(result.output.find(file), std::string::npos) << file << ": " << result.output;
    if (!location.empty()) {
      EXPECT_NE(result.output.find(location), std::string::npos)
          << file << " should name " << location << ": " << result.output;
    }
    EXPECT_NE(result.output.find(fragment), std::string::npos)
        << file << " should say " << fragment << ": " << result.output;
    EXPECT_EQ(result.output.find("internal error"), std::string::npos) << result.output;
    ++cases;
  }
  EXPECT_GE(cases, 20);
}

TEST(EnvCheckCorpus, ValidFileListsCapabilitiesAndExitsZero) {
  auto result =
      run(std::string(GOLIVE_BINARY) + " env check --env " + GOLIVE_TEST_DATA + "/env/good/minimal.json");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("no database_url: RLS probes will be skipped"), std::string::npos)
      << result.output;
}

TEST(EnvCheckCorpus, UsageErrorsAndUnbuiltSuitesExitTwo) {
  EXPECT_EQ(run(std::string(GOLIVE_BINARY) + " env check --no-such-flag").exit_code, 2);
  EXPECT_EQ(run(std::string(GOLIVE_BINARY) + " frobnicate").exit_code, 2);
  EXPECT_EQ(run(std::string(GOLIVE_BINARY) + " --help").exit_code, 0);
}

}  // namespace
}  // namespace golive::core
