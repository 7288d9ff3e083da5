// Schema snapshot: the live catalog of chosen schemas as deterministic JSON,
// the "expected schema" golive compares targets against.
//
// Shape (every object's keys sorted by nlohmann::json's std::map):
//   {"format": 1, "schemas": ["auth", "public", "storage"],
//    "tables": {"public.courses": {
//        "kind": "table" | "partitioned table" | "view" | "materialized view",
//        "rls_enabled": bool, "rls_forced": bool,
//        "columns":     {"id": {"type": "uuid", "nullable": false, "default": "gen_random_uuid()"|null}},
//        "indexes":     {"courses_user_id_idx": "CREATE INDEX ... USING btree (user_id)"},
//        "constraints": {"courses_pkey": {"type": "primary key", "definition": "PRIMARY KEY (id)"}},
//        "policies":    {"courses_select": {"command": "SELECT", "permissive": true,
//                        "roles": ["authenticated"], "using": "...", "with_check": null}},
//        "grants":      {"anon": ["DELETE", "INSERT", ...], "PUBLIC": [...]},
//        "triggers":    {"profiles_guard_tier": "CREATE TRIGGER ..."}}}}
// Column order, OIDs and data are deliberately left out: they differ between
// databases built from the same migrations.
#pragma once

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace golive::db {

// The schemas golive snapshots unless told otherwise.
std::vector<std::string> default_snapshot_schemas();  // {"public", "storage", "auth"}

// Reads the catalog through `connection` (in a read-only transaction that is
// rolled back). Throws pqxx exceptions when the catalog cannot be read.
nlohmann::json snapshot_schema(pqxx::connection& connection,
                               const std::vector<std::string>& schemas);

// The canonical text of a snapshot: 2-space indented, sorted, newline-terminated.
std::string snapshot_text(const nlohmann::json& snapshot);

}  // namespace golive::db
