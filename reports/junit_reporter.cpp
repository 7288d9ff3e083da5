#include "reports/junit_reporter.hpp"

#include "reports/escaping.hpp"
#include "reports/text_format.hpp"

namespace golive::report {

namespace {

std::string seconds(double milliseconds) {
  return format_number(milliseconds / 1000.0, 3);
}

std::string attribute(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + xml_escape_attribute(value) + "\"";
}

std::string attribute(const char* name, std::size_t value) {
  return attribute(name, std::to_string(value));
}

// Body of a <failure> or <error>: what a reviewer needs without opening the
// HTML report: the check, its message and the evidence excerpt.
std::string failure_body(const core::CheckResult& check, std::size_t evidence_max_bytes) {
  std::string body = check.title + "\nseverity: " + core::to_string(check.severity) +
                     "\nmessage: " + check.message + "\n";
  std::string reproduce = reproduction_text(check.evidence);
  if (!reproduce.empty()) body += "reproduce:\n" + reproduce + "\n";
  std::string evidence = evidence_text(check.evidence, evidence_max_bytes);
  if (!evidence.empty()) body += "evidence:\n" + evidence + "\n";
  return xml_escape(body);
}

// The message attribute: one line, so every CI shows it whole.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

// Severity and the go-live items a check evidences, as JUnit properties
// (Jenkins and GitLab show them with the case).
std::string properties(const core::CheckResult& check, const WaiverUse* waiver) {
  std::string checklist;
  for (const auto& item : check.checklist) checklist += (checklist.empty() ? "" : ",") + item;
  std::string xml = "      <properties>\n        <property" + attribute("name", "severity") +
                    attribute("value", core::to_string(check.severity)) + "/>\n";
  if (!checklist.empty()) {
    xml += "        <property" + attribute("name", "checklist") + attribute("value", checklist) + "/>\n";
  }
  if (waiver != nullptr) {
    xml += "        <property" + attribute("name", "waiver.owner") + attribute("value", waiver->waiver.owner) +
           "/>\n        <property" + attribute("name", "waiver.expires") +
           attribute("value", waiver->waiver.expires) + "/>\n";
  }
  return xml + "      </properties>\n";
}

void append_testcase(std::string& xml, const ReportModel& model, std::size_t index,
                     std::size_t evidence_max_bytes) {
  const core::CheckResult& check = model.checks[index];
  const WaiverUse* waiver = model.waiver_of(index);
  xml += "    <testcase" + attribute("classname", "golive." + check.suite) +
         attribute("name", check.id) + attribute("time", seconds(check.duration_ms)) + ">\n" +
         properties(check, waiver);
  if (model.is_waived(index)) {
    // A waived failure: skipped, with the waiver's reason, owner and expiry.
    xml += "      <skipped" +
           attribute("message", one_line("waived: " + waiver->waiver.reason + " (owner " + waiver->waiver.owner +
                                         ", until " + waiver->waiver.expires + "); " + check.message)) +
           "/>\n    </testcase>\n";
    return;
  }
  std::string message = check.message;
  if (waiver != nullptr) {
    message = "waiver expired on " + waiver->waiver.expires + " (owner " + waiver->waiver.owner + "): " + message;
  }
  switch (check.status) {
    case core::CheckStatus::kPass:
      xml += "    </testcase>\n";
      return;
    case core::CheckStatus::kSkip:
      xml += "      <skipped" + attribute("message", one_line(check.message)) +
             "/>\n    </testcase>\n";
      return;
    case core::CheckStatus::kFail:
    case core::CheckStatus::kError: {
      const char* element = check.status == core::CheckStatus::kFail ? "failure" : "error";
      xml += "      <" + std::string(element) + attribute("message", one_line(message)) +
             attribute("type", core::to_string(check.severity)) + ">" +
             failure_body(check, evidence_max_bytes) + "</" + element + ">\n    </testcase>\n";
      return;
    }
  }
}

}  // namespace

std::string render_junit_xml(const ReportModel& model, const RenderOptions& options) {
  double total_ms = 0;
  for (const auto& suite : model.suites) total_ms += suite.duration_ms;
  bool partial = model.run.partial();
  std::size_t extra_errors = partial ? 1 : 0;

  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites" + attribute("name", "golive " + model.run.id) +
         attribute("tests", model.counts.total() + extra_errors) +
         attribute("failures", model.counts.fail) +
         attribute("errors", model.counts.error + extra_errors) +
         attribute("skipped", model.counts.skip + model.counts.waived) + attribute("time", seconds(total_ms)) + ">\n";
  for (const auto& suite : model.suites) {
    xml += "  <testsuite" + attribute("name", suite.name) +
           attribute("tests", suite.counts.total()) + attribute("failures", suite.counts.fail) +
           attribute("errors", suite.counts.error) + attribute("skipped", suite.counts.skip + suite.counts.waived) +
           attribute("time", seconds(suite.duration_ms));
    if (suite.checks.empty()) {
      xml += "/>\n";
      continue;
    }
    xml += ">\n";
    for (std::size_t index : suite.checks)
      append_testcase(xml, model, index, options.evidence_max_bytes);
    xml += "  </testsuite>\n";
  }
  if (partial) {
    std::string message =
        "run " + model.run.id + " was interrupted before it finished: results are partial";
    if (model.run.truncated_tail) message += " (the last result line was cut mid-write)";
    xml += "  <testsuite" + attribute("name", "golive") + attribute("tests", std::size_t{1}) +
           attribute("failures", std::size_t{0}) + attribute("errors", std::size_t{1}) +
           attribute("skipped", std::size_t{0}) + attribute("time", "0") + ">\n";
    xml += "    <testcase" + attribute("classname", "golive.run") +
           attribute("name", "golive.run.complete") + attribute("time", "0") + ">\n      <error" +
           attribute("message", message) + attribute("type", "interrupted") + ">" +
           xml_escape(message) + "</error>\n    </testcase>\n";
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

}  // namespace golive::report
