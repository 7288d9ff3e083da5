#include "db/schema_snapshot.hpp"

#include <algorithm>
#include <set>

namespace golive::db {

namespace {

using nlohmann::json;

// "ARRAY['public','storage']::name[]" for `nspname = ANY(...)` filters.
std::string schema_array(pqxx::work& txn, const std::vector<std::string>& schemas) {
  std::string array = "ARRAY[";
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    if (i > 0) array += ",";
    array += txn.quote(schemas[i]);
  }
  return array + "]::name[]";
}

std::string table_key(const pqxx::row& row) {
  return row[0].as<std::string>() + "." + row[1].as<std::string>();
}

json nullable_text(const pqxx::field& field) {
  return field.is_null() ? json(nullptr) : json(field.as<std::string>());
}

const char* relkind_name(const std::string& relkind) {
  if (relkind == "r") return "table";
  if (relkind == "p") return "partitioned table";
  if (relkind == "v") return "view";
  if (relkind == "m") return "materialized view";
  return "relation";
}

const char* constraint_type_name(const std::string& contype) {
  if (contype == "p") return "primary key";
  if (contype == "u") return "unique";
  if (contype == "f") return "foreign key";
  if (contype == "c") return "check";
  if (contype == "x") return "exclusion";
  if (contype == "t") return "trigger";
  return "other";
}

// PostgreSQL prints name[] as {a,b}; policies' roles come back that way.
json parse_name_array(const std::string& text) {
  json names = json::array();
  std::string inner = text.size() >= 2 ? text.substr(1, text.size() - 2) : "";
  std::string current;
  for (char c : inner) {
    if (c == ',') {
      names.push_back(current);
      current.clear();
    } else if (c != '"') {
      current += c;
    }
  }
  if (!current.empty()) names.push_back(current);
  std::vector<std::string> sorted = names.get<std::vector<std::string>>();
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

void read_tables(pqxx::work& txn, const std::string& in_schemas, json& tables) {
  auto rows = txn.exec(
      "SELECT n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = ANY(" + in_schemas + ") AND c.relkind IN ('r','p','v','m')");
  for (const auto& row : rows) {
    tables[table_key(row)] = {{"kind", relkind_name(row[2].as<std::string>())},
                              {"rls_enabled", row[3].as<bool>()},
                              {"rls_forced", row[4].as<bool>()},
                              {"columns", json::object()},
                              {"indexes", json::object()},
                              {"constraints", json::object()},
                              {"policies", json::object()},
                              {"grants", json::object()},
                              {"triggers", json::object()}};
  }
}

void read_columns(pqxx::work& txn, const std::string& in_schemas, json& tables) {
  auto rows = txn.exec(
      "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
      "       NOT a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated "
      "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "WHERE n.nspname = ANY(" + in_schemas + ") AND c.relkind IN ('r','p','v','m') "
      "  AND a.attnum > 0 AND NOT a.attisdropped");
  for (const auto& row : rows) {
    json column = {{"type", row[3].as<std::string>()},
                   {"nullable", row[4].as<bool>()},
                   {"default", nullable_text(row[5])}};
    if (!row[6].as<std::string>().empty()) column["identity"] = row[6].as<std::string>();
    if (!row[7].as<std::string>().empty()) column["generated"] = row[7].as<std::string>();
    tables[table_key(row)]["columns"][row[2].as<std::string>()] = column;
  }
}

void read_indexes(pqxx::work& txn, const std::string& in_schemas, json& tables) {
  auto rows = txn.exec(
      "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes "
      "WHERE schemaname = ANY(" + in_schemas + ")");
  for (const auto& row : rows) {
    auto key = table_key(row);
    if (!tables.contains(key)) continue;
    tables[key]["indexes"][row[2].as<std::string>()] = row[3].as<std::string>();
  }
}

void read_constraints(pqxx::work& txn, const std::string& in_schemas, json& tables) {
  auto rows = txn.exec(
      "SELECT n.nspname, c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) "
      "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = ANY(" + in_schemas + ")");
  for (const auto& row : rows) {
    auto key = table_key(row);
    if (!tables.contains(key)) continue;
    tables[key]["constraints"][row[2].as<std::string>()] = {
        {"type", constraint_type_name(row[3].as<std::string>())},
        {"definition", row[4].as<std::string>()}};
  }
}

void read_policies(pqxx::work& txn, const std::string& in_schemas, json& tables) {
  auto rows = txn.exec(
      "SELECT schemaname, tablename, policyname, cmd, permissive = 'PERMISSIVE', roles::text, "
      "       qual, with_check FROM pg_policies WHERE schemaname = ANY(" + in_schemas + ")");
  for (const auto& row : rows) {
    auto key = table_key(row);
    if (!tables.contains(key)) continue;
    tables[key]["policies"][row[2].as<std::string>()] = {
        {"command", row[3].as<std::string>()},
        {"permissive", row[4].as<bool>()},
        {"roles", parse_name_array(row[5].as<std::string>())},
        {"using", nullable_text(row[6])},
        {"with_check", nullable_text(row[7])}};
  }
}

void read_grants(pqxx::work& txn, const std::string& in_schemas, json& tables) {
  auto rows = txn.exec(
      "SELECT n.nspname, c.relname, "
      "       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee) END, "
      "       g.privilege_type "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "CROSS JOIN LATERAL aclexplode(c.relacl) g "
      "WHERE n.nspname = ANY(" + in_schemas + ") AND c.relkind IN ('r','p','v','m')");
  std::map<std::string, std::map<std::string, std::set<std::string>>> grants;
  for (const auto& row : rows) {
    grants[table_key(row)][row[2].as<std::string>()].insert(row[3].as<std::string>());
  }
  for (const auto& [table, by_grantee] : grants) {
    for (const auto& [grantee, privileges] : by_grantee) {
      tables[table]["grants"][grantee] = std::vector<std::string>(privileges.begin(), privileges.end());
    }
  }
}

void read_triggers(pqxx::work& txn, const std::string& in_schemas, json& tables) {
  auto rows = txn.exec(
      "SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid) "
      "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = ANY(" + in_schemas + ") AND NOT t.tgisinternal");
  for (const auto& row : rows) {
    auto key = table_key(row);
    if (!tables.contains(key)) continue;
    tables[key]["triggers"][row[2].as<std::string>()] = row[3].as<std::string>();
  }
}

}  // namespace

std::vector<std::string> default_snapshot_schemas() { return {"public", "storage", "auth"}; }

json snapshot_schema(pqxx::connection& connection, const std::vector<std::string>& schemas) {
  std::vector<std::string> sorted = schemas;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

  json tables = json::object();
  pqxx::work txn(connection);
  txn.exec("SET TRANSACTION READ ONLY");
  std::string in_schemas = schema_array(txn, sorted);
  read_tables(txn, in_schemas, tables);
  read_columns(txn, in_schemas, tables);
  read_indexes(txn, in_schemas, tables);
  read_constraints(txn, in_schemas, tables);
  read_policies(txn, in_schemas, tables);
  read_grants(txn, in_schemas, tables);
  read_triggers(txn, in_schemas, tables);
  txn.abort();
  return {{"format", 1}, {"schemas", sorted}, {"tables", tables}};
}

std::string snapshot_text(const json& snapshot) { return snapshot.dump(2) + "\n"; }

}  // namespace golive::db
