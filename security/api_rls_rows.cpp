#include "security/api_rls_rows.hpp"

#include <algorithm>

#include "core/random_id.hpp"
#include "target/postgres.hpp"

namespace golive::security {

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool is_text_type(const std::string& type) {
  return type == "text" || type.rfind("character varying", 0) == 0;
}

// A JSON value as the text PostgreSQL accepts as input for its column.
std::string value_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    names.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

std::string regclass(pqxx::transaction_base& txn, const TableInfo& table) {
  return txn.quote(table.sql_name()) + "::regclass";
}

// The owner column a probe user's id goes into: the direct owner column.
const std::string* direct_owner_column(const TableInfo& table) {
  if (table.ownership && table.ownership->direct()) return &table.ownership->owner_column;
  return nullptr;
}

// SQL of column `column` of a copy of row `s`, owned by `owner` (see the header).
std::string column_expr(pqxx::transaction_base& txn, const TableInfo& table, const RowShape& shape,
                        const ColumnInfo& column, const std::string& owner, const OwnerRows& parents,
                        const std::string& suffix) {
  const std::string source = "s." + txn.quote_name(column.name);
  const std::string typed = "::" + column.type;
  const std::string* owner_column = direct_owner_column(table);
  if (!owner.empty() && owner_column && column.name == *owner_column) return txn.quote(owner) + typed;
  for (const ForeignKey& reference : shape.references) {
    const auto parent = parents.find(reference.table);
    if (parent == parents.end()) continue;
    for (std::size_t i = 0; i < reference.columns.size() && i < reference.referenced.size(); ++i) {
      if (reference.columns[i] == column.name && parent->second.contains(reference.referenced[i])) {
        return txn.quote(value_text(parent->second.at(reference.referenced[i]))) + typed;
      }
    }
  }
  const bool in_key = contains(table.primary_key, column.name);
  const bool references_other = shape.foreign_keys.count(column.name) > 0;
  // A composite key keeps its references (feature_mappings.tier_id) and
  // freshens the rest; a single-column key is always fresh.
  if (in_key && !(references_other && table.primary_key.size() > 1)) {
    if (column.type == "uuid") return "gen_random_uuid()";
    if (is_text_type(column.type)) return source + " || " + txn.quote("-golive-" + suffix);
    if (column.type == "integer" || column.type == "bigint" || column.type == "smallint") {
      return "(SELECT coalesce(max(m." + txn.quote_name(column.name) + "), 0) + 1 + floor(random() * 1000)::int FROM " +
             table.sql_name() + " AS m)" + typed;
    }
    if (column.type == "date") return "(DATE '1971-01-01' + floor(random() * 20000)::int)";
    if (column.type.rfind("timestamp", 0) == 0) return "(now() - random() * interval '3000 days')" + typed;
    return source;
  }
  if (shape.unique_text.count(column.name) > 0) return source + " || " + txn.quote("-golive-" + suffix);
  return source;
}

struct CopySql {
  std::string columns;      // "a", "b"
  std::string expressions;  // expr, expr
  std::string aliased;      // expr AS "a", ...
};

CopySql copy_sql(pqxx::transaction_base& txn, const TableInfo& table, const RowShape& shape,
                 const std::string& owner, const OwnerRows& parent) {
  CopySql sql;
  const std::string suffix = core::random_hex(4);
  for (const ColumnInfo& column : table.columns) {
    if (shape.skipped.count(column.name) > 0) continue;
    const std::string expr = column_expr(txn, table, shape, column, owner, parent, suffix);
    const std::string separator = sql.columns.empty() ? "" : ", ";
    sql.columns += separator + txn.quote_name(column.name);
    sql.expressions += separator + expr;
    sql.aliased += separator + expr + " AS " + txn.quote_name(column.name);
  }
  return sql;
}

// "alias"."k" = 'v' AND ... for the key values of `key`, compared as text.
std::string key_filter(pqxx::transaction_base& txn, const TableInfo& table, const std::string& alias,
                       const nlohmann::json& key) {
  std::string filter;
  for (const std::string& column : table.primary_key) {
    if (!key.contains(column)) return "false";
    filter += (filter.empty() ? "" : " AND ") + alias + "." + txn.quote_name(column) + "::text = " +
              txn.quote(value_text(key.at(column)));
  }
  return filter.empty() ? "false" : filter;
}

}  // namespace

RowShape read_row_shape(pqxx::work& txn, const TableInfo& table) {
  RowShape shape;
  for (const auto& row : txn.exec("SELECT attname FROM pg_attribute WHERE attrelid = " + regclass(txn, table) +
                                  " AND attnum > 0 AND NOT attisdropped AND (attidentity = 'a' OR attgenerated <> '')")) {
    shape.skipped.insert(row[0].as<std::string>());
  }
  for (const auto& row : txn.exec(
           "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_index i JOIN pg_attribute a "
           "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = " +
           regclass(txn, table) + " AND i.indisunique AND NOT i.indisprimary AND i.indnatts = 1")) {
    if (is_text_type(row[1].as<std::string>())) shape.unique_text.insert(row[0].as<std::string>());
  }
  for (const auto& row : txn.exec(
           "SELECT n.nspname || '.' || r.relname, string_agg(a.attname, ',' ORDER BY k.ord), "
           "string_agg(af.attname, ',' ORDER BY k.ord) FROM pg_constraint c "
           "CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, fcol, ord) "
           "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col "
           "JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = k.fcol "
           "JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
           "WHERE c.contype = 'f' AND c.conrelid = " + regclass(txn, table) + " GROUP BY c.oid, n.nspname, r.relname")) {
    ForeignKey reference;
    reference.table = row[0].as<std::string>();
    reference.columns = split_names(row[1].as<std::string>());
    reference.referenced = split_names(row[2].as<std::string>());
    for (const std::string& column : reference.columns) shape.foreign_keys.insert(column);
    shape.references.push_back(std::move(reference));
  }
  return shape;
}

std::optional<RowValues> seed_row(pqxx::connection& connection, const TableInfo& table,
                                  const RowShape& shape, const std::string& owner,
                                  const OwnerRows& parent, std::string* why) {
  try {
    pqxx::work txn(connection);
    const CopySql sql = copy_sql(txn, table, shape, owner, parent);
    const pqxx::result result =
        txn.exec("INSERT INTO " + table.sql_name() + " AS t (" + sql.columns + ") SELECT " + sql.expressions +
                 " FROM " + table.sql_name() + " AS s LIMIT 1 RETURNING row_to_json(t)::text");
    if (result.empty()) {
      *why = "the table has no row to copy";
      txn.abort();
      return std::nullopt;
    }
    RowValues row = nlohmann::json::parse(result[0][0].as<std::string>());
    txn.commit();
    return row;
  } catch (const pqxx::sql_error& e) {
    *why = "the database refused a copied row: " + trimmed(e.what());
  }
  return std::nullopt;
}

std::optional<RowValues> existing_row(pqxx::connection& connection, const TableInfo& table,
                                      const std::string& owner) {
  if (!table.ownership || owner.empty()) return std::nullopt;
  std::optional<RowValues> row;
  target::with_rolled_back_transaction(connection, [&](pqxx::work& txn) {
    const pqxx::result result = txn.exec("SELECT row_to_json(t)::text FROM " + table.sql_name() + " AS t WHERE (" +
                                         table.ownership->owner_sql() + ")::text = " + txn.quote(owner) +
                                         " LIMIT 1");
    if (!result.empty()) row = nlohmann::json::parse(result[0][0].as<std::string>());
  });
  return row;
}

std::optional<RowValues> candidate_row(pqxx::connection& connection, const TableInfo& table,
                                       const RowShape& shape, const RowValues& source,
                                       const std::string& owner, const OwnerRows& parent,
                                       std::string* why) {
  try {
    std::optional<RowValues> row;
    target::with_rolled_back_transaction(connection, [&](pqxx::work& txn) {
      const CopySql sql = copy_sql(txn, table, shape, owner, parent);
      const pqxx::result result =
          txn.exec("SELECT row_to_json(x)::text FROM (SELECT " + sql.aliased + " FROM " + table.sql_name() +
                   " AS s WHERE " + key_filter(txn, table, "s", key_of(table, source)) + ") x");
      if (!result.empty()) row = nlohmann::json::parse(result[0][0].as<std::string>());
    });
    if (!row) *why = "the seeded row to copy is gone";
    return row;
  } catch (const pqxx::sql_error& e) {
    *why = "could not build a row to insert: " + trimmed(e.what());
  }
  return std::nullopt;
}

nlohmann::json key_of(const TableInfo& table, const RowValues& row) {
  nlohmann::json key = nlohmann::json::object();
  for (const std::string& column : table.primary_key) {
    if (row.is_object() && row.contains(column)) key[column] = row.at(column);
  }
  return key;
}

std::string touch_column(const TableInfo& table) {
  const std::string* owner = direct_owner_column(table);
  for (const ColumnInfo& column : table.columns) {
    if (contains(table.primary_key, column.name)) continue;
    if (owner && *owner == column.name) continue;
    if (table.ownership && column.name == table.ownership->owner_column) continue;
    return column.name;
  }
  return table.columns.empty() ? std::string() : table.columns.front().name;
}

const char* to_string(ApiRlsOp op) {
  switch (op) {
    case ApiRlsOp::kSelect: return "select";
    case ApiRlsOp::kInsert: return "insert";
    case ApiRlsOp::kUpdate: return "update";
    case ApiRlsOp::kDelete: return "delete";
  }
  return "?";
}

const char* to_string(Access access) {
  switch (access) {
    case Access::kAllowed: return "allowed";
    case Access::kDenied: return "denied";
    case Access::kUndecided: return "undecided";
  }
  return "?";
}

DbAttempt database_attempt(pqxx::connection& connection, const TableInfo& table, ApiRlsOp op,
                           const std::string& role, const std::string& user_id,
                           const nlohmann::json& key, const RowValues& row) {
  DbAttempt attempt;
  try {
    target::with_rolled_back_transaction(connection, [&](pqxx::work& txn) {
      const std::string filter = key_filter(txn, table, "t", key);
      std::string sql;
      switch (op) {
        case ApiRlsOp::kSelect:
          sql = "SELECT count(*) FROM " + table.sql_name() + " AS t WHERE " + filter;
          break;
        case ApiRlsOp::kUpdate: {
          const std::string column = txn.quote_name(touch_column(table));
          sql = "UPDATE " + table.sql_name() + " AS t SET " + column + " = t." + column + " WHERE " + filter;
          break;
        }
        case ApiRlsOp::kDelete:
          sql = "DELETE FROM " + table.sql_name() + " AS t WHERE " + filter;
          break;
        case ApiRlsOp::kInsert: {
          std::string columns, values;
          for (const auto& item : row.items()) {
            columns += (columns.empty() ? "" : ", ") + txn.quote_name(item.key());
            values += (values.empty() ? "" : ", ") + std::string("src.") + txn.quote_name(item.key());
          }
          sql = "INSERT INTO " + table.sql_name() + " (" + columns + ") SELECT " + values +
                " FROM json_populate_record(NULL::" + table.sql_name() + ", " + txn.quote(row.dump()) +
                "::json) AS src";
          break;
        }
      }
      target::impersonate(txn, role, user_id);
      const pqxx::result result = txn.exec(sql);
      attempt.rows = op == ApiRlsOp::kSelect ? result[0][0].as<long long>()
                                            : static_cast<long long>(result.affected_rows());
      attempt.access = attempt.rows > 0 ? Access::kAllowed : Access::kDenied;
    });
  } catch (const pqxx::insufficient_privilege& e) {
    attempt.access = Access::kDenied;
    attempt.error = trimmed(e.what());
  } catch (const pqxx::sql_error& e) {
    attempt.error = trimmed(e.what());
    // RLS WITH CHECK runs before constraints and AFTER triggers: a write
    // that fails with anything but 42501 got past RLS. A failed read decides nothing.
    if (e.sqlstate() == "42501") {
      attempt.access = Access::kDenied;
    } else {
      attempt.access = op == ApiRlsOp::kSelect ? Access::kUndecided : Access::kAllowed;
    }
  }
  return attempt;
}

long long delete_rows(pqxx::connection& connection, const TableInfo& table,
                      const std::vector<nlohmann::json>& keys) {
  long long deleted = 0;
  for (const nlohmann::json& key : keys) {
    try {
      pqxx::work txn(connection);
      deleted += txn.exec("DELETE FROM " + table.sql_name() + " AS t WHERE " + key_filter(txn, table, "t", key))
                     .affected_rows();
      txn.commit();
    } catch (const pqxx::sql_error&) {
      // A row another clean-up already removed (a cascade), or one still
      // referenced: the residue check counts what is left.
    }
  }
  return deleted;
}

}  // namespace golive::security
