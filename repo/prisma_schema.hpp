// A hand-written reader of Prisma schema files (schema.prisma): models and
// their @@map, fields with types, optionality, @id, @unique, @map, @db.*
// native types and @relation(fields, references), the block attributes
// @@id, @@unique, @@index, and enums. Comments, generator and datasource
// blocks are skipped. There is no C++ Prisma library; this reads what the
// drift check (prisma_drift.hpp) needs and refuses what it cannot read.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace golive::repo {

struct PrismaField {
  std::string name;
  std::string type;         // "String", "Int", a model or enum name
  bool optional = false;    // Type?
  bool list = false;        // Type[]
  bool id = false;          // @id
  bool unique = false;      // @unique
  std::string column;       // @map("x"), else the field name
  std::string native_type;  // "Uuid", "Timestamptz", "VarChar" (@db.X without arguments)
  std::vector<std::string> relation_fields;      // @relation(fields: [...])
  std::vector<std::string> relation_references;  // @relation(references: [...])
  int line = 0;
};

struct PrismaIndex {
  std::vector<std::string> fields;
  int line = 0;
};

struct PrismaModel {
  std::string name;
  std::string table;  // @@map("x"), else the model name
  std::vector<PrismaField> fields;
  std::vector<std::string> id_fields;  // @@id([...]) or the @id field
  std::vector<PrismaIndex> uniques;    // @@unique and @unique
  std::vector<PrismaIndex> indexes;    // @@index
  int line = 0;
  const PrismaField* field(const std::string& name) const;
};

struct PrismaSchema {
  std::vector<PrismaModel> models;
  std::set<std::string> enums;
  const PrismaModel* model(const std::string& name) const;
  bool is_scalar(const std::string& type) const;  // a column, not a relation
};

// Throws core::InputError naming `origin` and the line for what it cannot read.
PrismaSchema parse_prisma_schema(const std::string& origin, const std::string& text);

}  // namespace golive::repo
