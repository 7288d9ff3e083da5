// The secrets scanner on real temporary files: each kind of secret is found
// at its exact byte offset and shown only redacted; clean files, publishable
// and test Stripe keys, anon JWTs and prose about PEM headers pass; binaries,
// .git and the per-file bound behave; and `golive probe secrets` reports
// findings through its exit code and refuses a bad --path with exit 2.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "target/crypto.hpp"
#include "core/input_error.hpp"
#include "target/jwt.hpp"
#include "core/redactor.hpp"
#include "core/result_stream.hpp"
#include "security/secrets_probe.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::security {
namespace {

namespace fs = std::filesystem;

// Built from pieces so this test file itself holds no scannable secret.
std::string live_key(const char* prefix) {
  return std::string(prefix) + "_" + "live_" + "51HxGolive0Test0Key0Material0Abc";
}
std::string pem_block(const std::string& type) {
  return std::string("-----BEGIN ") + type + "PRIVATE KEY-----\n" +
         "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7golive0test\n" + "-----END " + type +
         "PRIVATE KEY-----";
}
std::string service_role_jwt() {
  return target::jwt_sign_hs256({{"iss", "supabase"}, {"role", "service_role"}, {"iat", 1700000000}},
                              "golive-test-signing-key");
}
std::string anon_jwt() {
  return target::jwt_sign_hs256({{"iss", "supabase"}, {"role", "anon"}, {"iat", 1700000000}},
                              "golive-test-signing-key");
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("golive-secrets-" + core::random_hex(6))) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

SecretScanReport scan(const std::string& path, SecretScanLimits limits = {}) {
  SecretScanReport report;
  scan_path(path, limits, report);
  return report;
}

TEST(SecretScanner, FindsALiveStripeSecretKeyAtItsOffset) {
  TempDir dir;
  const std::string key = live_key("sk");
  const std::string prefix = "export const stripe = Stripe('";
  const std::string file = dir.write("src/payments.js", prefix + key + "');\n");
  const auto report = scan(file);
  ASSERT_EQ(report.findings.size(), 1u);
  const auto& found = report.findings[0];
  EXPECT_EQ(found.source, file);
  EXPECT_EQ(found.finding.kind, SecretKind::kStripeLiveKey);
  EXPECT_EQ(found.finding.offset, prefix.size());
  EXPECT_EQ(found.finding.length, key.size());
  EXPECT_EQ(found.finding.redacted, "sk_live_\u2026");
}

TEST(SecretScanner, FindsARestrictedLiveKey) {
  const std::string text = "STRIPE_KEY=" + live_key("rk") + "\n";
  const auto findings = scan_for_secrets(text);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].offset, 11u);
  EXPECT_EQ(findings[0].redacted, "rk_live_\u2026");
}

TEST(SecretScanner, FindsAServiceRoleJwtButNotAnAnonOne) {
  TempDir dir;
  const std::string anon = anon_jwt();
  const std::string service = service_role_jwt();
  const std::string head = "SUPABASE_ANON_KEY=" + anon + "\nSUPABASE_SERVICE_ROLE_KEY=";
  const std::string file = dir.write(".env.production", head + service + "\n");
  const auto report = scan(dir.str());
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].source, file);
  EXPECT_EQ(report.findings[0].finding.kind, SecretKind::kServiceRoleJwt);
  EXPECT_EQ(report.findings[0].finding.offset, head.size());
  EXPECT_EQ(report.findings[0].finding.length, service.size());
  EXPECT_EQ(report.findings[0].finding.redacted, "eyJ\u2026");
}

TEST(SecretScanner, FindsPemPrivateKeysWithTheirWholeBlock) {
  const std::string lead = "const key = `";
  const std::string block = pem_block("RSA ");
  const auto findings = scan_for_secrets(lead + block + "`;\n" + pem_block(""));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].kind, SecretKind::kPrivateKeyPem);
  EXPECT_EQ(findings[0].offset, lead.size());
  EXPECT_EQ(findings[0].length, block.size());
  EXPECT_EQ(findings[0].redacted, "-----BEGIN RSA PRIVATE KEY-----\u2026");
  EXPECT_EQ(findings[1].redacted, "-----BEGIN PRIVATE KEY-----\u2026");
}

TEST(SecretScanner, PublishableTestKeysProseAndLookAlikesAreNotFlagged) {
  const std::string text =
      "pk_test_51HxGolive0Test0Key0Material0Abc pk_live_51HxGolive0Test0Key0Material0Abc\n"
      "sk_test_51HxGolive0Test0Key0Material0Abc\n"
      "task_live_51HxGolive0Test0Key0Material0Abc (not a key: no word start)\n"
      "sk_live_short and sk_live_... in the docs\n"
      "Paste the key that starts with -----BEGIN PRIVATE KEY----- into the vault.\n"
      "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n" +
      anon_jwt() + " eyJnot.a.jwt eyJ";
  EXPECT_TRUE(scan_for_secrets(text).empty());
}

TEST(SecretScanner, FindsSeveralSecretsInOrder) {
  const std::string text = live_key("sk") + " " + service_role_jwt() + " " + live_key("rk");
  const auto findings = scan_for_secrets(text);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].offset, 0u);
  EXPECT_EQ(findings[1].kind, SecretKind::kServiceRoleJwt);
  EXPECT_EQ(findings[2].offset, text.size() - live_key("rk").size());
}

TEST(SecretScanner, SkipsBinariesGitAndBytesPastTheBound) {
  TempDir dir;
  dir.write("image.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10) + live_key("sk"));
  dir.write(".git/objects/secret", live_key("sk"));
  dir.write("big.js", std::string(4096, ' ') + live_key("sk"));
  dir.write("clean.js", "console.log('hello');\n");
  SecretScanLimits limits;
  limits.max_file_bytes = 2048;
  const auto report = scan(dir.str(), limits);
  EXPECT_TRUE(report.findings.empty());
  EXPECT_EQ(report.coverage.skipped_binary, 1u);
  EXPECT_EQ(report.coverage.truncated, 1u);
  EXPECT_EQ(report.coverage.sources_scanned, 2u);  // big.js (prefix) and clean.js
  EXPECT_EQ(report.coverage.bytes_scanned, 2048u + 22u);
}

TEST(SecretsProbeChecks, CleanScanPassesEveryKind) {
  TempDir dir;
  dir.write("app.js", "const publishable = 'pk_test_51HxGolive0Test0Key0Material0Abc';\n");
  core::CollectingSink sink;
  record_secret_scan(scan(dir.str()), sink);
  const auto results = sink.results();
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << result.id << ": " << result.message;
    EXPECT_EQ(result.suite, "security");
    EXPECT_EQ(result.evidence.at("documents_scanned"), 1);
  }
  EXPECT_EQ(results[0].id, "security.secrets.stripe_live_key");
  EXPECT_EQ(results[1].id, "security.secrets.service_role_jwt");
  EXPECT_EQ(results[2].id, "security.secrets.private_key_pem");
}

TEST(SecretsProbeChecks, AFindingFailsNamingFileAndOffsetWithTheSecretRedacted) {
  TempDir dir;
  const std::string key = live_key("sk");
  const std::string file = dir.write("dist/assets/index-4f2a.js", "var k=\"" + key + "\";");
  core::CollectingSink sink;
  record_secret_scan(scan(dir.str()), sink);
  const auto results = sink.results();
  ASSERT_EQ(results.size(), 3u);  // the finding, and passes for the two other kinds
  const auto& finding = results[0];
  EXPECT_EQ(finding.status, core::CheckStatus::kFail);
  EXPECT_EQ(finding.severity, core::Severity::kCritical);
  EXPECT_EQ(finding.id, "security.secrets.stripe_live_key." + source_slug(file) + ".7");
  EXPECT_NE(finding.message.find(file), std::string::npos) << finding.message;
  EXPECT_NE(finding.message.find("at byte 7"), std::string::npos) << finding.message;
  EXPECT_NE(finding.message.find("sk_live_\u2026"), std::string::npos) << finding.message;
  EXPECT_EQ(finding.evidence.at("offset"), 7);
  EXPECT_EQ(finding.evidence.at("length"), key.size());
  EXPECT_EQ(finding.evidence.at("source"), file);
  const std::string everything = core::to_json(finding).dump();
  EXPECT_EQ(everything.find(key), std::string::npos) << "the secret leaked into the result";
  // Registered with the redactor, so no writer can print it.
  EXPECT_EQ(core::Redactor::global().redact("x " + key + " y"), "x [REDACTED] y");
  EXPECT_EQ(results[1].status, core::CheckStatus::kPass);
}

TEST(SecretsProbeChecks, NothingScannedIsASkipNotAPass) {
  TempDir dir;
  dir.write("blob.bin", std::string("\0\1\2", 3));
  core::CollectingSink sink;
  record_secret_scan(scan(dir.str()), sink);
  for (const auto& result : sink.results()) EXPECT_EQ(result.status, core::CheckStatus::kSkip);
}

TEST(SecretSources, MissingPathIsAnInputErrorNamingIt) {
  try {
    validate_scan_paths({"/nonexistent/golive-dist"});
    FAIL() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), "/nonexistent/golive-dist");
  }
}

TEST(SecretSources, ScriptSourcesAreResolvedAgainstThePage) {
  const std::string html =
      "<html><head><script type=module SRC=\"/assets/index-4f2a.js\"></script>"
      "<script src='vendor.js' defer></script><script>inline()</script>"
      "<script src=\"https://cdn.example.com/app.js\"></script>"
      "<script src=\"//cdn.example.com/lib.js\"></script>"
      "<script src=\"data:text/javascript,1\"></script></head></html>";
  const auto urls = script_sources(html, "http://127.0.0.1:8080/app/index.html");
  EXPECT_EQ(urls,
            (std::vector<std::string>{
                "http://127.0.0.1:8080/app/vendor.js", "http://127.0.0.1:8080/assets/index-4f2a.js",
                "http://cdn.example.com/lib.js", "https://cdn.example.com/app.js"}));
}

TEST(SecretSources, SourceSlugIsAnIdSegment) {
  EXPECT_EQ(source_slug("dist/assets/Index-4f2a.js"), "dist_assets_index_4f2a_js");
  EXPECT_EQ(source_slug("https://cdn.example.com/app.js"), "cdn_example_com_app_js");
  EXPECT_EQ(source_slug("http://127.0.0.1:43117/assets/app.js"), "127_0_0_1_assets_app_js");
  EXPECT_EQ(source_slug("///"), "source");
  EXPECT_LE(source_slug(std::string(200, 'a') + "/x.js").size(), 60u);
}

// ---- fetched documents (a scripted server on 127.0.0.1) --------------------

TEST(SecretsSuiteScan, FollowsThePagesScriptsAndFindsAServiceRoleKeyInTheBundle) {
  testing::TestHttpServer server;
  const std::string head = "const supabase = createClient(url, \"";
  const std::string service = service_role_jwt();
  server.on("/index.html", [](const testing::TestRequest&) {
    return testing::TestReply{200,
                              {{"Content-Type", "text/html"}},
                              "<html><script type=module src=\"/assets/app.js\"></script>"
                              "<script src=\"https://cdn.golive.invalid/lib.js\"></script></html>"};
  });
  server.on("/assets/app.js", [&](const testing::TestRequest&) {
    return testing::TestReply{200, {{"Content-Type", "text/javascript"}}, head + service + "\");"};
  });
  config::Environment env;
  env.source_file = "<test>";
  env.name = "scripted";
  env.base_url = server.url("");
  env.sections["security"] = {{"secrets", {{"page_paths", {"/index.html", "/absent"}}}}};
  core::CollectingSink sink;
  run_secrets_probe(env, std::chrono::seconds(5), sink);
  std::map<std::string, core::CheckResult> checks;
  for (const auto& check : sink.results()) checks[check.id] = check;

  EXPECT_EQ(checks.at("security.secrets.bundle").status, core::CheckStatus::kSkip);
  const std::string id =
      "security.secrets.service_role_jwt.127_0_0_1_assets_app_js." + std::to_string(head.size());
  ASSERT_EQ(checks.count(id), 1u) << "recorded: " << [&] {
    std::string ids;
    for (const auto& [key, value] : checks) ids += key + " ";
    return ids;
  }();
  EXPECT_EQ(checks.at(id).status, core::CheckStatus::kFail);
  EXPECT_EQ(checks.at(id).evidence.at("source"), server.url("/assets/app.js"));
  EXPECT_EQ(core::to_json(checks.at(id)).dump().find(service), std::string::npos);
  // The finding carries the GET that returned the bundle, as curl.
  const std::string reproduction = checks.at(id).evidence.value("reproduction", "");
  EXPECT_NE(reproduction.find("curl"), std::string::npos) << checks.at(id).evidence.dump();
  EXPECT_NE(reproduction.find(server.url("/assets/app.js")), std::string::npos) << reproduction;
  // The CDN script is outside the allowlist: listed, never fetched; /absent is no error.
  const auto& stripe = checks.at("security.secrets.stripe_live_key");
  EXPECT_EQ(stripe.status, core::CheckStatus::kPass);
  EXPECT_EQ(stripe.evidence.at("documents_scanned"), 2);
  EXPECT_EQ(stripe.evidence.at("not_allowed"),
            nlohmann::json::array({"https://cdn.golive.invalid/lib.js"}));
  for (const auto& [key, check] : checks) {
    EXPECT_EQ(key.rfind("security.secrets.unreadable", 0), std::string::npos) << key;
  }
}

TEST(SecretsSuiteScan, ANamedBundleThatIsMissingIsAnError) {
  testing::TestHttpServer server;
  config::Environment env;
  env.source_file = "<test>";
  env.base_url = server.url("");
  env.sections["security"] = {
      {"secrets", {{"bundle_urls", {"/assets/gone.js"}}, {"page_paths", {"/ok"}}}}};
  core::CollectingSink sink;
  run_secrets_probe(env, std::chrono::seconds(5), sink);
  std::map<std::string, core::CheckResult> checks;
  for (const auto& check : sink.results()) checks[check.id] = check;
  EXPECT_EQ(checks.at("security.secrets.bundle").status, core::CheckStatus::kError);
  EXPECT_EQ(checks.at("security.secrets.unreadable.127_0_0_1_assets_gone_js").status,
            core::CheckStatus::kError);
}

TEST(SecretsSuiteScan, BadSettingsAreInputErrorsWithTheirPointer) {
  config::Environment env;
  env.source_file = "env.json";
  env.sections["security"] = {{"secrets", {{"bundle_urls", {"assets/app.js"}}}}};
  try {
    (void)read_secrets_settings(env);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), "env.json");
    EXPECT_EQ(error.location(), "/security/secrets/bundle_urls/0");
  }
}

// ---- the CLI --------------------------------------------------------------

struct CliRun {
  int exit_code = -1;
  std::string output;
};

CliRun run_golive(const std::string& arguments, const std::string& out_file) {
  const std::string command =
      std::string(GOLIVE_BINARY) + " " + arguments + " > " + out_file + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream file(out_file);
  std::stringstream text;
  text << file.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

TEST(ProbeSecretsCommand, ExitCodesAndRedactedOutput) {
  if (!fs::exists(GOLIVE_BINARY)) GTEST_SKIP() << "golive binary not built";
  TempDir dir;
  const std::string out = dir.str() + "/out";
  const std::string console = dir.str() + "/console.txt";

  const CliRun missing =
      run_golive("probe secrets --path " + dir.str() + "/no-such-dir --out " + out, console);
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find(dir.str() + "/no-such-dir"), std::string::npos) << missing.output;

  const CliRun bad_flag = run_golive("probe secrets --no-such-flag", console);
  EXPECT_EQ(bad_flag.exit_code, 2) << bad_flag.output;

  dir.write("clean/app.js", "console.log('pk_test_51HxGolive0Test0Key0Material0Abc');\n");
  const CliRun clean =
      run_golive("probe secrets --path " + dir.str() + "/clean --out " + out, console);
  EXPECT_EQ(clean.exit_code, 0) << clean.output;

  const std::string key = live_key("sk");
  dir.write("leaky/config.js", "const k = '" + key + "';\n");
  const CliRun leaky =
      run_golive("probe secrets --path " + dir.str() + "/leaky --out " + out, console);
  EXPECT_EQ(leaky.exit_code, 1) << leaky.output;
  EXPECT_NE(leaky.output.find("security.secrets.stripe_live_key."), std::string::npos)
      << leaky.output;
  EXPECT_NE(leaky.output.find("at byte 11 of"), std::string::npos) << leaky.output;
  EXPECT_EQ(leaky.output.find(key), std::string::npos) << "the secret was printed";

  const CliRun help = run_golive("probe secrets --help", console);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--path"), std::string::npos);
  EXPECT_NE(help.output.find("security.secrets.<kind>.<source>.<offset>"), std::string::npos);
}

}  // namespace
}  // namespace golive::security
