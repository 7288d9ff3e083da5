#include "reports/sarif_reporter.hpp"

#include <map>

#include "core/security_severity.hpp"
#include "reports/checklist.hpp"
#include "reports/text_format.hpp"

namespace golive::report {

namespace {

using nlohmann::json;

const char* level_of(core::Severity severity) {
  switch (severity) {
    case core::Severity::kCritical:
    case core::Severity::kHigh:
      return "error";
    case core::Severity::kMedium:
      return "warning";
    case core::Severity::kLow:
    case core::Severity::kInfo:
      return "note";
  }
  return "warning";
}

// Literal characters of a template: the more, the more specific.
std::size_t literal_length(const std::string& id_template) {
  std::size_t literal = 0;
  bool inside = false;
  for (char c : id_template) {
    if (c == '{') inside = true;
    if (!inside) ++literal;
    if (c == '}') inside = false;
  }
  return literal;
}

// "security.rls.x.{schema}.{table}" -> "security.rls.x".
std::string without_trailing_placeholders(std::string id_template) {
  while (!id_template.empty() && id_template.back() == '}') {
    const auto open = id_template.rfind(".{");
    if (open == std::string::npos) break;
    id_template.erase(open);
  }
  return id_template;
}

// The first string among `keys` in the evidence or its "request" object.
std::string evidence_string(const json& evidence, std::initializer_list<const char*> keys) {
  if (!evidence.is_object()) return "";
  for (const char* key : keys) {
    if (evidence.contains(key) && evidence[key].is_string()) return evidence[key].get<std::string>();
    if (evidence.contains("request") && evidence["request"].is_object() &&
        evidence["request"].contains(key) && evidence["request"][key].is_string()) {
      return evidence["request"][key].get<std::string>();
    }
  }
  return "";
}

// A file and line the evidence names: top level, or the first object with
// both in a top-level list or object (repository findings list them).
std::optional<SourceLocation> evidence_file_line(const json& evidence) {
  auto from = [](const json& object) -> std::optional<SourceLocation> {
    if (!object.is_object() || !object.contains("file") || !object["file"].is_string()) return std::nullopt;
    const std::string file = object["file"].get<std::string>();
    if (file.empty()) return std::nullopt;
    int line = object.contains("line") && object["line"].is_number_integer() ? object["line"].get<int>() : 0;
    return SourceLocation{file, line};
  };
  if (auto here = from(evidence)) return here;
  if (!evidence.is_object()) return std::nullopt;
  for (const auto& [key, value] : evidence.items()) {
    if (value.is_array()) {
      for (const auto& item : value) {
        if (auto found = from(item)) return found;
      }
    } else if (auto found = from(value)) {
      return found;
    }
  }
  return std::nullopt;
}

json physical_location(const SourceLocation& where) {
  json location = {{"artifactLocation", {{"uri", where.file}, {"uriBaseId", "%SRCROOT%"}}}};
  if (where.line > 0) location["region"] = {{"startLine", where.line}};
  return location;
}

json result_location(const core::CheckResult& check, const std::string& rule,
                     const std::map<std::string, SourceLocation>& object_locations) {
  // The instance part of the id: "public.topics" of "security.rls.x.public.topics".
  std::string instance;
  if (check.id.size() > rule.size() + 1 && check.id.compare(0, rule.size() + 1, rule + ".") == 0) {
    instance = check.id.substr(rule.size() + 1);
  }
  const std::string table = evidence_string(check.evidence, {"table"});
  const std::string url = evidence_string(check.evidence, {"url", "target_url"});
  json location = json::object();
  std::optional<SourceLocation> where;
  for (const auto& object : {table, instance}) {
    if (object.empty()) continue;
    if (auto it = object_locations.find(object); it != object_locations.end()) {
      where = it->second;
      break;
    }
  }
  if (!where) where = evidence_file_line(check.evidence);
  if (where) location["physicalLocation"] = physical_location(*where);
  json logical = json::array();
  if (!table.empty()) {
    logical.push_back({{"fullyQualifiedName", table}, {"kind", "resource"}});
  } else if (!instance.empty()) {
    logical.push_back({{"fullyQualifiedName", instance}, {"kind", "resource"}});
  }
  if (!url.empty()) logical.push_back({{"fullyQualifiedName", url}, {"kind", "resource"}});
  if (logical.empty()) logical.push_back({{"fullyQualifiedName", check.id}, {"kind", "object"}});
  location["logicalLocations"] = logical;
  return location;
}

// "Title: public.topics" -> "Title" (rule descriptions name no instance).
std::string rule_title(const core::CheckResult& check, const std::string& instance) {
  const std::string suffix = ": " + instance;
  if (!instance.empty() && check.title.size() > suffix.size() &&
      check.title.compare(check.title.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return check.title.substr(0, check.title.size() - suffix.size());
  }
  return check.title;
}

json rule_json(const std::string& rule, const core::CheckResult& check, const ReportModel& model) {
  std::string instance =
      check.id.size() > rule.size() + 1 ? check.id.substr(rule.size() + 1) : std::string();
  const std::string title = rule_title(check, instance);
  std::string help = "golive check " + rule + " (" + check.suite + " suite): " + title + ".";
  std::string markdown = "**" + title + "** (golive check `" + rule + "`, " + check.suite + " suite)\n";
  for (const auto& item_id : check.checklist) {
    for (const auto& entry : model.checklist) {
      if (entry.item.id != item_id) continue;
      help += "\nGo-live item " + item_id + ": " + entry.item.text;
      markdown += "\n- go-live item `" + item_id + "`: " + entry.item.text;
    }
  }
  help += "\nThe run's index.html and report.json hold the evidence (requests, SQL, files); "
          "a failing check fails the go-live gate unless it is waived.";
  markdown += "\n\nThe run's `index.html` and `report.json` hold the evidence.";
  const double score = core::security_severity_score(check.severity);
  json tags = json::array({"security", "golive"});  // the schema wants unique tags
  if (check.suite != "security") tags.push_back(check.suite);
  return {{"id", rule},
          {"shortDescription", {{"text", title}}},
          {"fullDescription", {{"text", title + " (" + check.suite + " suite)"}}},
          {"help", {{"text", help}, {"markdown", markdown}}},
          {"defaultConfiguration", {{"level", level_of(check.severity)}}},
          {"properties",
           {{"security-severity", format_number(score, 1)},
            {"tags", tags}}}};
}

}  // namespace

bool sarif_reports_suite(const std::string& suite) {
  return suite == "security" || suite == "repo";
}

bool has_sarif_findings_scope(const ReportModel& model) {
  for (const auto& check : model.checks) {
    if (sarif_reports_suite(check.suite)) return true;
  }
  return false;
}

std::string sarif_rule_id(const std::string& check_id, const std::vector<std::string>& templates) {
  const std::string* best = nullptr;
  for (const auto& id_template : templates) {
    if (!glob_match(template_as_glob(id_template), check_id)) continue;
    if (best == nullptr || literal_length(id_template) > literal_length(*best)) best = &id_template;
  }
  if (best == nullptr) return check_id;
  std::string rule = without_trailing_placeholders(*best);
  return rule.empty() ? check_id : rule;
}

std::string render_sarif(const ReportModel& model, const RenderOptions& options) {
  // The options' locations when given, else those the run recorded.
  const auto& locations = options.object_locations.empty() ? model.object_locations : options.object_locations;
  std::map<std::string, json> rules;  // by id: sorted, so the bytes are stable
  json results = json::array();
  for (std::size_t index = 0; index < model.checks.size(); ++index) {
    const auto& check = model.checks[index];
    if (!sarif_reports_suite(check.suite) || !check.failed()) continue;
    const std::string rule = sarif_rule_id(check.id, options.check_id_templates);
    if (!rules.contains(rule)) rules[rule] = rule_json(rule, check, model);
    std::string text = check.title + ": " + check.message;
    if (check.status == core::CheckStatus::kError) text = "[could not decide] " + text;
    json result = {{"ruleId", rule},
                   {"level", level_of(check.severity)},
                   {"message", {{"text", text}}},
                   {"locations", json::array({result_location(check, rule, locations)})},
                   {"partialFingerprints", {{"goliveCheckId/v1", check.id}}},
                   {"properties",
                    {{"checkId", check.id},
                     {"suite", check.suite},
                     {"status", core::to_string(check.status)},
                     {"severity", core::to_string(check.severity)},
                     {"checklist", check.checklist},
                     {"evidenceExcerpt", evidence_text(check.evidence, options.evidence_max_bytes)}}}};
    if (const WaiverUse* use = model.waiver_of(index)) {
      const std::string who = "owner " + use->waiver.owner + ", until " + use->waiver.expires;
      if (use->expired) {
        result["message"]["text"] = text + " (waiver expired on " + use->waiver.expires + "; " + who + ")";
      } else {
        // A live waiver: code scanning shows the alert as dismissed, with why.
        result["suppressions"] = json::array({{{"kind", "external"},
                                               {"status", "accepted"},
                                               {"justification", use->waiver.reason + " (" + who + ")"}}});
      }
    }
    results.push_back(std::move(result));
  }
  // ruleIndex in results follows the sorted rule list.
  json rule_list = json::array();
  std::map<std::string, std::size_t> index;
  for (auto& [id, rule] : rules) {
    index[id] = rule_list.size();
    rule_list.push_back(std::move(rule));
  }
  for (auto& result : results) result["ruleIndex"] = index[result["ruleId"].get<std::string>()];
  json driver = {{"name", "golive"},
                 {"fullName", "golive go-live verification"},
                 {"rules", rule_list}};
  if (!model.run.golive_version.empty()) driver["version"] = model.run.golive_version;
  json run = {{"tool", {{"driver", driver}}},
              {"automationDetails", {{"id", "golive/" + (model.run.env.empty() ? "run" : model.run.env) + "/"}}},
              {"invocations", json::array({{{"executionSuccessful", !model.run.partial()},
                                            {"properties", {{"runId", model.run.id}}}}})},
              {"columnKind", "unicodeCodePoints"},
              {"results", results}};
  json log = {{"$schema", kSarifSchemaUri}, {"version", "2.1.0"}, {"runs", json::array({run})}};
  return log.dump(2) + "\n";
}

}  // namespace golive::report
