// The go-live checklist: the items of the seeds' go-live checklist and
// acceptance criteria (defined in reports/checklist.json), and their status in
// one run, decided from the check results that evidence each item.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/check_result.hpp"
#include "core/glob.hpp"

namespace golive::report {

// How an item's evidence patterns combine.
enum class EvidenceMatch {
  kAny,  // at least one check matches any pattern
  kAll,  // every pattern matches at least one passing check
};

struct ChecklistItem {
  std::string id;      // "s000.security.rls_all_tables", "s001.R4.4"
  std::string source;  // "seed 001 · Requirement 4 Security"
  std::string text;    // the requirement, as the seed words it
  // Check ids, globs ("security.rls.static.*") or id templates
  // ("e2e.legal_pages.row{n}.public_page"); empty when not verifiable.
  std::vector<std::string> evidence;
  EvidenceMatch match = EvidenceMatch::kAny;
  // Failed checks below this severity do not fail the item (they are still listed).
  core::Severity min_failing_severity = core::Severity::kInfo;
  std::string not_verifiable;  // why golive cannot verify it; empty when it can
  // The check golive does not have yet that this claim also needs, and who
  // builds it ("infra.database.replication: the infrastructure suite").
  // While it is set the item is not verified, whatever `evidence` shows, and
  // a strict gate does not count it as a gap of this run.
  std::string awaiting;

  bool verifiable() const { return not_verifiable.empty(); }
};

struct ChecklistDefinition {
  std::string origin;                // file it came from, or "<embedded reports/checklist.json>"
  std::vector<ChecklistItem> items;  // in file order (seed order)
};

// Parses and validates a checklist document: unique ids, non-empty text and
// source, and exactly one of `evidence` (non-empty) or `not_verifiable`.
// Throws core::InputError naming `origin` and the JSON pointer.
ChecklistDefinition parse_checklist(const nlohmann::json& document, const std::string& origin);
ChecklistDefinition load_checklist_file(const std::string& path);
// reports/checklist.json as compiled into the library.
const ChecklistDefinition& embedded_checklist();

// '*' matches any run of characters (dots included); everything else is literal.
using core::glob_match;
// A check-id template ("security.rls.static.{lint}.{schema}.{table}", as the
// suites declare what they can emit) as a glob: each "{name}" becomes '*'.
std::string template_as_glob(std::string_view id_template);
// True when some text matches both globs: an evidence pattern and a
// template's glob overlap exactly when the template can emit an id the
// pattern matches.
bool globs_overlap(std::string_view a, std::string_view b);

enum class ChecklistStatus { kVerifiedPass, kVerifiedFail, kNotVerified, kNotVerifiable };
const char* to_string(ChecklistStatus status);  // "verified-pass", ...

struct ChecklistEntry {
  ChecklistItem item;
  ChecklistStatus status = ChecklistStatus::kNotVerified;
  std::vector<std::string> evidence_ids;  // every matching check id, sorted, unique
  std::vector<std::string> failing_ids;   // matching checks that fail the item, sorted
  // One sentence on why this status: the reason it is not verifiable, the
  // patterns that matched nothing, or counts of skipped and tolerated checks.
  std::string note;
};

// Decides every item's status from the checks of one run. A check evidences
// an item when its id matches one of the item's patterns or when the item's
// id is listed in the check's own `checklist` field.
//  verified-fail: a matching check failed or errored (at or above min_failing_severity);
//  verified-pass: no such failure and at least one matching check passed
//                 (with match "all": at least one passing check per pattern);
//  not-verified:  otherwise (nothing matched, or only skipped checks), and
//                 always while the item is `awaiting` a check golive lacks;
//  not-verifiable-by-golive: the item carries a not_verifiable reason.
std::vector<ChecklistEntry> evaluate_checklist(const ChecklistDefinition& definition,
                                               const std::vector<core::CheckResult>& checks);

}  // namespace golive::report
