// RlsTableModel: what the RLS suite knows about each exposed table, read from
// the catalog (columns, primary key, foreign keys) plus who owns its rows
// (inferred) and what access the environment expects for it.
//
// Ownership is inferred in this order: a column with a foreign key to
// auth.users; a column named user_id / owner_id / owner; a single-column
// foreign key to a table owned directly (topics.course_id -> courses.user_id).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace golive::security {

// The access a table is meant to grant to anon and authenticated callers.
enum class AccessExpectation {
  kOwnerCrud,         // the owner reads and writes their rows; nobody else sees them
  kOwnerReadOnly,     // the owner reads their rows; writes go through service_role only
  kPublicRead,        // anon and authenticated read every row; writes are service only
  kPublicReadActive,  // anon and authenticated read rows WHERE active; writes service only
  kServiceOnly,       // no API role reads or writes
};

const char* to_string(AccessExpectation expectation);
// Accepts the enum names above in snake case ("owner_crud", ...) and the
// aliases "service_write_only" (= owner_read_only when an owner is inferred,
// else public_read) and "owner_read". Returns nullopt for anything else.
std::optional<AccessExpectation> parse_access_expectation(const std::string& text,
                                                          bool has_owner);

struct ColumnInfo {
  std::string name;
  std::string type;  // format_type(), e.g. "uuid", "text", "timestamp with time zone"
};

// How the owner of a row is found, for SQL over alias `t`.
struct Ownership {
  std::string owner_column;   // direct owner column of this table, or the FK column of a chain
  std::string parent_table;   // "schema.table" of the chain's parent; empty when direct
  std::string parent_key;     // the parent's referenced column
  std::string parent_owner;   // the parent's direct owner column
  std::string how;            // "fk to auth.users", "column name", "chain via courses.user_id"
  bool direct() const { return parent_table.empty(); }
  // SQL yielding the owner uuid of row `t` (read it as a role that bypasses RLS).
  std::string owner_sql() const;
};

struct TableInfo {
  std::string schema;
  std::string name;
  std::vector<ColumnInfo> columns;
  std::vector<std::string> primary_key;  // empty: no primary key (not probed)
  std::optional<Ownership> ownership;
  AccessExpectation expectation = AccessExpectation::kServiceOnly;
  bool expectation_declared = false;  // from the environment or the defaults file
  bool has_active_column = false;

  std::string qualified() const { return schema + "." + name; }
  // quote_ident'ed "schema"."name"
  std::string sql_name() const;
  // SQL text of this row's primary key over alias t: "(t.id)::text" or "ROW(t.a,t.b)::text"
  std::string key_sql() const;
  const ColumnInfo* column(const std::string& column_name) const;
};

// Reads every ordinary table of `schemas` and infers ownership.
// `expectations` maps "table" or "schema.table" to an expectation name;
// unknown names throw std::invalid_argument naming the table.
std::vector<TableInfo> load_table_model(pqxx::work& txn, const std::vector<std::string>& schemas,
                                        const nlohmann::json& expectations);

// SQL array literal of text values, quoted for `txn`: ARRAY['a','b']::text[]
std::string text_array_sql(pqxx::work& txn, const std::vector<std::string>& values);

}  // namespace golive::security
