#include "security/rls_access_model.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "security/rls_table_model.hpp"

namespace golive::security {

namespace {

constexpr const char* kUid = "auth.uid()";

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// pg_get_expr renders `(select auth.uid())` as `( SELECT auth.uid() AS uid)`:
// the same caller, evaluated once per statement.
std::string normalise(std::string expr) {
  for (const char* fn : {"uid", "jwt", "role"}) {
    replace_all(expr, std::string("( SELECT auth.") + fn + "() AS " + fn + ")", std::string("auth.") + fn + "()");
  }
  return expr;
}

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool references_caller(const std::string& expr) {
  return expr.find("auth.uid()") != std::string::npos || expr.find("auth.jwt()") != std::string::npos;
}

bool has_subquery(const std::string& expr) {
  return expr.find("SELECT ") != std::string::npos || expr.find("EXISTS") != std::string::npos;
}

// The helper functions (caller-dependent) an expression calls.
std::vector<std::string> helpers_called(const std::string& expr, const CallerHelpers& helpers) {
  std::vector<std::string> called;
  for (const auto& [function, tables] : helpers.tables_read) {
    auto bare = function.substr(function.find('.') + 1);
    if (expr.find(function + "(") != std::string::npos || expr.find(" " + bare + "(") != std::string::npos ||
        expr.find("(" + bare + "(") != std::string::npos || expr.rfind(bare + "(", 0) == 0) {
      called.push_back(function);
    }
  }
  return called;
}

// Tables an expression's sub-selects name: "FROM schema.table" or "FROM table".
std::vector<std::string> tables_named(const std::string& expr, const std::vector<TableInfo>& tables) {
  std::vector<std::string> named;
  for (const auto& table : tables) {
    if (expr.find("FROM " + table.qualified() + " ") != std::string::npos ||
        expr.find("JOIN " + table.qualified() + " ") != std::string::npos ||
        (table.schema == "public" && (expr.find("FROM " + table.name + " ") != std::string::npos ||
                                      expr.find("JOIN " + table.name + " ") != std::string::npos))) {
      named.push_back(table.qualified());
    }
  }
  return named;
}

}  // namespace

std::map<std::string, std::vector<PolicyInfo>> load_policies(pqxx::work& txn, const std::string& schema_array) {
  std::map<std::string, std::vector<PolicyInfo>> policies;
  for (const auto& row : txn.exec(
           "SELECT n.nspname || '.' || c.relname, p.polname, CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN "
           "'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' ELSE 'all' END, p.polpermissive, "
           "CASE WHEN p.polroles = '{0}' THEN ARRAY['public'] ELSE ARRAY(SELECT rolname::text FROM pg_roles "
           "WHERE oid = ANY(p.polroles) ORDER BY 1) END, COALESCE(pg_get_expr(p.polqual, p.polrelid), ''), "
           "COALESCE(pg_get_expr(p.polwithcheck, p.polrelid), '') FROM pg_policy p "
           "JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = ANY(" + schema_array + ") ORDER BY 1, 2")) {
    PolicyInfo policy;
    policy.table = row[0].as<std::string>();
    policy.name = row[1].as<std::string>();
    policy.command = row[2].as<std::string>();
    policy.permissive = row[3].as<bool>();
    auto roles = row[4].as_array();
    for (auto element = roles.get_next(); element.first != pqxx::array_parser::done; element = roles.get_next()) {
      if (element.first == pqxx::array_parser::string_value) policy.roles.push_back(element.second);
    }
    for (const auto& role : policy.roles) {
      if (role == "public" || role == "anon" || role == "authenticated") policy.api_facing = true;
    }
    policy.using_expr = normalise(row[5].as<std::string>());
    policy.check_expr = normalise(row[6].as<std::string>());
    policies[policy.table].push_back(std::move(policy));
  }
  return policies;
}

std::vector<std::string> columns_compared_to_uid(const std::string& expr) {
  std::vector<std::string> columns;
  auto add = [&](std::string column) {
    if (std::find(columns.begin(), columns.end(), column) == columns.end()) columns.push_back(std::move(column));
  };
  for (auto at = expr.find(kUid); at != std::string::npos; at = expr.find(kUid, at + 1)) {
    // auth.uid() = col
    std::size_t after = at + std::string(kUid).size();
    if (expr.compare(after, 3, " = ") == 0) {
      std::size_t start = after + 3, end = start;
      while (end < expr.size() && is_ident_char(expr[end])) ++end;
      std::string word = expr.substr(start, end - start);
      if (end > start && (end == expr.size() || expr[end] != '.') && expr[end] != '(' && word != "ANY" &&
          word != "ALL" && word != "SOME") {
        add(word);
        continue;
      }
    }
    // col = auth.uid()
    if (at >= 3 && expr.compare(at - 3, 3, " = ") == 0) {
      std::size_t end = at - 3, start = end;
      while (start > 0 && is_ident_char(expr[start - 1])) --start;
      if (end > start && (start == 0 || expr[start - 1] != '.')) add(expr.substr(start, end - start));
    }
  }
  return columns;
}

std::vector<std::string> array_columns_holding_uid(const std::string& expr) {
  std::vector<std::string> columns;
  const std::string pattern = std::string(kUid) + " = ANY (";
  for (auto at = expr.find(pattern); at != std::string::npos; at = expr.find(pattern, at + 1)) {
    std::size_t start = at + pattern.size(), end = start;
    while (end < expr.size() && is_ident_char(expr[end])) ++end;
    if (end > start && end < expr.size() && expr[end] == ')' &&
        std::find(columns.begin(), columns.end(), expr.substr(start, end - start)) == columns.end()) {
      columns.push_back(expr.substr(start, end - start));
    }
  }
  return columns;
}

std::string owner_column_compared_to_uid(const std::string& expr) {
  auto columns = columns_compared_to_uid(expr);
  return columns.empty() ? "" : columns.front();
}

std::string policy_owner_column(const std::vector<PolicyInfo>& policies) {
  std::map<std::string, int> votes;
  for (const auto& policy : policies) {
    if (!policy.api_facing) continue;
    for (const auto* expr : {&policy.using_expr, &policy.check_expr}) {
      auto column = owner_column_compared_to_uid(*expr);
      if (!column.empty()) ++votes[column];
    }
  }
  std::string best;
  int most = 0;
  for (const auto& [column, count] : votes) {
    if (count > most) best = column, most = count;
  }
  return best;
}

CallerHelpers load_caller_helpers(pqxx::work& txn, const std::vector<std::string>& table_names) {
  CallerHelpers helpers;
  for (const auto& row : txn.exec(
           "SELECT n.nspname || '.' || f.proname, f.prosrc FROM pg_proc f JOIN pg_namespace n ON n.oid = "
           "f.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'auth') AND "
           "f.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql')) AND "
           "(f.prosrc ~ 'auth\\.(uid|jwt)\\(\\)')")) {
    auto source = lower(row[1].as<std::string>());
    auto& tables = helpers.tables_read[row[0].as<std::string>()];
    for (const auto& table : table_names) {
      auto bare = table.substr(table.find('.') + 1);
      if (source.find(lower(table)) != std::string::npos || source.find(" " + lower(bare) + " ") != std::string::npos ||
          source.find(" " + lower(bare) + "\n") != std::string::npos) {
        tables.push_back(table);
      }
    }
  }
  return helpers;
}

void infer_access_models(std::vector<TableInfo>& tables, const std::map<std::string, std::vector<PolicyInfo>>& policies,
                         const CallerHelpers& helpers) {
  // Access sources: tables other tables' API policies read, directly or
  // through a caller-dependent helper.
  std::set<std::string> sources;
  for (const auto& [table_name, table_policies] : policies) {
    for (const auto& policy : table_policies) {
      if (!policy.api_facing) continue;
      for (const auto* expr : {&policy.using_expr, &policy.check_expr}) {
        for (const auto& named : tables_named(*expr, tables)) {
          if (named != table_name) sources.insert(named);
        }
        for (const auto& helper : helpers_called(*expr, helpers)) {
          for (const auto& named : helpers.tables_read.at(helper)) {
            if (named != table_name) sources.insert(named);
          }
        }
      }
    }
  }
  static const std::vector<PolicyInfo> kNone;
  for (auto& table : tables) {
    table.access_source = sources.count(table.qualified()) > 0;
    if (table.expectation_declared) continue;
    auto found = policies.find(table.qualified());
    const auto& table_policies = found == policies.end() ? kNone : found->second;
    bool any_api = false, owner_read = false, member_read = false, owner_write = false, owner_via_read = false;
    std::vector<std::string> custom_policies;  // "name: USING expr" of caller-dependent reads golive cannot classify
    // A chain-owned row (topics.course_id -> courses.user_id) is reached by a
    // sub-select of the parent that compares the caller: owner_via, not a
    // membership.
    auto names_chain_parent = [&](const std::string& expr) {
      if (!table.ownership || table.ownership->direct() || !references_caller(expr)) return false;
      const auto& parent = table.ownership->parent_table;
      auto dot = parent.find('.');
      std::string bare = dot == std::string::npos ? parent : parent.substr(dot + 1);
      for (const auto& name : {parent, bare}) {
        if (expr.find("FROM " + name + " ") != std::string::npos) return true;
      }
      return false;
    };
    std::vector<std::string> shared_filters, shared_names;
    const std::string owner_column = table.ownership && table.ownership->direct() ? table.ownership->owner_column : "";
    for (const auto& policy : table_policies) {
      if (!policy.api_facing || !policy.permissive) continue;
      any_api = true;
      if (policy.reads()) {
        const auto& expr = policy.using_expr;
        if (has_subquery(expr) && names_chain_parent(expr)) {
          owner_via_read = true;
        } else if (has_subquery(expr) || !helpers_called(expr, helpers).empty()) {
          member_read = true;
        } else if (references_caller(expr) && !table.ownership && owner_column_compared_to_uid(expr).empty()) {
          custom_policies.push_back(policy.name + ": USING " + expr);
        } else if (references_caller(expr)) {
          owner_read = true;
          // `auth.uid() = sender_id OR auth.uid() = recipient_id`: the row's
          // other uuid columns compared with the caller name readers besides
          // the owner (a message's recipient), not owners.
          for (const auto& column : columns_compared_to_uid(expr)) {
            if (column == owner_column || !table.column(column)) continue;
            if (std::find(table.co_reader_columns.begin(), table.co_reader_columns.end(), column) ==
                table.co_reader_columns.end()) {
              table.co_reader_columns.push_back(column);
            }
          }
          for (const auto& column : array_columns_holding_uid(expr)) {
            if (!table.column(column)) continue;
            if (std::find(table.co_reader_arrays.begin(), table.co_reader_arrays.end(), column) ==
                table.co_reader_arrays.end()) {
              table.co_reader_arrays.push_back(column);
            }
          }
        } else {
          shared_filters.push_back(expr.empty() ? "true" : expr);
          shared_names.push_back(policy.name);
        }
      }
      if (policy.writes() && !owner_column.empty()) {
        for (const auto* expr : {&policy.using_expr, &policy.check_expr}) {
          if (owner_column_compared_to_uid(*expr) == owner_column) owner_write = true;
        }
      }
    }
    std::string filter;
    for (const auto& f : shared_filters) {
      if (f == "true") filter = "true";
    }
    if (filter.empty()) {
      for (std::size_t i = 0; i < shared_filters.size(); ++i) filter += (i ? " OR " : "") + shared_filters[i];
      if (shared_filters.size() > 1) filter = "(" + filter + ")";
    }
    std::string named_policies;
    for (std::size_t i = 0; i < shared_names.size(); ++i) named_policies += (i ? ", " : "") + shared_names[i];
    if (!any_api) {
      table.expectation = AccessExpectation::kServiceOnly;
      table.model_reason = "no policy applies to anon or authenticated";
    } else if (!filter.empty() && owner_write) {
      table.expectation = AccessExpectation::kPublicReadOwnerWrite;
      table.shared_read_filter = filter;
      table.model_reason = "policy " + named_policies + " lets every caller read rows WHERE " + filter +
                           ", and writes are scoped to auth.uid() = " + owner_column;
    } else if (!filter.empty() && !table.ownership) {
      table.expectation = AccessExpectation::kPublicRead;
      table.shared_read_filter = filter;
      table.model_reason = "policy " + named_policies + " lets every caller read rows WHERE " + filter +
                           ", and no column says who owns a row";
    } else if (!filter.empty()) {
      table.expectation = AccessExpectation::kOwnerCrud;
      table.model_reason = "rows are owned (" + table.ownership->how + ") but policy " + named_policies +
                           " lets every caller read them and no write is scoped to the owner: owner-scoped";
    } else if (owner_via_read && !member_read) {
      table.expectation = AccessExpectation::kOwnerVia;
      table.model_reason = "its read policy reaches the caller through the owner of the parent row (" +
                           table.ownership->how + ")";
    } else if (!custom_policies.empty() && !member_read && !owner_read) {
      table.expectation = AccessExpectation::kCustom;
      table.model_reason = "golive cannot classify its caller-dependent read polic" +
                           std::string(custom_policies.size() == 1 ? "y" : "ies") + " (";
      for (std::size_t i = 0; i < custom_policies.size(); ++i) {
        table.model_reason += (i ? "; " : "") + custom_policies[i];
      }
      table.model_reason += "): the probes decide (an outsider and anon see and change nothing)";
    } else if (member_read) {
      table.expectation = AccessExpectation::kMemberOf;
      table.model_reason = "its read policy reaches the caller through a membership sub-select or helper";
    } else if (owner_read || (table.ownership && !owner_column.empty() &&
                              policy_owner_column(table_policies) == owner_column)) {
      table.expectation = AccessExpectation::kOwnerCrud;
      table.model_reason = "its policies compare auth.uid() with the owner (" +
                           (table.ownership ? table.ownership->how : std::string("custom")) + ")";
      for (std::size_t i = 0; i < table.co_reader_columns.size(); ++i) {
        table.model_reason += std::string(i ? ", " : "; the user named in ") + table.co_reader_columns[i];
      }
      if (!table.co_reader_columns.empty()) table.model_reason += " reads the row too";
      for (std::size_t i = 0; i < table.co_reader_arrays.size(); ++i) {
        table.model_reason += std::string(i ? ", " : "; every user listed in ") + table.co_reader_arrays[i];
      }
      if (!table.co_reader_arrays.empty()) table.model_reason += " reads the row too";
    } else {
      table.expectation = AccessExpectation::kServiceOnly;
      table.model_reason = "no read policy for anon or authenticated and no write scoped to an owner";
    }
  }
}

}  // namespace golive::security
