#include "security/rls_table_model.hpp"
#include "security/rls_access_model.hpp"
#include "target/postgres.hpp"

#include <map>
#include <set>
#include <stdexcept>

namespace golive::security {

namespace {

std::string quote_qualified(const std::string& qualified) {
  auto dot = qualified.find('.');
  return target::quote_ident(qualified.substr(0, dot)) + "." + target::quote_ident(qualified.substr(dot + 1));
}

// One single-column foreign key.
struct ForeignKey {
  std::string column;
  std::string target_table;  // schema.table
  std::string target_column;
};

bool is_owner_column_name(const std::string& name) {
  return name == "user_id" || name == "owner_id" || name == "owner";
}

}  // namespace

const char* to_string(AccessExpectation expectation) {
  switch (expectation) {
    case AccessExpectation::kOwnerCrud: return "owner_crud";
    case AccessExpectation::kOwnerReadOnly: return "owner_read_only";
    case AccessExpectation::kOwnerVia: return "owner_via";
    case AccessExpectation::kCustom: return "custom";
    case AccessExpectation::kPublicRead: return "public_read";
    case AccessExpectation::kPublicReadActive: return "public_read_active";
    case AccessExpectation::kServiceOnly: return "service_only";
    case AccessExpectation::kPublicReadOwnerWrite: return "public_read_owner_write";
    case AccessExpectation::kMemberOf: return "member_of";
  }
  return "?";
}

const char* const kAccessExpectationNames =
    "owner_crud (alias owner), owner_read_only (alias owner_read), owner_via, custom, service_write_only, public_read, "
    "public_read_active, public_read_owner_write, member_of, service_only";

std::optional<AccessExpectation> parse_access_expectation(const std::string& text, bool has_owner) {
  if (text == "owner_crud" || text == "owner") return AccessExpectation::kOwnerCrud;
  if (text == "public_read_owner_write") return AccessExpectation::kPublicReadOwnerWrite;
  if (text == "member_of") return AccessExpectation::kMemberOf;
  if (text == "owner_via") return AccessExpectation::kOwnerVia;
  if (text == "custom") return AccessExpectation::kCustom;
  if (text == "owner_read_only" || text == "owner_read") return AccessExpectation::kOwnerReadOnly;
  if (text == "public_read") return AccessExpectation::kPublicRead;
  if (text == "public_read_active") return AccessExpectation::kPublicReadActive;
  if (text == "service_only") return AccessExpectation::kServiceOnly;
  if (text == "service_write_only") {
    return has_owner ? AccessExpectation::kOwnerReadOnly : AccessExpectation::kPublicRead;
  }
  return std::nullopt;
}

std::string Ownership::owner_sql() const {
  if (direct()) return "t." + target::quote_ident(owner_column);
  return "(SELECT p." + target::quote_ident(parent_owner) + " FROM " + quote_qualified(parent_table) +
         " p WHERE p." + target::quote_ident(parent_key) + " = t." + target::quote_ident(owner_column) + ")";
}

std::string TableInfo::sql_name() const { return target::quote_ident(schema) + "." + target::quote_ident(name); }

std::string TableInfo::key_sql() const {
  if (primary_key.empty()) return "(t.ctid)::text";
  if (primary_key.size() == 1) return "(t." + target::quote_ident(primary_key.front()) + ")::text";
  std::string row = "ROW(";
  for (std::size_t i = 0; i < primary_key.size(); ++i) {
    row += (i ? ", t." : "t.") + target::quote_ident(primary_key[i]);
  }
  return row + ")::text";
}

const ColumnInfo* TableInfo::column(const std::string& column_name) const {
  for (const auto& c : columns) {
    if (c.name == column_name) return &c;
  }
  return nullptr;
}

std::string text_array_sql(pqxx::work& txn, const std::vector<std::string>& values) {
  std::string sql = "ARRAY[";
  for (std::size_t i = 0; i < values.size(); ++i) sql += (i ? "," : "") + txn.quote(values[i]);
  return sql + "]::text[]";
}

std::vector<TableInfo> load_table_model(pqxx::work& txn, const std::vector<std::string>& schemas,
                                        const nlohmann::json& expectations) {
  std::string schema_array = text_array_sql(txn, schemas);
  std::vector<TableInfo> tables;
  std::map<std::string, std::size_t> index_of;  // schema.table -> position
  for (const auto& row : txn.exec(
           "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
           "c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname = ANY(" +
           schema_array + ") ORDER BY 1, 2")) {
    TableInfo table;
    table.schema = row[0].as<std::string>();
    table.name = row[1].as<std::string>();
    index_of[table.qualified()] = tables.size();
    tables.push_back(std::move(table));
  }
  for (const auto& row : txn.exec(
           "SELECT n.nspname || '.' || c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
           "COALESCE(a.attnum = ANY(i.indkey), false), a.attgenerated <> '' OR a.attidentity = 'a', "
           "a.attnotnull AND NOT a.atthasdef AND a.attidentity = '', EXISTS (SELECT 1 FROM pg_index u WHERE "
           "u.indrelid = c.oid AND u.indisunique AND NOT u.indisprimary AND u.indnatts = 1 AND u.indkey[0] = "
           "a.attnum) FROM pg_attribute a "
           "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
           "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p') AND n.nspname = ANY(" +
           schema_array + ") ORDER BY 1, a.attnum")) {
    auto found = index_of.find(row[0].as<std::string>());
    if (found == index_of.end()) continue;
    TableInfo& table = tables[found->second];
    ColumnInfo column{row[1].as<std::string>(), row[2].as<std::string>(), row[4].as<bool>(), row[5].as<bool>(),
                      row[6].as<bool>()};
    if (row[3].as<bool>()) table.primary_key.push_back(column.name);
    if (column.name == "active" && column.type == "boolean") table.has_active_column = true;
    table.columns.push_back(std::move(column));
  }
  // Single-column foreign keys of the exposed tables, to anywhere.
  std::map<std::string, std::vector<ForeignKey>> foreign_keys;
  for (const auto& row : txn.exec(
           "SELECT sn.nspname || '.' || sc.relname, sa.attname, tn.nspname || '.' || tc.relname, "
           "ta.attname FROM pg_constraint k "
           "JOIN pg_class sc ON sc.oid = k.conrelid JOIN pg_namespace sn ON sn.oid = sc.relnamespace "
           "JOIN pg_class tc ON tc.oid = k.confrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace "
           "JOIN pg_attribute sa ON sa.attrelid = k.conrelid AND sa.attnum = k.conkey[1] "
           "JOIN pg_attribute ta ON ta.attrelid = k.confrelid AND ta.attnum = k.confkey[1] "
           "WHERE k.contype = 'f' AND array_length(k.conkey, 1) = 1 AND sn.nspname = ANY(" +
           schema_array + ") ORDER BY 1, 2")) {
    foreign_keys[row[0].as<std::string>()].push_back(
        {row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>()});
  }
  auto policies = load_policies(txn, schema_array);
  // Pass 1: direct owners. The column policies compare with auth.uid() wins
  // over a foreign key to auth.users, which wins over a column name.
  for (auto& table : tables) {
    auto from_policy = policy_owner_column(policies[table.qualified()]);
    if (!from_policy.empty() && table.column(from_policy)) {
      table.ownership = Ownership{from_policy, "", "", "", "policies compare auth.uid() with " + from_policy};
      continue;
    }
    for (const auto& fk : foreign_keys[table.qualified()]) {
      if (fk.target_table == "auth.users" && fk.target_column == "id") {
        table.ownership = Ownership{fk.column, "", "", "", "foreign key to auth.users"};
        break;
      }
    }
    if (table.ownership) continue;
    for (const auto& column : table.columns) {
      if (is_owner_column_name(column.name) && column.type == "uuid") {
        table.ownership = Ownership{column.name, "", "", "", "owner column name"};
        break;
      }
    }
  }
  // Pass 2: one-step chains to a directly owned parent.
  for (auto& table : tables) {
    if (table.ownership) continue;
    for (const auto& fk : foreign_keys[table.qualified()]) {
      auto parent = index_of.find(fk.target_table);
      if (parent == index_of.end()) continue;
      const auto& parent_ownership = tables[parent->second].ownership;
      if (!parent_ownership || !parent_ownership->direct()) continue;
      table.ownership = Ownership{fk.column, fk.target_table, fk.target_column,
                                  parent_ownership->owner_column,
                                  "chain " + fk.column + " -> " + fk.target_table + "." +
                                      parent_ownership->owner_column};
      break;
    }
  }
  // Expectations: declared ones, else inferred from the policies.
  for (auto& table : tables) {
    const nlohmann::json* declared = nullptr;
    if (expectations.is_object()) {
      if (expectations.contains(table.qualified())) declared = &expectations.at(table.qualified());
      else if (table.schema == "public" && expectations.contains(table.name))
        declared = &expectations.at(table.name);
    }
    if (declared) {
      auto parsed = declared->is_string()
                        ? parse_access_expectation(declared->get<std::string>(), table.ownership.has_value())
                        : std::nullopt;
      if (!parsed) {
        throw std::invalid_argument("rls_expectations: " + table.qualified() + " has " +
                                    declared->dump() + ", expected one of " + kAccessExpectationNames);
      }
      table.expectation = *parsed;
      table.expectation_declared = true;
      table.model_reason = "declared in rls_expectations";
    }
  }
  std::vector<std::string> names;
  for (const auto& table : tables) names.push_back(table.qualified());
  infer_access_models(tables, policies, load_caller_helpers(txn, names));
  // An access source owned per user whose rows no other table points at
  // grants access: a membership table when it has a key to a group (another
  // exposed table), else a table of app roles. A parent that other tables
  // reference (courses for topics) is a resource, not a grant.
  std::set<std::string> referenced;
  for (const auto& [source, keys] : foreign_keys) {
    for (const auto& fk : keys) {
      if (fk.target_table != source) referenced.insert(fk.target_table);
    }
  }
  for (auto& table : tables) {
    if (!table.access_source || !table.ownership || !table.ownership->direct()) continue;
    if (referenced.count(table.qualified())) continue;
    table.grants_access = true;
    table.role_table = true;
    for (const auto& fk : foreign_keys[table.qualified()]) {
      if (fk.column != table.ownership->owner_column && index_of.count(fk.target_table)) table.role_table = false;
    }
  }
  for (auto& table : tables) {
    if (table.expectation != AccessExpectation::kMemberOf) continue;
    for (const auto& fk : foreign_keys[table.qualified()]) {
      auto parent = index_of.find(fk.target_table);
      if (parent == index_of.end() || fk.target_table == table.qualified() ||
          tables[parent->second].expectation != AccessExpectation::kMemberOf) {
        continue;
      }
      table.group_key = GroupKey{fk.column, fk.target_table, fk.target_column};
      break;
    }
  }
  return tables;
}

}  // namespace golive::security
