// Schema drift: every difference between an expected snapshot and a live one
// (see schema_snapshot.hpp), each with a sentence a release manager can read.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace golive::db {

struct DriftFinding {
  std::string kind;     // table | rls | column | index | constraint | policy | grant | trigger
  std::string object;   // "public.courses", "public.courses.extra", "public.topics_course_id_idx"
  std::string change;   // missing | added | changed
  std::string summary;  // "index public.topics_course_id_idx missing"
  nlohmann::json expected;  // the expected definition (null when added)
  nlohmann::json live;      // the live definition (null when missing)
};

// Differences in a stable order (by table, then kind, then object).
std::vector<DriftFinding> diff_snapshots(const nlohmann::json& expected,
                                         const nlohmann::json& live);

// "- expected\n+ live" lines for a finding's evidence.
std::string readable_diff(const DriftFinding& finding);

}  // namespace golive::db
