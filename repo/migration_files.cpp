#include "repo/migration_files.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>

namespace golive::repo {

std::vector<MigrationFile> list_migrations(const RepoSettings& settings, std::vector<Finding>& unversioned) {
  std::vector<MigrationFile> out;
  static const std::regex kSupabase(R"(supabase/migrations/(\d{4,})_([A-Za-z0-9_\-]+)\.sql)");
  static const std::regex kPrisma(R"(prisma/migrations/(\d{4,})_([A-Za-z0-9_\-]+)/migration\.sql)");
  std::smatch match;
  for (const auto& file : list_repo_files(settings, "supabase/migrations")) {
    if (std::regex_match(file, match, kSupabase)) out.push_back({file, match[1].str(), match[2].str()});
    else if (file.size() > 4 && file.compare(file.size() - 4, 4, ".sql") == 0)
      unversioned.push_back({file, 0, "a migration without a version (expected <timestamp>_<name>.sql)", ""});
  }
  for (const auto& file : list_repo_files(settings, "prisma/migrations")) {
    if (std::regex_match(file, match, kPrisma)) out.push_back({file, match[1].str(), match[2].str()});
    else if (file.size() > 4 && file.compare(file.size() - 4, 4, ".sql") == 0)
      unversioned.push_back({file, 0, "a migration without a version (expected <timestamp>_<name>/migration.sql)", ""});
  }
  // Numeric order: versions of different lengths compare by value.
  std::stable_sort(out.begin(), out.end(), [](const MigrationFile& a, const MigrationFile& b) {
    if (a.version.size() != b.version.size()) return a.version.size() < b.version.size();
    return a.version < b.version;
  });
  return out;
}

void check_storage_documented(const RepoSettings& settings, const std::vector<MigrationFile>& migrations,
                              core::ResultSink& sink) {
  Stopwatch watch;
  auto result = repo_result("repo.migrations.storage_documented",
                            "Migrations that configure storage document it in comments", core::Severity::kLow,
                            {"s000.checklist.storage.documented"});
  std::vector<Finding> findings;
  nlohmann::json documented = nlohmann::json::array();
  for (const auto& migration : migrations) {
    const auto text = read_repo_text(settings, migration.file);
    if (!text || (text->find("storage.buckets") == std::string::npos && text->find("storage.objects") == std::string::npos)) {
      continue;
    }
    // A -- comment that names the buckets (their limits, types or policies).
    bool explained = false;
    for (const auto& line : split_lines(*text)) {
      const auto start = line.find("--");
      if (start == std::string::npos) continue;
      std::string comment = line.substr(start);
      for (char& c : comment) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (comment.find("bucket") != std::string::npos) explained = true;
    }
    if (explained) documented.push_back(migration.file);
    else findings.push_back({migration.file, 0, "configures storage (buckets or object policies) without a comment naming the buckets", ""});
  }
  result.evidence["documented"] = documented;
  if (documented.empty() && findings.empty()) {
    result.status = core::CheckStatus::kSkip;
    result.message = "no migration configures storage (storage.buckets, storage.objects)";
  } else {
    conclude(result, findings, std::to_string(documented.size()) + " storage migration(s) documented in comments");
  }
  result.duration_ms = watch.elapsed_ms();
  sink.record(result);
}

void check_migration_files(const RepoSettings& settings, core::ResultSink& sink) {
  Stopwatch watch;
  auto result = repo_result("repo.migrations.versioned", "Every migration file is versioned, versions strictly increasing",
                            core::Severity::kHigh, {"s000.migrations.versioned"});
  std::vector<Finding> findings;
  const auto migrations = list_migrations(settings, findings);
  std::map<std::string, std::string> first_with;
  for (const auto& migration : migrations) {
    auto [it, inserted] = first_with.emplace(migration.version, migration.file);
    if (!inserted) {
      findings.push_back({migration.file, 0, "version " + migration.version + " is also used by " + it->second, ""});
    }
  }
  nlohmann::json files = nlohmann::json::array();
  for (const auto& migration : migrations) files.push_back({{"file", migration.file}, {"version", migration.version}});
  result.evidence["migrations"] = files;
  if (migrations.empty() && findings.empty()) {
    result.status = core::CheckStatus::kSkip;
    result.message = "no migration files (supabase/migrations/*.sql or prisma/migrations/*/migration.sql)";
  } else {
    conclude(result, findings, std::to_string(migrations.size()) + " migrations with strictly increasing versions");
  }
  result.duration_ms = watch.elapsed_ms();
  sink.record(result);
  check_storage_documented(settings, migrations, sink);
}

}  // namespace golive::repo
