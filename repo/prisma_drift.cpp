#include "repo/prisma_drift.hpp"

#include <algorithm>
#include <map>

#include "core/input_error.hpp"
#include "target/postgres.hpp"

namespace golive::repo {

namespace {

using core::CheckStatus;

const char* const kSchemaFile = "prisma/schema.prisma";

struct LiveColumn {
  std::string type;
  bool nullable = false;
};

struct LiveIndex {
  std::vector<std::string> columns;
  bool primary = false;
  bool unique = false;
};

struct LiveForeignKey {
  std::string table;
  std::vector<std::string> columns;
  std::string referenced;  // "schema.table" or "table" for public
  std::vector<std::string> referenced_columns;
};

struct LiveSchema {
  std::map<std::string, std::map<std::string, LiveColumn>> tables;  // public tables
  std::map<std::string, std::vector<LiveIndex>> indexes;
  std::vector<LiveForeignKey> foreign_keys;
};

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  std::string part;
  for (char c : text) {
    if (c == ',') {
      out.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  if (!part.empty()) out.push_back(part);
  return out;
}

LiveSchema read_live_schema(pqxx::work& txn) {
  LiveSchema live;
  for (const auto& row : txn.exec("SELECT table_name FROM information_schema.tables "
                                  "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
    live.tables[row[0].as<std::string>()];
  }
  for (const auto& row : txn.exec("SELECT table_name, column_name, data_type, is_nullable = 'YES' "
                                  "FROM information_schema.columns WHERE table_schema = 'public'")) {
    auto table = live.tables.find(row[0].as<std::string>());
    if (table != live.tables.end()) table->second[row[1].as<std::string>()] = {row[2].as<std::string>(), row[3].as<bool>()};
  }
  for (const auto& row : txn.exec(
           "SELECT c.relname, ix.indisprimary, ix.indisunique, "
           "  array_to_string(ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) "
           "    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord), ',') "
           "FROM pg_index ix JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = 'public' AND ix.indpred IS NULL AND ix.indexprs IS NULL")) {
    live.indexes[row[0].as<std::string>()].push_back(
        {split_names(row[3].as<std::string>()), row[1].as<bool>(), row[2].as<bool>()});
  }
  for (const auto& row : txn.exec(
           "SELECT cl.relname, CASE WHEN rn.nspname = 'public' THEN rf.relname ELSE rn.nspname || '.' || rf.relname END, "
           "  array_to_string(ARRAY(SELECT a.attname FROM unnest(co.conkey) WITH ORDINALITY k(num, ord) "
           "    JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num ORDER BY k.ord), ','), "
           "  array_to_string(ARRAY(SELECT a.attname FROM unnest(co.confkey) WITH ORDINALITY k(num, ord) "
           "    JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.num ORDER BY k.ord), ',') "
           "FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid "
           "JOIN pg_namespace n ON n.oid = cl.relnamespace JOIN pg_class rf ON rf.oid = co.confrelid "
           "JOIN pg_namespace rn ON rn.oid = rf.relnamespace WHERE co.contype = 'f' AND n.nspname = 'public'")) {
    live.foreign_keys.push_back({row[0].as<std::string>(), split_names(row[2].as<std::string>()),
                                 row[1].as<std::string>(), split_names(row[3].as<std::string>())});
  }
  return live;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::set<std::string> postgres_types_for(const PrismaField& field, const PrismaSchema& schema) {
  const std::string& native = field.native_type;
  if (schema.enums.count(field.type)) return {"USER-DEFINED"};
  if (field.list) return {"ARRAY"};
  if (field.type == "String") {
    if (native == "Uuid") return {"uuid"};
    if (native == "VarChar") return {"character varying"};
    if (native == "Char") return {"character"};
    if (native == "Citext") return {"USER-DEFINED"};
    return {"text", "character varying"};
  }
  if (field.type == "Int") return native == "SmallInt" ? std::set<std::string>{"smallint"} : std::set<std::string>{"integer"};
  if (field.type == "BigInt") return {"bigint"};
  if (field.type == "Float") return native == "Real" ? std::set<std::string>{"real"} : std::set<std::string>{"double precision"};
  if (field.type == "Decimal") return {"numeric"};
  if (field.type == "Boolean") return {"boolean"};
  if (field.type == "DateTime") {
    if (native == "Timestamptz") return {"timestamp with time zone"};
    if (native == "Date") return {"date"};
    if (native == "Time") return {"time without time zone"};
    if (native == "Timetz") return {"time with time zone"};
    return {"timestamp without time zone"};
  }
  if (field.type == "Json") return native == "Json" ? std::set<std::string>{"json"} : std::set<std::string>{"jsonb"};
  if (field.type == "Bytes") return {"bytea"};
  return {};  // Unsupported(...): any type
}

std::optional<PrismaSchema> load_prisma_schema(const RepoSettings& settings) {
  const auto text = read_repo_text(settings, kSchemaFile);
  if (!text) return std::nullopt;
  try {
    return parse_prisma_schema(kSchemaFile, *text);
  } catch (const core::InputError& e) {
    throw core::InputError(repo_file(settings, kSchemaFile), e.location(), e.problem());
  }
}

void check_prisma_drift(const RepoSettings& settings, const std::optional<PrismaSchema>& schema,
                        core::ResultSink& sink) {
  Stopwatch watch;
  auto result = repo_result("repo.prisma.drift", "The live schema matches the app's Prisma schema",
                            core::Severity::kHigh, {"s001.R2.5"});
  auto finish = [&] {
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  };
  if (!schema) {
    result.status = CheckStatus::kSkip;
    result.message = std::string("no ") + kSchemaFile + " in the repository";
    return finish();
  }
  if (settings.database_url.empty()) {
    result.status = CheckStatus::kSkip;
    result.message = "no database_url in the environment: the Prisma schema is not compared with a live schema";
    return finish();
  }
  LiveSchema live;
  try {
    auto db = target::connect_database(settings.database_url);
    if (!db.ok()) throw std::runtime_error("cannot connect to the database: " + db.error);
    target::with_rolled_back_transaction(*db.connection, [&](pqxx::work& txn) { live = read_live_schema(txn); });
  } catch (const std::exception& e) {
    result.status = CheckStatus::kError;
    result.message = std::string("cannot read the live schema: ") + e.what();
    return finish();
  }
  std::vector<Finding> findings;
  auto add = [&](int line, const std::string& problem) { findings.push_back({kSchemaFile, line, problem, ""}); };
  std::set<std::string> modelled_tables;
  for (const auto& model : schema->models) {
    modelled_tables.insert(model.table);
    auto table = live.tables.find(model.table);
    if (table == live.tables.end()) {
      add(model.line, "model " + model.name + ": table " + model.table + " does not exist");
      continue;
    }
    // Field names to columns, for the block attributes.
    auto column_of = [&](const std::string& field_name) {
      const PrismaField* f = model.field(field_name);
      return f ? f->column : field_name;
    };
    auto columns_of = [&](const std::vector<std::string>& fields) {
      std::vector<std::string> out;
      for (const auto& f : fields) out.push_back(column_of(f));
      return out;
    };
    std::set<std::string> modelled_columns;
    for (const auto& field : model.fields) {
      if (!schema->is_scalar(field.type)) {
        // A relation: the side with fields/references holds the foreign key.
        if (field.relation_fields.empty()) continue;
        const PrismaModel* target = schema->model(field.type);
        if (!target) {
          add(field.line, model.name + "." + field.name + ": relation to unknown model " + field.type);
          continue;
        }
        const auto from = columns_of(field.relation_fields);
        std::vector<std::string> to;
        for (const auto& r : field.relation_references) {
          const PrismaField* f = target->field(r);
          to.push_back(f ? f->column : r);
        }
        const bool found = std::any_of(live.foreign_keys.begin(), live.foreign_keys.end(), [&](const LiveForeignKey& fk) {
          return fk.table == model.table && fk.columns == from && fk.referenced == target->table && fk.referenced_columns == to;
        });
        if (!found) {
          add(field.line, model.name + "." + field.name + ": no foreign key " + model.table + "(" + join(from) + ") -> " +
                              target->table + "(" + join(to) + ")");
        }
        continue;
      }
      modelled_columns.insert(field.column);
      auto column = table->second.find(field.column);
      if (column == table->second.end()) {
        add(field.line, model.name + "." + field.name + ": column " + model.table + "." + field.column + " does not exist");
        continue;
      }
      const auto types = postgres_types_for(field, *schema);
      if (!types.empty() && !types.count(column->second.type)) {
        add(field.line, model.name + "." + field.name + ": column " + model.table + "." + field.column + " is " +
                            column->second.type + ", the schema says " + field.type +
                            (field.native_type.empty() ? "" : " @db." + field.native_type));
      }
      if (column->second.nullable != field.optional) {
        add(field.line, model.name + "." + field.name + ": column " + model.table + "." + field.column + " is " +
                            (column->second.nullable ? "nullable" : "NOT NULL") + ", the schema says " +
                            (field.optional ? "optional (?)" : "required"));
      }
    }
    for (const auto& [name, unused] : table->second) {
      if (!modelled_columns.count(name)) add(model.line, "model " + model.name + ": column " + model.table + "." + name + " is not in the schema");
    }
    const auto& indexes = live.indexes[model.table];
    if (!model.id_fields.empty()) {
      const auto wanted = sorted(columns_of(model.id_fields));
      const bool found = std::any_of(indexes.begin(), indexes.end(), [&](const LiveIndex& i) { return i.primary && sorted(i.columns) == wanted; });
      if (!found) add(model.line, "model " + model.name + ": no primary key (" + join(wanted) + ")");
    }
    for (const auto& unique : model.uniques) {
      const auto wanted = sorted(columns_of(unique.fields));
      const bool found = std::any_of(indexes.begin(), indexes.end(), [&](const LiveIndex& i) { return (i.unique || i.primary) && sorted(i.columns) == wanted; });
      if (!found) add(unique.line, "model " + model.name + ": no unique index on (" + join(wanted) + ")");
    }
    for (const auto& index : model.indexes) {
      const auto wanted = columns_of(index.fields);
      const bool found = std::any_of(indexes.begin(), indexes.end(), [&](const LiveIndex& i) { return i.columns == wanted; });
      if (!found) add(index.line, "model " + model.name + ": no index on (" + join(wanted) + ")");
    }
  }
  for (const auto& [table, unused] : live.tables) {
    if (!modelled_tables.count(table) && table != "_prisma_migrations") {
      add(0, "table " + table + " exists but no model maps to it");
    }
  }
  result.evidence["models"] = schema->models.size();
  result.evidence["live_tables"] = live.tables.size();
  conclude(result, findings, "all " + std::to_string(schema->models.size()) + " models match the live schema");
  finish();
}

}  // namespace golive::repo
