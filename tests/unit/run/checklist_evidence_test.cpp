// The go-live checklist's evidence is checked, not hoped for: every pattern of
// reports/checklist.json must match an id some suite declares it can emit
// (run/check_registry.hpp), the registry must know every id a real clean run
// emitted (tests/data/checklist/clean_run.jsonl, a `golive run` against the
// embedded reference target, evidence stripped), and on that run every
// verifiable item must be verified except those awaiting a check golive
// does not have yet. Nothing here starts a target: a seeded defect's own
// test runs only its stage.
//
// Re-record the clean run after changing what a clean run emits:
//   build/cli/golive run --out /tmp/clean
//   jq -c 'if .record then select(.record == "run_start" or .record == "run_end")
//          else {id, suite, title, status, severity, checklist} end'
//      /tmp/clean/latest/results.jsonl > tests/data/checklist/clean_run.jsonl
// (one command: the jq program, then the file)
#include "run/check_registry.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/result_stream.hpp"
#include "reports/checklist.hpp"
#include "reports/report_model.hpp"

namespace golive::run {
namespace {

const char* const kCleanRun = GOLIVE_TEST_DATA "/checklist/clean_run.jsonl";

const std::vector<RegisteredCheckId>& registry() {
  static const std::vector<RegisteredCheckId> ids = check_id_registry();
  return ids;
}

const core::ResultStreamContents& clean_run() {
  static const core::ResultStreamContents contents = core::read_result_stream(kCleanRun);
  return contents;
}

TEST(CheckRegistry, EverySuiteDeclaresItsIds) {
  std::set<std::string> suites;
  for (const auto& entry : registry()) suites.insert(entry.suite);
  EXPECT_EQ(suites, (std::set<std::string>{"browser", "contract", "db", "e2e", "env", "infra", "load",
                                            "observability", "repo", "security"}));
  EXPECT_TRUE(instance_of("security.rls.static.{lint}.{schema}.{table}",
                          "security.rls.static.rls_enabled.public.topics"));
  EXPECT_TRUE(instance_of("e2e.legal_pages.row{n}.public_page", "e2e.legal_pages.row2.public_page"));
  EXPECT_FALSE(instance_of("env.valid", "env.valid.more"));
}

TEST(ChecklistEvidence, EveryPatternMatchesAnIdTheSuitesCanEmit) {
  for (const auto& item : report::embedded_checklist().items) {
    for (const auto& pattern : item.evidence) {
      const std::string glob = report::template_as_glob(pattern);
      bool matched = false;
      for (const auto& entry : registry()) {
        if (report::globs_overlap(glob, report::template_as_glob(entry.id_template))) {
          matched = true;
          break;
        }
      }
      EXPECT_TRUE(matched) << item.id << ": evidence pattern \"" << pattern
                           << "\" matches no check id any suite declares (run/check_registry.hpp)";
    }
  }
}

TEST(ChecklistEvidence, TheRegistryKnowsEveryIdOfACleanRun) {
  ASSERT_GT(clean_run().checks.size(), 100u) << kCleanRun;
  for (const auto& check : clean_run().checks) {
    bool known = false;
    for (const auto& entry : registry()) {
      if (entry.suite == check.suite && instance_of(entry.id_template, check.id)) {
        known = true;
        break;
      }
    }
    EXPECT_TRUE(known) << check.id << " (" << check.suite
                       << ") is emitted but not declared in its suite's check_ids";
  }
}

TEST(ChecklistEvidence, ChecksNameOnlyRealItems) {
  std::set<std::string> items;
  for (const auto& item : report::embedded_checklist().items) items.insert(item.id);
  for (const auto& check : clean_run().checks) {
    for (const auto& id : check.checklist) {
      EXPECT_TRUE(items.count(id)) << check.id << " names checklist item \"" << id
                                   << "\", which reports/checklist.json does not have";
    }
  }
}

TEST(ChecklistEvidence, ACleanRunVerifiesEveryVerifiableItem) {
  core::Redactor redactor;
  const auto model = report::build_report_model(clean_run(), report::embedded_checklist(), redactor);
  std::set<std::string> awaiting;
  for (const auto& entry : model.checklist) {
    const std::string& id = entry.item.id;
    if (!entry.item.verifiable()) continue;
    if (!entry.item.awaiting.empty()) {
      awaiting.insert(id);
      continue;
    }
    EXPECT_EQ(entry.status, report::ChecklistStatus::kVerifiedPass)
        << id << " is " << report::to_string(entry.status) << " on a clean run: " << entry.note;
  }
  // Named so a new gap is a decision, not an accident.
  EXPECT_EQ(awaiting, (std::set<std::string>{}));
  // The recorded run was a strict one (golive run --strict), and it passed.
  EXPECT_TRUE(model.run.strict);
  EXPECT_EQ(model.verdict, report::Verdict::kPass) << model.verdict_reasons.size();
}

TEST(ChecklistEvidence, EveryReasonSaysWhatWouldEvidenceIt) {
  for (const auto& item : report::embedded_checklist().items) {
    if (item.verifiable()) continue;
    // "needs", "reads", "would", "checks", "evidences": a reason names a way, not only an obstacle.
    const std::string& reason = item.not_verifiable;
    const bool names_a_way = reason.find("needs") != std::string::npos ||
                             reason.find("reads") != std::string::npos ||
                             reason.find("would") != std::string::npos ||
                             reason.find("checks") != std::string::npos ||
                             reason.find("evidences") != std::string::npos;
    EXPECT_TRUE(names_a_way) << item.id << ": " << reason;
  }
}

}  // namespace
}  // namespace golive::run
