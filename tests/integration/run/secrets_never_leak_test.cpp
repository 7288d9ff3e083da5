// Secrets never leak: the environment's secrets (anon key,
// service_role key, JWT secret, database password, Stripe webhook secret)
// are seeded through ${VAR} variables into an environment file for the real
// reference target; then `golive env check`, `golive run` (every suite: env,
// security, db, e2e, contract, load) and `golive report render` run, and every
// file under the run's output directories (and those of `golive load` with
// its load-shard.json, and `golive report merge`) plus every captured stdout/stderr
// is scanned for each secret: raw, base64, base64url, URL-encoded, the
// signature of a JWT, and any 16-character piece of the others. None may
// appear.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kRunTimeout{240};

std::string base64(const std::string& bytes, bool url_alphabet) {
  static const char* kStandard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static const char* kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* alphabet = url_alphabet ? kUrl : kStandard;
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;  // unpadded: a padded encoding contains this as a prefix
}

std::string url_encode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Every spelling of one secret that must not appear, with a label for the
// failure message ("jwt_secret (base64)").
std::map<std::string, std::string> forbidden_forms(const std::string& name,
                                                   const std::string& secret) {
  std::map<std::string, std::string> forms{
      {name + " (raw)", secret},
      {name + " (base64)", base64(secret, false)},
      {name + " (base64url)", base64(secret, true)},
      {name + " (URL-encoded)", url_encode(secret)},
  };
  const auto dots = std::count(secret.begin(), secret.end(), '.');
  if (dots == 2) {
    // A JWT: its header is shared by every HS256 token, its signature is not.
    forms[name + " (JWT signature)"] = secret.substr(secret.rfind('.') + 1);
  } else {
    // A random secret: any 16-character piece of it is already a leak
    // (a "masked" prefix, a truncated log line).
    for (std::size_t at = 0; at + 16 <= secret.size(); ++at) {
      forms[name + " (characters " + std::to_string(at) + "-" + std::to_string(at + 15) + ")"] =
          secret.substr(at, 16);
    }
  }
  return forms;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// One finding per (place, form): "out/…/results.jsonl: jwt_secret (raw)".
std::vector<std::string> scan(const std::map<std::string, std::string>& texts,
                              const std::map<std::string, std::string>& forms) {
  std::vector<std::string> findings;
  for (const auto& [place, text] : texts) {
    for (const auto& [label, form] : forms) {
      if (!form.empty() && text.find(form) != std::string::npos)
        findings.push_back(place + ": " + label);
    }
  }
  return findings;
}

// Every regular file below `root` (symlinks such as out/latest not followed).
void collect_files(const fs::path& root, std::map<std::string, std::string>& texts) {
  if (!fs::exists(root)) return;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && !entry.is_symlink()) {
      texts[entry.path().string()] = read_file(entry.path());
    }
  }
}

class SecretsNeverLeak : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One run signs up users in several suites from one IP, as the embedded
    // target allows (run/reference_target.cpp); read when the service starts.
    ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "25", /*overwrite=*/0);
  }
};

// The scanner itself finds every form it is given: without this, a scan that
// never matches would make the real test pass vacuously.
TEST_F(SecretsNeverLeak, ScannerFindsEveryEncodingOfAPlantedSecret) {
  const std::string secret = "whsec_0123456789abcdef0123456789abcdef";
  const auto forms = forbidden_forms("webhook_secret", secret);
  for (const auto& [label, form] : forms) {
    const auto findings = scan({{"planted", "xx " + form + " yy"}}, forms);
    EXPECT_FALSE(findings.empty()) << label;
  }
  EXPECT_EQ(base64("golive", false), "Z29saXZl");
  EXPECT_EQ(base64("golive?", true), "Z29saXZlPw");
  EXPECT_EQ(url_encode("a b/c"), "a%20b%2Fc");
  EXPECT_TRUE(scan({{"clean", "[REDACTED] whsec_... 42 bytes"}}, forms).empty());
}

TEST_F(SecretsNeverLeak, NoSecretInAnyReportLogOrConsoleOfAFullRun) {
  ReferenceEnv& reference = shared_reference_env();
  const std::map<std::string, std::string> secrets = {
      {"anon_key", reference.var("GOLIVE_REF_ANON_KEY")},
      {"service_role_key", reference.var("GOLIVE_REF_SERVICE_ROLE_KEY")},
      {"jwt_secret", reference.var("GOLIVE_REF_JWT_SECRET")},
      {"database password", reference.var("GOLIVE_REF_PG_PASSWORD")},
      {"webhook_secret", reference.var("GOLIVE_REF_WEBHOOK_SECRET")},
  };
  // The environment file names the secrets only as ${VAR}; the values come
  // from this process's environment, as in CI.
  const fs::path dir = fs::path(reference.state_dir()) / "secrets-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  nlohmann::json env = nlohmann::json::parse(read_file(reference.write_env_file()));
  env["name"] = "secrets-seeded";
  env["anon_key"] = "${SEEDED_ANON_KEY}";
  env["service_role_key"] = "${SEEDED_SERVICE_ROLE_KEY}";
  env["jwt_secret"] = "${SEEDED_JWT_SECRET}";
  env["database_url"] = "postgresql://postgres:${SEEDED_DB_PASSWORD}@127.0.0.1:" +
                        reference.var("GOLIVE_REF_PG_PORT") + "/golive_ref";
  env["stripe"]["webhook_secret"] = "${SEEDED_WEBHOOK_SECRET}";
  const std::string env_path = (dir / "env.json").string();
  std::ofstream(env_path) << env.dump(2) << "\n";
  const std::map<std::string, std::string> variables = {
      {"SEEDED_ANON_KEY", secrets.at("anon_key")},
      {"SEEDED_SERVICE_ROLE_KEY", secrets.at("service_role_key")},
      {"SEEDED_JWT_SECRET", secrets.at("jwt_secret")},
      {"SEEDED_DB_PASSWORD", secrets.at("database password")},
      {"SEEDED_WEBHOOK_SECRET", secrets.at("webhook_secret")},
      {"NO_COLOR", "1"},
  };
  std::map<std::string, std::string> forms;
  for (const auto& [name, value] : secrets) {
    ASSERT_GE(value.size(), 16u) << name;
    forms.merge(forbidden_forms(name, value));
  }

  const fs::path out = dir / "out";
  const fs::path rerendered = dir / "rerendered";
  std::map<std::string, std::string> texts;
  const auto golive = [&](const std::string& label, std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), GOLIVE_BINARY);
    ProcessOutcome outcome = run_process(arguments, variables, kRunTimeout);
    texts[label + " stdout"] = outcome.stdout_text;
    texts[label + " stderr"] = outcome.stderr_text;
    return outcome;
  };

  const auto check = golive("env check", {"env", "check", "--env", env_path});
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;

  const auto run = golive("run", {"run", "--env", env_path, "--out", out.string()});
  ASSERT_FALSE(run.timed_out);
  // 0 on the clean target; 1 would still be a complete run worth scanning.
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.digest();
  const fs::path latest = fs::canonical(out / "latest");
  const std::string stream = read_file(latest / "results.jsonl");
  for (const char* suite : {"\"suite\":\"env\"", "\"suite\":\"security\"", "\"suite\":\"db\"",
                            "\"suite\":\"e2e\"", "\"suite\":\"contract\"", "\"suite\":\"load\""}) {
    EXPECT_NE(stream.find(suite), std::string::npos) << "the run has no " << suite << " result";
  }

  const auto render =
      golive("report render", {"report", "render", latest.string(), "--out", rerendered.string()});
  EXPECT_EQ(render.exit_code, run.exit_code) << render.stderr_text;

  // The load suite's own outputs too: load-shard.json and a merged report.
  const fs::path load_out = dir / "load-out";
  const fs::path merged = dir / "merged";
  const auto load =
      golive("load", {"load", "--env", env_path, "--out", load_out.string(), "--quiet",
                      std::string(GOLIVE_TEST_DATA) + "/../../load/profiles/smoke.json"});
  EXPECT_TRUE(load.exit_code == 0 || load.exit_code == 1) << load.stdout_text << load.stderr_text;
  const auto merge = golive("report merge", {"report", "merge", "--out", merged.string(), "--quiet",
                                             (load_out / "latest").string()});
  EXPECT_TRUE(merge.exit_code == 0 || merge.exit_code == 1)
      << merge.stdout_text << merge.stderr_text;
  EXPECT_TRUE(fs::exists(load_out / "latest" / "load-shard.json"));

  collect_files(out, texts);
  collect_files(rerendered, texts);
  collect_files(load_out, texts);
  collect_files(merged, texts);
  std::size_t files = 0;
  for (const auto& [place, text] : texts)
    files += place.find(out.string()) == 0 || place.find(rerendered.string()) == 0;
  EXPECT_GE(files, 10u) << "expected results.jsonl and every report, twice";
  EXPECT_TRUE(fs::exists(latest / "results.jsonl"));
  for (const char* report : {"report.json", "junit.xml", "index.html", "checklist.md", "sla.md"}) {
    EXPECT_TRUE(fs::exists(latest / report)) << report;
    EXPECT_TRUE(fs::exists(rerendered / report)) << report;
  }

  const auto findings = scan(texts, forms);
  std::string listing;
  for (const auto& finding : findings) listing += "  " + finding + "\n";
  EXPECT_TRUE(findings.empty()) << findings.size() << " leaks:\n" << listing;
  RecordProperty("files_scanned", static_cast<int>(files));
  RecordProperty("forms_per_place", static_cast<int>(forms.size()));
}

}  // namespace
}  // namespace golive::testing
