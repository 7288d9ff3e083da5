// RlsTableModel: what the RLS suite knows about each exposed table, read from
// the catalog (columns, primary key, foreign keys) plus who owns its rows
// (inferred) and what access the environment expects for it.
//
// Ownership is inferred in this order: the column API policies compare with
// auth.uid() (`id` = auth.users.id without a foreign key, `created_by`); a
// column with a foreign key to auth.users; a column named user_id / owner_id /
// owner; a single-column foreign key to a table owned directly
// (topics.course_id -> courses.user_id). When the environment declares no
// expectation for a table, its access model is inferred from its policies
// (rls_access_model.hpp).
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
  kOwnerVia,          // owner_crud where the owner is reached through a foreign-key chain (a parent's owner)
  kCustom,            // caller-dependent policies golive cannot classify: the probes decide (outsider, anon)
  kPublicRead,        // anon and authenticated read every row; writes are service only
  kPublicReadActive,  // anon and authenticated read rows WHERE active; writes service only
  kServiceOnly,       // no API role reads or writes
  kPublicReadOwnerWrite,  // every caller the read filter admits reads; the owner writes their rows
  kMemberOf,          // rows are shared through a membership table; outsiders see and change nothing
};

const char* to_string(AccessExpectation expectation);
// Accepts the enum names above in snake case ("owner_crud", ...) and the
// aliases "owner" (= owner_crud), "service_write_only" (= owner_read_only when
// an owner is inferred, else public_read) and "owner_read". Returns nullopt
// for anything else.
std::optional<AccessExpectation> parse_access_expectation(const std::string& text,
                                                          bool has_owner);
// The accepted names, for messages.
extern const char* const kAccessExpectationNames;


struct ColumnInfo {
  std::string name;
  std::string type;  // format_type(), e.g. "uuid", "text", "timestamp with time zone"
  bool generated = false;        // GENERATED ALWAYS AS (...) STORED, or identity ALWAYS: never written
  bool required = false;         // NOT NULL without a default: a minimal row must carry it
  bool unique = false;           // a single-column unique index outside the primary key: a copy needs a fresh value
};

// A single-column foreign key to the exposed table that groups the rows
// (projects.account_id -> accounts.id when accounts is shared by membership).
struct GroupKey {
  std::string column;
  std::string parent_table;  // "schema.table"
  std::string parent_key;
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
  std::vector<std::string> primary_key;  // empty: no primary key (rows addressed by ctid)
  std::optional<Ownership> ownership;
  AccessExpectation expectation = AccessExpectation::kServiceOnly;
  bool expectation_declared = false;  // from the environment or the defaults file
  bool has_active_column = false;
  // SQL filter over the row (unqualified columns) under which every caller
  // reads rows by design: "true", "(bucket_id = 'avatars'::text)"; "" none.
  std::string shared_read_filter;
  std::string model_reason;    // why the expectation: "declared", or what the policies say
  bool access_source = false;  // other tables' policies read it, directly or through a helper
  bool grants_access = false;  // an owned access source no table references: membership or role rows
  bool role_table = false;     // grants_access without a key to a group: its rows are app roles
  std::optional<GroupKey> group_key;  // member_of tables: the key to their group, when one is exposed
  // Columns besides the owner's that a read policy compares with auth.uid()
  // (a message's recipient_id): the user they name reads the row by design.
  std::vector<std::string> co_reader_columns;
  // uuid[] columns a read policy tests with `auth.uid() = ANY (col)` (a
  // conversation's participants): every user listed reads the row by design.
  std::vector<std::string> co_reader_arrays;

  std::string qualified() const { return schema + "." + name; }
  // quote_ident'ed "schema"."name"
  std::string sql_name() const;
  // SQL text of this row's primary key over alias t: "(t.id)::text" or
  // "ROW(t.a,t.b)::text"; "(t.ctid)::text" without a primary key
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
