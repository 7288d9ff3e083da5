// The workflows shipped in e2e/workflows parse, and each one that creates a
// user also deletes it in cleanup.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/input_error.hpp"
#include "e2e/e2e_suite.hpp"
#include "e2e/workflow_parser.hpp"

namespace golive::e2e {
namespace {

std::string shipped_dir() {
  return default_workflows_dir(GOLIVE_SOURCE_DIR);
}

TEST(ShippedWorkflowsTest, EveryJourneyOfTheIssueIsShippedAndParses) {
  auto workflows = load_workflows(shipped_dir(), {});
  std::vector<std::string> names;
  for (const auto& workflow : workflows) names.push_back(workflow->name);
  std::vector<std::string> expected{"ai_job",           "cookie_session",  "course_purchase",
                                    "delete_account_cascade",
                                    "export_own_data",  "legal_pages",     "payment",
                                    "quota_exhausted",  "signup_login",    "token_redemption",
                                    "topics_pagination", "upload_limits"};
  EXPECT_EQ(names, expected);
  for (const auto& workflow : workflows) {
    EXPECT_FALSE(workflow->description.empty()) << workflow->name;
    EXPECT_FALSE(workflow->steps.empty()) << workflow->name;
  }
}

TEST(ShippedWorkflowsTest, UsersCreatedAreDeletedInCleanup) {
  for (const auto& workflow : load_workflows(shipped_dir(), {})) {
    // A signup, or GoTrue's admin API creating a user (common/new_user.json).
    bool signs_up = std::any_of(workflow->steps.begin(), workflow->steps.end(), [](const Step& s) {
      return s.method == "POST" && (s.name.find("signup") != std::string::npos ||
                                    s.name.find("new_user.create") != std::string::npos);
    });
    bool deletes = std::any_of(workflow->cleanup.begin(), workflow->cleanup.end(),
                               [](const Step& s) { return s.method == "DELETE"; });
    EXPECT_EQ(signs_up, deletes) << workflow->name;
  }
}

TEST(ShippedWorkflowsTest, SelectionByNameAndUnknownNames) {
  auto selected = load_workflows(shipped_dir(), {"payment", "legal_pages"});
  ASSERT_EQ(selected.size(), 2u);
  EXPECT_EQ(selected[0]->name, "payment");
  ASSERT_TRUE(selected[1]->dataset.has_value());
  EXPECT_EQ(selected[1]->dataset->rows.size(), 2u);
  try {
    load_workflows(shipped_dir(), {"paymnet"});
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), "--workflow");
    EXPECT_NE(e.problem().find("available: ai_job"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace golive::e2e
