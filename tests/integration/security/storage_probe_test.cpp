// The storage and secrets families against the real reference target: the
// clean target gives zero storage findings and leaves no object or user
// behind; each storage defect (storage-public,
// signed-url-no-expiry, upload-no-limits) makes its intended checks fail;
// the suite's secrets scan records the missing bundle as a skip and finds
// nothing in the served pages.
#include "security/storage_probe.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <pqxx/pqxx>

#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "security/http_security_suite.hpp"
#include "tests/support/curl_reproduction.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::security {
namespace {

testing::ReferenceEnv& target() {
  // Two signups per run, several runs: the service's default limit of 10
  // signups a minute per IP would end the later runs early.
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::unsetenv("GOLIVE_REF_CAPTCHA_REQUIRED");
  return testing::shared_reference_env();
}

struct FamilyRun {
  std::map<std::string, core::CheckResult> checks;
  double seconds = 0;  // wall time of the whole family
};

FamilyRun run_family(const std::string& family) {
  core::Redactor redactor;
  const config::Environment env =
      config::load_environment(target().write_env_file(), config::process_variables(), redactor);
  core::CollectingSink sink;
  HttpSecurityOptions options;
  options.families = {family};
  const auto started = std::chrono::steady_clock::now();
  run_http_security_suite(env, options, sink);
  FamilyRun run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& check : sink.results()) run.checks[check.id] = check;
  return run;
}

std::string failures(const std::map<std::string, core::CheckResult>& checks) {
  std::string text;
  for (const auto& [id, check] : checks) {
    if (check.failed()) text += id + ": " + check.message + "\n";
  }
  return text;
}

core::CheckStatus status_of(const FamilyRun& run, const std::string& id) {
  const auto it = run.checks.find(id);
  if (it == run.checks.end()) ADD_FAILURE() << id << " was not recorded";
  return it == run.checks.end() ? core::CheckStatus::kError : it->second.status;
}

// The curl reproduction a failing check carries (parsed; its problems are test failures).
std::optional<testing::CurlReproduction> reproduction_of(const FamilyRun& run,
                                                         const std::string& id,
                                                         const std::string& method,
                                                         const std::string& path) {
  const auto it = run.checks.find(id);
  if (it == run.checks.end()) {
    ADD_FAILURE() << id << " was not recorded";
    return std::nullopt;
  }
  std::string problems;
  auto curl = testing::parse_curl_reproduction(it->second.evidence, method,
                                               target().base_url() + path,
                                               testing::reference_secret_values(target()), &problems);
  EXPECT_EQ(problems, "") << id;
  return curl;
}

// Rows the probe could have left: objects named golive-probe-*, users golive-sec-*.
std::pair<long, long> leftovers() {
  pqxx::connection db(target().database_url());
  pqxx::work txn(db);
  const long objects =
      txn.exec1("SELECT count(*) FROM storage.objects WHERE name LIKE '%/golive-probe-%'")[0]
          .as<long>();
  const long users =
      txn.exec1("SELECT count(*) FROM auth.users WHERE email LIKE 'golive-sec-%'")[0].as<long>();
  return {objects, users};
}

const char* const kStorageChecks[] = {
    "security.storage.bucket_private.anon_read",
    "security.storage.bucket_private.public_url",
    "security.storage.cross_user.read",
    "security.storage.cross_user.sign",
    "security.storage.cross_user.delete",
    "security.storage.signed_url.valid_before_expiry",
    "security.storage.signed_url.expires",
    "security.storage.upload_type.html",
    "security.storage.upload_type.disguised_executable",
    "security.storage.upload_size.over_limit",
};

TEST(StorageProbeIntegrationTest, CleanTargetHasZeroStorageFindingsAndCleansUp) {
  target().restart_service({});
  const auto before = leftovers();
  const FamilyRun run = run_family("storage");
  EXPECT_EQ(failures(run.checks), "");
  for (const char* id : kStorageChecks) {
    EXPECT_EQ(status_of(run, id), core::CheckStatus::kPass) << id;
  }
  EXPECT_EQ(run.checks.size(), std::size(kStorageChecks));  // no setup or cleanup record
  // The oversize upload is refused by the upload policy (413), not the transport.
  EXPECT_EQ(
      run.checks.at("security.storage.upload_size.over_limit").evidence.at("response").at("status"),
      413);
  EXPECT_EQ(run.checks.at("security.storage.upload_size.over_limit").evidence.at("bytes"),
            11 * 1024 * 1024);
  // Expired after the 2 s asked for, and the bounded wait was respected.
  const double waited =
      run.checks.at("security.storage.signed_url.expires").evidence.at("waited_s");
  EXPECT_GE(waited, 2.0);
  EXPECT_LE(waited, 10.5);
  EXPECT_EQ(leftovers(), before) << "the probe left objects or users behind";
  std::cout << "[ storage ] clean run took " << run.seconds << " s\n";
}

TEST(StorageProbeIntegrationTest, PublicStorageFailsThePrivacyChecks) {
  target().restart_service({"storage-public"});
  const auto before = leftovers();
  const FamilyRun run = run_family("storage");
  EXPECT_EQ(status_of(run, "security.storage.bucket_private.anon_read"), core::CheckStatus::kFail);
  EXPECT_EQ(status_of(run, "security.storage.bucket_private.public_url"), core::CheckStatus::kFail);
  EXPECT_EQ(status_of(run, "security.storage.cross_user.read"), core::CheckStatus::kFail);
  // Each carries its download as curl: anonymous with the anon key, or as user B.
  const auto anon = reproduction_of(run, "security.storage.bucket_private.anon_read", "GET",
                                    "/storage/v1/object/");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->header("apikey"), "${GOLIVE_REF_ANON_KEY}");
  EXPECT_FALSE(anon->header("Authorization"));
  const auto cross = reproduction_of(run, "security.storage.cross_user.read", "GET",
                                     "/storage/v1/object/");
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->header("Authorization"), "Bearer ${GOLIVE_TOKEN}");
  EXPECT_FALSE(run.checks.at("security.storage.cross_user.delete").evidence.contains("reproduction"));
  // The other families of the probe are unaffected by this defect.
  EXPECT_EQ(status_of(run, "security.storage.signed_url.expires"), core::CheckStatus::kPass);
  EXPECT_EQ(status_of(run, "security.storage.upload_size.over_limit"), core::CheckStatus::kPass);
  EXPECT_EQ(status_of(run, "security.storage.cross_user.delete"), core::CheckStatus::kPass);
  EXPECT_EQ(leftovers(), before);
}

TEST(StorageProbeIntegrationTest, SignedUrlsWithoutExpiryFailTheExpiryCheck) {
  target().restart_service({"signed-url-no-expiry"});
  const FamilyRun run = run_family("storage");
  EXPECT_EQ(status_of(run, "security.storage.signed_url.expires"), core::CheckStatus::kFail);
  // The expired URL's download as curl, its token (a credential) as a variable.
  const auto download = reproduction_of(run, "security.storage.signed_url.expires", "GET",
                                        "/storage/v1/object/sign/");
  ASSERT_TRUE(download);
  EXPECT_NE(download->url.find("?token=${GOLIVE_SIGNED_URL_TOKEN}"), std::string::npos) << download->url;
  EXPECT_EQ(status_of(run, "security.storage.signed_url.valid_before_expiry"),
            core::CheckStatus::kPass);
  EXPECT_EQ(status_of(run, "security.storage.bucket_private.anon_read"), core::CheckStatus::kPass);
  EXPECT_EQ(status_of(run, "security.storage.upload_type.html"), core::CheckStatus::kPass);
}

TEST(StorageProbeIntegrationTest, UnlimitedUploadsFailTheTypeAndSizeChecks) {
  target().restart_service({"upload-no-limits"});
  const auto before = leftovers();
  const FamilyRun run = run_family("storage");
  EXPECT_EQ(status_of(run, "security.storage.upload_type.html"), core::CheckStatus::kFail);
  EXPECT_EQ(status_of(run, "security.storage.upload_type.disguised_executable"),
            core::CheckStatus::kFail);
  EXPECT_EQ(status_of(run, "security.storage.upload_size.over_limit"), core::CheckStatus::kFail);
  EXPECT_EQ(status_of(run, "security.storage.signed_url.expires"), core::CheckStatus::kPass);
  // The uploads as curl: the declared type and body, the 11 MiB one as a file to save.
  const auto html = reproduction_of(run, "security.storage.upload_type.html", "POST",
                                    "/storage/v1/object/");
  ASSERT_TRUE(html);
  EXPECT_EQ(html->header("Content-Type"), "text/html");
  EXPECT_EQ(html->header("Authorization"), "Bearer ${GOLIVE_TOKEN}");
  EXPECT_NE(html->body.find("<"), std::string::npos) << html->body;
  const auto large = reproduction_of(run, "security.storage.upload_size.over_limit", "POST",
                                     "/storage/v1/object/");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->body, "@request-body.bin");
  // The accepted uploads were deleted again.
  EXPECT_EQ(leftovers(), before);
}

// A store that validates only the declared type (Supabase Storage's
// allowed_mime_types): the HTML upload is refused, the disguised executable is
// a finding of medium severity that says why, not a high one.
TEST(StorageProbeIntegrationTest, ADeclaredTypeOnlyStoreIsAMediumFindingWithItsReason) {
  target().restart_service({"upload-type-only"});
  const auto before = leftovers();
  const FamilyRun run = run_family("storage");
  EXPECT_EQ(status_of(run, "security.storage.upload_type.html"), core::CheckStatus::kPass);
  const core::CheckResult& disguised =
      run.checks.at("security.storage.upload_type.disguised_executable");
  EXPECT_EQ(disguised.status, core::CheckStatus::kFail);
  EXPECT_EQ(disguised.severity, core::Severity::kMedium);
  EXPECT_NE(disguised.message.find("validates only the declared Content-Type"), std::string::npos)
      << disguised.message;
  EXPECT_EQ(leftovers(), before);
}

TEST(StorageProbeIntegrationTest, SuiteSecretsScanSkipsTheUnnamedBundleAndFindsNothing) {
  target().restart_service({});
  const FamilyRun run = run_family("secrets");
  EXPECT_EQ(status_of(run, "security.secrets.bundle"), core::CheckStatus::kSkip);
  EXPECT_NE(run.checks.at("security.secrets.bundle").message.find("bundle_urls"),
            std::string::npos);
  for (const char* id : {"security.secrets.stripe_live_key", "security.secrets.service_role_jwt",
                         "security.secrets.private_key_pem"}) {
    EXPECT_EQ(status_of(run, id), core::CheckStatus::kPass) << id;
  }
  // /terms and /privacy are served; "/" is not, and that is no error.
  EXPECT_GE(
      run.checks.at("security.secrets.stripe_live_key").evidence.at("documents_scanned").get<int>(),
      2);
  EXPECT_EQ(failures(run.checks), "");
}

TEST(StorageSettingsTest, BadValuesAreInputErrorsNamingTheirPointer) {
  config::Environment env;
  env.source_file = "env.json";
  env.sections["security"] = {{"storage", {{"signed_url_expires_in_s", 0}}}};
  EXPECT_THROW((void)read_storage_settings(env), core::InputError);
  env.sections["security"] = {
      {"storage", {{"max_upload_bytes", 2048}, {"oversize_upload_bytes", 1024}}}};
  try {
    (void)read_storage_settings(env);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), "env.json");
    EXPECT_EQ(error.location(), "/security/storage/oversize_upload_bytes");
  }
  env.sections["security"] = {{"storage", {{"bucket", "uploads"}, {"max_expiry_wait_s", 5}}}};
  const StorageSettings settings = read_storage_settings(env);
  EXPECT_EQ(settings.max_expiry_wait, std::chrono::seconds(5));
  EXPECT_EQ(settings.signed_url_expires_in_s, 2);
}

}  // namespace
}  // namespace golive::security
