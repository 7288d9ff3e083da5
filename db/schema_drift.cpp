#include "db/schema_drift.hpp"

namespace golive::db {

namespace {

using nlohmann::json;

const json& member_or_empty(const json& object, const std::string& key) {
  static const json kEmpty = json::object();
  auto it = object.find(key);
  return it == object.end() ? kEmpty : *it;
}

// The schema part of "public.courses".
std::string schema_of(const std::string& table) { return table.substr(0, table.find('.')); }

// Index, constraint, policy and trigger names are per table (policies,
// triggers, constraints) or per schema (indexes); objects are named so a
// reader can find them: indexes "schema.name", the rest "schema.table.name".
std::string member_object(const std::string& kind, const std::string& table,
                          const std::string& name) {
  if (kind == "index") return schema_of(table) + "." + name;
  return table + "." + name;
}

// Which fields of a policy changed: "USING changed, roles changed".
std::string policy_changes(const json& expected, const json& live) {
  static const std::vector<std::pair<std::string, std::string>> kFields = {
      {"command", "command"}, {"permissive", "permissive/restrictive"}, {"roles", "roles"},
      {"using", "USING"}, {"with_check", "WITH CHECK"}};
  std::string changes;
  for (const auto& [field, label] : kFields) {
    if (member_or_empty(expected, field) == member_or_empty(live, field)) continue;
    if (!changes.empty()) changes += ", ";
    changes += label + " changed";
  }
  return changes.empty() ? "changed" : changes;
}

std::string column_changes(const json& expected, const json& live) {
  std::string changes;
  for (const auto& field : {"type", "nullable", "default", "identity", "generated"}) {
    if (member_or_empty(expected, field) == member_or_empty(live, field)) continue;
    if (!changes.empty()) changes += ", ";
    changes += std::string(field) + " changed";
  }
  return changes.empty() ? "changed" : changes;
}

void diff_members(const std::string& kind, const std::string& section, const std::string& table,
                  const json& expected_table, const json& live_table,
                  std::vector<DriftFinding>& findings) {
  const json& expected = member_or_empty(expected_table, section);
  const json& live = member_or_empty(live_table, section);
  for (const auto& [name, definition] : expected.items()) {
    std::string object = member_object(kind, table, name);
    auto it = live.find(name);
    if (it == live.end()) {
      findings.push_back({kind, object, "missing", kind + " " + object + " missing", definition,
                          nullptr});
    } else if (*it != definition) {
      std::string what = kind == "policy"   ? policy_changes(definition, *it)
                         : kind == "column" ? column_changes(definition, *it)
                                            : "definition changed";
      findings.push_back({kind, object, "changed", kind + " " + object + ": " + what, definition, *it});
    }
  }
  for (const auto& [name, definition] : live.items()) {
    if (expected.contains(name)) continue;
    std::string object = member_object(kind, table, name);
    findings.push_back({kind, object, "added",
                        kind + " " + object + " added outside migrations", nullptr, definition});
  }
}

void diff_table(const std::string& table, const json& expected, const json& live,
                std::vector<DriftFinding>& findings) {
  for (const auto& [flag, label] :
       {std::pair<std::string, std::string>{"rls_enabled", "row level security"},
        {"rls_forced", "forced row level security"}}) {
    if (member_or_empty(expected, flag) == member_or_empty(live, flag)) continue;
    bool on = live.value(flag, false);
    findings.push_back({"rls", table, "changed",
                        table + ": " + label + (on ? " enabled" : " disabled") +
                            " outside migrations",
                        expected.value(flag, false), on});
  }
  if (member_or_empty(expected, "kind") != member_or_empty(live, "kind")) {
    findings.push_back({"table", table, "changed", table + ": kind changed", expected["kind"],
                        live["kind"]});
  }
  diff_members("column", "columns", table, expected, live, findings);
  diff_members("index", "indexes", table, expected, live, findings);
  diff_members("constraint", "constraints", table, expected, live, findings);
  diff_members("policy", "policies", table, expected, live, findings);
  diff_members("grant", "grants", table, expected, live, findings);
  diff_members("trigger", "triggers", table, expected, live, findings);
}

}  // namespace

std::vector<DriftFinding> diff_snapshots(const json& expected, const json& live) {
  std::vector<DriftFinding> findings;
  const json& expected_tables = member_or_empty(expected, "tables");
  const json& live_tables = member_or_empty(live, "tables");
  for (const auto& [table, definition] : expected_tables.items()) {
    auto it = live_tables.find(table);
    if (it == live_tables.end()) {
      findings.push_back({"table", table, "missing", "table " + table + " missing", definition,
                          nullptr});
    } else {
      diff_table(table, definition, *it, findings);
    }
  }
  for (const auto& [table, definition] : live_tables.items()) {
    if (expected_tables.contains(table)) continue;
    findings.push_back({"table", table, "added", "table " + table + " added outside migrations",
                        nullptr, definition});
  }
  return findings;
}

std::string readable_diff(const DriftFinding& finding) {
  std::string diff;
  if (!finding.expected.is_null()) diff += "- " + finding.expected.dump() + "\n";
  if (!finding.live.is_null()) diff += "+ " + finding.live.dump() + "\n";
  return diff;
}

}  // namespace golive::db
