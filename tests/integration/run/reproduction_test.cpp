// A runnable reproduction for every failed HTTP check: the reference target
// started with three seeded defects (missing-security-headers,
// cors-reflect-any-origin, legal-page-missing); `golive probe headers` and
// `golive e2e --workflow legal_pages` run against it as processes with an
// environment file whose secrets come from ${VAR}s. Each catching check's
// evidence carries a curl command; executed by a real shell with real curl,
// with the variables it names exported, it gets the status the check saw
// (and the same missing header, the same echoed origin). No secret value
// appears in any reproduction or in any file of the runs.
//
// (A probe that acted as a throw-away user, such as security.jwt.alg_none,
// is not replayed here: golive deletes that user when the probe ends, so the
// same command then meets a user that no longer exists.)
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/reference_env.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace golive::testing::cli;

golive::testing::ReferenceEnv& target() {
  golive::testing::ReferenceEnv::Options options;
  options.defects = {"missing-security-headers", "cors-reflect-any-origin", "legal-page-missing"};
  return golive::testing::shared_reference_env(options);
}

// Runs `command` with `sh -c`, the variables exported; its stdout.
std::string run_shell(const std::string& command, const std::map<std::string, std::string>& vars) {
  std::string prefix;
  for (const auto& [name, value] : vars) {
    std::string quoted = "'";
    for (char c : value) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    prefix += "export " + name + "=" + quoted + "'; ";
  }
  const std::string script = prefix + command;
  std::string quoted_script = "'";
  for (char c : script) quoted_script += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted_script += "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(("sh -c " + quoted_script).c_str(), "r"), pclose);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get())) out.append(buffer.data(), n);
  return out;
}

json find_check(const std::vector<json>& results, const std::string& id) {
  for (const auto& record : results) {
    if (record.value("id", "") == id) return record;
  }
  return json();
}

TEST(FailedCheckReproduction, CurlFromTheEvidenceReproducesTheStatusWithSecretsAsVariables) {
  golive::testing::ReferenceEnv& reference = target();
  const std::string dir = scratch_dir("reproduction");
  const std::string env_path = reference.write_env_file();
  const std::map<std::string, std::string> secrets = {
      {"GOLIVE_REF_ANON_KEY", reference.var("GOLIVE_REF_ANON_KEY")},
      {"GOLIVE_REF_SERVICE_ROLE_KEY", reference.var("GOLIVE_REF_SERVICE_ROLE_KEY")},
      {"GOLIVE_REF_JWT_SECRET", reference.var("GOLIVE_REF_JWT_SECRET")},
      {"GOLIVE_REF_WEBHOOK_SECRET", reference.var("GOLIVE_REF_WEBHOOK_SECRET")},
  };

  struct Case {
    std::size_t run;  // index into `runs`
    std::string check_id;
  };
  const std::vector<std::vector<std::string>> runs = {{"probe", "headers"},
                                                      {"e2e", "--workflow", "legal_pages"}};
  std::vector<std::vector<json>> run_results;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string out = dir + "/out" + std::to_string(i);
    std::vector<std::string> arguments = runs[i];
    for (const std::string extra : {"--env", env_path.c_str(), "--out", out.c_str()}) {
      arguments.push_back(extra);
    }
    const auto exit = wait_golive(start_golive(arguments, dir), std::chrono::seconds(180));
    ASSERT_TRUE(exit.exited) << exit.stderr_text;
    EXPECT_EQ(exit.exit_code, 1) << "the defect fails the gate; stderr: " << exit.stderr_text;
    run_results.push_back(read_results(latest_run(out) + "/results.jsonl"));
    // No secret in any file of the run.
    for (const auto& entry : fs::recursive_directory_iterator(out)) {
      if (!entry.is_regular_file() || entry.is_symlink()) continue;
      const std::string text = slurp(entry.path().string());
      for (const auto& [name, value] : secrets) {
        EXPECT_EQ(text.find(value), std::string::npos) << name << " in " << entry.path();
      }
    }
    // A passed check carries no reproduction.
    for (const auto& record : run_results.back()) {
      if (record.value("status", "") == "pass" && record.contains("evidence") &&
          record["evidence"].is_object()) {
        EXPECT_FALSE(record["evidence"].contains("reproduction")) << record.value("id", "");
      }
    }
  }

  const std::vector<Case> cases = {{0, "security.headers.csp"},
                                   {0, "security.cors.reflect_origin"},
                                   {1, "e2e.legal_pages.row2.public_page"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.check_id);
    const std::vector<json>& results = run_results[c.run];
    const json check = find_check(results, c.check_id);
    ASSERT_TRUE(check.is_object()) << "no " << c.check_id;
    ASSERT_EQ(check.value("status", ""), "fail") << check.dump(2);
    const json& evidence = check["evidence"];
    ASSERT_TRUE(evidence.contains("reproduction")) << evidence.dump(2);
    const std::string command = evidence["reproduction"].get<std::string>();
    EXPECT_EQ(command.rfind("curl -sS -i ", 0), 0u) << command;

    // The variables it names are the environment file's, and only those are exported.
    std::map<std::string, std::string> exported;
    const json variables = evidence.value("reproduction_env", json::object());
    for (const auto& [name, holds] : variables.items()) {
      ASSERT_TRUE(secrets.count(name)) << name << ": " << holds.dump();
      exported[name] = secrets.at(name);
    }
    for (const auto& [name, value] : secrets) {
      EXPECT_EQ(command.find(value), std::string::npos) << name << " in " << command;
    }

    int recorded_status = 0;
    if (evidence.contains("urls")) {
      recorded_status = evidence["urls"][0].value("status", 0);
    } else if (evidence.contains("responses")) {
      for (const auto& response : evidence["responses"]) {
        if (response.value("access_control_allow_origin", "") == evidence.value("origin", "")) {
          recorded_status = response.value("status", 0);
          break;
        }
      }
    } else {
      recorded_status = evidence.value("status", 0);
    }
    ASSERT_NE(recorded_status, 0) << evidence.dump(2);
    const std::string status = run_shell(command + " -o /dev/null -w '%{http_code}'", exported);
    EXPECT_EQ(status, std::to_string(recorded_status)) << command;

    if (c.check_id == "security.headers.csp") {
      EXPECT_NE(command.find("${GOLIVE_REF_ANON_KEY}"), std::string::npos) << command;
      const std::string answer = run_shell(command, exported);
      EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
      std::string lower = answer;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      EXPECT_EQ(lower.find("content-security-policy"), std::string::npos) << answer;
      EXPECT_TRUE(exported.count("GOLIVE_REF_ANON_KEY"));
    }
    if (c.check_id == "security.cors.reflect_origin") {
      // The target echoes the hostile origin to the command as it did to the probe.
      const std::string origin = evidence.value("origin", "");
      ASSERT_FALSE(origin.empty());
      const std::string answer = run_shell(command, exported);
      std::string lower = answer;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      EXPECT_NE(lower.find("access-control-allow-origin: " + origin), std::string::npos) << answer;
    }
  }
}

}  // namespace
