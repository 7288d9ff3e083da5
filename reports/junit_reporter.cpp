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

// Severity and the go-live items a check evidences, one `key=value` line
// each in the case's <system-out> (Jenkins and GitLab show it with the case).
// Stock junit-4.xsd has no per-case <properties>, and no stock JUnit schema
// found (junit-4.xsd, the xUnit plugin's junit-10.xsd) has them either, so
// golive writes the report that validates against junit-4.xsd unmodified.
std::string properties(const core::CheckResult& check, const WaiverUse* waiver) {
  std::string checklist;
  for (const auto& item : check.checklist) checklist += (checklist.empty() ? "" : ",") + item;
  std::string lines = std::string("severity=") + core::to_string(check.severity) + "\n";
  if (!checklist.empty()) lines += "checklist=" + checklist + "\n";
  if (waiver != nullptr) {
    lines += "waiver.owner=" + waiver->waiver.owner + "\nwaiver.expires=" + waiver->waiver.expires + "\n";
  }
  return "      <system-out>" + xml_escape(lines) + "</system-out>\n";
}

void append_testcase(std::string& xml, const ReportModel& model, std::size_t index,
                     std::size_t evidence_max_bytes) {
  const core::CheckResult& check = model.checks[index];
  const WaiverUse* waiver = model.waiver_of(index);
  xml += "    <testcase" + attribute("classname", "golive." + check.suite) +
         attribute("name", check.id) + attribute("time", seconds(check.duration_ms)) + ">\n";
  const std::string out = properties(check, waiver);
  if (model.is_waived(index)) {
    // A waived failure: skipped, with the waiver's reason, owner and expiry
    // (junit-4.xsd's <skipped> holds text only, no message attribute).
    xml += "      <skipped>" +
           xml_escape(one_line("waived: " + waiver->waiver.reason + " (owner " + waiver->waiver.owner +
                               ", until " + waiver->waiver.expires + "); " + check.message)) +
           "</skipped>\n" + out + "    </testcase>\n";
    return;
  }
  std::string message = check.message;
  if (waiver != nullptr) {
    message = "waiver expired on " + waiver->waiver.expires + " (owner " + waiver->waiver.owner + "): " + message;
  }
  switch (check.status) {
    case core::CheckStatus::kPass:
      xml += out + "    </testcase>\n";
      return;
    case core::CheckStatus::kSkip:
      xml += "      <skipped>" + xml_escape(one_line(check.message)) + "</skipped>\n" + out +
             "    </testcase>\n";
      return;
    case core::CheckStatus::kFail:
    case core::CheckStatus::kError: {
      const char* element = check.status == core::CheckStatus::kFail ? "failure" : "error";
      xml += "      <" + std::string(element) + attribute("message", one_line(message)) +
             attribute("type", core::to_string(check.severity)) + ">" +
             failure_body(check, evidence_max_bytes) + "</" + element + ">\n" + out +
             "    </testcase>\n";
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
         attribute("errors", model.counts.error + extra_errors) + attribute("time", seconds(total_ms)) + ">\n";
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
