// Where each table's row level security is defined in the app's migrations:
// the file and line of the first `CREATE POLICY ... ON [schema.]table`
// (unquoted or double-quoted names; the schema defaults to public). Reports
// point an RLS finding for public.topics at that line (sarif.json).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "repo/repo_settings.hpp"

namespace golive::repo {

struct PolicyLocation {
  std::string file;  // as given: relative to the repository root
  int line = 0;      // 1-based line of the CREATE POLICY statement
};

// `files` are relative to `root`, scanned in the order given (migration
// order), so the first definition of a table's policy wins. Unreadable files
// are skipped: a location is a convenience, never a finding.
std::map<std::string, PolicyLocation> find_policy_locations(const std::string& root,
                                                            const std::vector<std::string>& files);

// The same over the repository's migrations (supabase/ and prisma/ layouts).
std::map<std::string, PolicyLocation> policy_locations_in_repo(const RepoSettings& settings);

}  // namespace golive::repo
