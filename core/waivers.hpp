// Waivers: the one model every suite and the go-live checklist use to accept
// a known failure for a while. A waiver names what it covers (a check id, a
// glob of check ids, or a checklist item id), why, who owns it and when it
// expires. A failure a live waiver covers is reported as waived everywhere
// (console, report.json, junit.xml as skipped, index.html, a SARIF
// suppression) and does not fail the gate; once the waiver has expired the
// failure fails the gate again, and the reason names the owner.
//
// The file (golive.waivers.json, or the environment's "waivers": a path
// relative to the environment file, or the list itself):
//   {"waivers": [
//     {"check": "security.headers.csp", "reason": "CSP ships with the new CDN",
//      "owner": "alice@example.com", "expires": "2026-12-31"},
//     {"check": "security.rls.static.unindexed_foreign_keys.*", ...},
//     {"checklist": "s000.checklist.storage.documented", ...}]}
// Exactly one of "check" and "checklist"; "expires" is a date, YYYY-MM-DD,
// and the waiver holds through that day (UTC). The run records the set it
// used as a `waivers` meta record, so `golive report render` reproduces it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/check_result.hpp"

namespace golive::core {

struct Waiver {
  std::string check;      // a check id or glob ('*'); "" when `checklist` is set
  std::string checklist;  // a go-live checklist item id; "" when `check` is set
  std::string reason;
  std::string owner;
  std::string expires;  // YYYY-MM-DD, inclusive
  std::string pointer;  // where it is in its file ("/waivers/2"), for messages

  // What it covers, for messages: "check security.headers.csp".
  std::string subject() const;
  // True when `today` (YYYY-MM-DD) is after `expires`; false when today is unknown ("").
  bool expired_on(const std::string& today) const;
  // True when it names this check (its id or glob) or a checklist item the check evidences.
  bool covers(const CheckResult& check) const;
};

struct WaiverSet {
  std::string source;  // the file, or "<env file>#/waivers"; "" when there are none
  std::vector<Waiver> waivers;

  bool empty() const { return waivers.empty(); }
  // The first waiver covering the check, or null.
  const Waiver* find(const CheckResult& check) const;
};

// `document` is {"waivers": [...]} or the bare list. Throws InputError naming
// `origin` and the JSON pointer of the first bad value.
// `base_pointer` locates `document` inside its file ("/waivers" in an environment file).
WaiverSet parse_waivers(const nlohmann::json& document, const std::string& origin,
                        const std::string& base_pointer = "");
// Reads and parses a waiver file. Throws InputError (unreadable, not JSON, invalid).
WaiverSet load_waivers_file(const std::string& path);

// The `waivers` meta record's body and back (read by reports/).
nlohmann::json waivers_record(const WaiverSet& set);
WaiverSet waivers_from_record(const nlohmann::json& record, const std::string& origin);

}  // namespace golive::core
