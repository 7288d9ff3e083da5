// What a version endpoint's body names as the release under test.
#include "run/release_identity.hpp"

#include <gtest/gtest.h>

namespace golive::run {
namespace {

TEST(ReleaseIdentity, ReadsTheVersionFromJsonOrText) {
  EXPECT_EQ(version_from_body(R"({"version": "1.4.2"})"), "1.4.2");
  EXPECT_EQ(version_from_body(R"({"version": "1.4.2", "commit": "9f3c"})"), "1.4.2 (commit 9f3c)");
  EXPECT_EQ(version_from_body(R"({"git_sha": "9f3c"})"), "9f3c");
  EXPECT_EQ(version_from_body(R"({"release": 7})"), "7");
  EXPECT_EQ(version_from_body("v2.0.0\nbuilt by ci\n"), "v2.0.0");
  EXPECT_EQ(version_from_body(R"("3.1")"), "3.1");
  // A health document names no release.
  EXPECT_EQ(version_from_body(R"({"status": "ok"})"), "");
  EXPECT_EQ(version_from_body("42"), "");
  EXPECT_EQ(version_from_body("   \n"), "");
  EXPECT_EQ(version_from_body(std::string(500, 'x')).size(), 123u);  // 120 and "..."
}

TEST(ReleaseIdentity, TheCheckPassesFailsOrSkips) {
  ReleaseIdentity known{"1.4.2", "http://h/version", "", "env.json", "ab"};
  EXPECT_EQ(release_check(known).status, core::CheckStatus::kPass);
  EXPECT_EQ(release_check(known).message, "release 1.4.2 (from http://h/version)");
  ReleaseIdentity broken{"", "http://h/version", "GET answered HTTP 500", "env.json", "ab"};
  EXPECT_EQ(release_check(broken).status, core::CheckStatus::kFail);
  ReleaseIdentity unknown{"", "", "", "env.json", "ab"};
  EXPECT_EQ(release_check(unknown).status, core::CheckStatus::kSkip);
  const auto fields = release_run_start_fields(known);
  EXPECT_EQ(fields["release"]["version"], "1.4.2");
  EXPECT_EQ(fields["environment"]["sha256"], "ab");
}

}  // namespace
}  // namespace golive::run
