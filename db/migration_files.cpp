#include "db/migration_files.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"

namespace golive::db {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::InputError(path, "", "cannot read the migration file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Splits SQL text into statements at top-level semicolons, skipping quoted
// strings, quoted identifiers, dollar-quoted bodies and comments. Only used to
// locate a failing statement after the whole file failed.
std::vector<std::string> split_statements(const std::string& sql) {
  std::vector<std::string> statements;
  std::string current;
  std::size_t i = 0;
  auto flush = [&] {
    auto first = current.find_first_not_of(" \t\r\n");
    if (first != std::string::npos) statements.push_back(trimmed(current.substr(first)));
    current.clear();
  };
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      auto end = sql.find('\n', i);
      i = end == std::string::npos ? sql.size() : end + 1;
      current += '\n';
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      auto end = sql.find("*/", i + 2);
      i = end == std::string::npos ? sql.size() : end + 2;
      current += ' ';
    } else if (c == '\'' || c == '"') {
      auto end = sql.find(c, i + 1);
      end = end == std::string::npos ? sql.size() : end + 1;
      current += sql.substr(i, end - i);
      i = end;
    } else if (c == '$') {
      auto close = sql.find('$', i + 1);
      std::string tag = close == std::string::npos ? "" : sql.substr(i, close - i + 1);
      bool is_tag = !tag.empty() && std::all_of(tag.begin() + 1, tag.end() - 1, [](char t) {
        return std::isalnum(static_cast<unsigned char>(t)) || t == '_';
      });
      if (is_tag) {
        auto end = sql.find(tag, close + 1);
        end = end == std::string::npos ? sql.size() : end + tag.size();
        current += sql.substr(i, end - i);
        i = end;
      } else {
        current += c;
        ++i;
      }
    } else if (c == ';') {
      flush();
      ++i;
    } else {
      current += c;
      ++i;
    }
  }
  flush();
  return statements;
}

// Replays the file statement by statement in a transaction that is rolled
// back, returning the first statement PostgreSQL rejects ("" if none does).
std::string locate_failing_statement(pqxx::connection& connection, const std::string& sql) {
  try {
    pqxx::work txn(connection);
    for (const auto& statement : split_statements(sql)) {
      try {
        txn.exec(statement);
      } catch (const std::exception&) {
        return statement;
      }
    }
  } catch (const std::exception&) {
  }
  return "";
}

}  // namespace

std::vector<MigrationFile> list_migrations(const std::string& directory) {
  std::error_code error;
  fs::directory_iterator it(directory, error);
  if (error) throw core::InputError(directory, "", "cannot read the migrations directory: " + error.message());
  std::vector<MigrationFile> migrations;
  for (const auto& entry : it) {
    std::string file = entry.path().filename().string();
    if (!ends_with(file, ".up.sql")) continue;
    std::string base = file.substr(0, file.size() - std::string(".up.sql").size());
    auto underscore = base.find('_');
    if (underscore == std::string::npos || underscore == 0) {
      throw core::InputError(entry.path().string(), "",
                             "a migration file must be named NNNN_name.up.sql");
    }
    MigrationFile migration;
    migration.version = base.substr(0, underscore);
    migration.name = base.substr(underscore + 1);
    migration.up_path = fs::absolute(entry.path()).string();
    fs::path down = entry.path().parent_path() / (base + ".down.sql");
    if (fs::exists(down)) migration.down_path = fs::absolute(down).string();
    migrations.push_back(std::move(migration));
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const MigrationFile& a, const MigrationFile& b) { return a.version < b.version; });
  return migrations;
}

std::optional<MigrationFailure> apply_migration_file(pqxx::connection& connection,
                                                     const std::string& path) {
  std::string sql = read_file(path);
  try {
    pqxx::work txn(connection);
    txn.exec(sql);
    txn.commit();
    return std::nullopt;
  } catch (const pqxx::sql_error& e) {
    std::string message = trimmed(e.what());
    std::string sqlstate = e.sqlstate();
    return MigrationFailure{path, locate_failing_statement(connection, sql), message, sqlstate};
  } catch (const std::exception& e) {
    return MigrationFailure{path, "", trimmed(e.what()), ""};
  }
}

}  // namespace golive::db
