// RlsAccessModel: what the policies of a table say about who may read and
// write its rows, when the environment does not declare it. The policies are
// read from pg_policy (pg_get_expr text) and only those that apply to an API
// role (PUBLIC, anon or authenticated) count: a policy `TO postgres` or
// `TO supabase_auth_admin` is not a rule about users.
//
// From the SELECT policies a table gets read components:
//   owner   a policy compares auth.uid() with a column of the row;
//   member  a policy reaches the caller through a sub-select or a helper
//           function that reads auth.uid() (a membership table);
//   shared  a policy does not depend on the caller at all (`true`,
//           `bucket_id = 'avatars'`, `auth.role() = 'authenticated'`): every
//           caller allowed by the filter reads those rows, by design.
// and from the write policies whether writes are scoped to an owner column.
// The model then follows:
//   shared read + owner-scoped writes       public_read_owner_write (filter)
//   shared read, no owner                   public_read (filter)
//   shared read on an owned table, no owner write   owner (a user-owned table
//        readable by everyone is a leak, not a profile)
//   member read                             member_of
//   owner read                              owner_crud
//   no policy for an API role               service_only
// A table referenced by other tables' policies, directly or through a helper
// function, is an access source (a membership or role table): users must not
// add rows that grant them access.
#pragma once

#include <map>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace golive::security {

struct TableInfo;

struct PolicyInfo {
  std::string table;       // "schema.table"
  std::string name;
  std::string command;     // "select", "insert", "update", "delete", "all"
  bool permissive = true;
  bool api_facing = false;  // applies to PUBLIC, anon or authenticated
  std::vector<std::string> roles;  // role names; "public" for PUBLIC
  std::string using_expr;  // pg_get_expr text, "" when absent
  std::string check_expr;  // pg_get_expr text, "" when absent

  bool reads() const { return command == "select" || command == "all"; }
  bool writes() const { return command != "select"; }
};

// Policies of every table of `schema_array` (an SQL text[] literal), with the
// `( SELECT auth.uid() AS uid)` wrapper normalised to `auth.uid()`.
std::map<std::string, std::vector<PolicyInfo>> load_policies(pqxx::work& txn, const std::string& schema_array);

// `(auth.uid() = col)` or `(col = auth.uid())` on the row itself (not a
// qualified column of a sub-select): the column name, else "".
std::string owner_column_compared_to_uid(const std::string& expr);
// Every such column, in order of appearance.
std::vector<std::string> columns_compared_to_uid(const std::string& expr);
// Columns of `auth.uid() = ANY (col)`: uuid arrays the caller must be in.
std::vector<std::string> array_columns_holding_uid(const std::string& expr);

// The column API policies of a table most often compare with auth.uid(), "".
std::string policy_owner_column(const std::vector<PolicyInfo>& policies);

// Names ("schema.name") of functions whose body reads auth.uid()/auth.jwt(),
// mapped to the "schema.table" names their body mentions.
struct CallerHelpers {
  std::map<std::string, std::vector<std::string>> tables_read;  // function -> tables it mentions
};
CallerHelpers load_caller_helpers(pqxx::work& txn, const std::vector<std::string>& table_names);

// Fills expectation, shared_read_filter and model_reason of every table
// whose expectation was not declared, and access_source / elevated_roles
// of every table.
void infer_access_models(std::vector<TableInfo>& tables, const std::map<std::string, std::vector<PolicyInfo>>& policies,
                         const CallerHelpers& helpers);

}  // namespace golive::security
