#include "repo/test_reports.hpp"

#include <algorithm>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/input_error.hpp"

namespace golive::repo {

namespace {

using boost::property_tree::ptree;
using core::CheckStatus;
using core::Severity;

ptree parse_xml(const std::string& origin, const std::string& text) {
  ptree tree;
  std::istringstream in(text);
  try {
    boost::property_tree::read_xml(in, tree);
  } catch (const boost::property_tree::xml_parser_error& e) {
    throw core::InputError(origin, "line " + std::to_string(e.line()), "not well-formed XML: " + e.message());
  }
  return tree;
}

// A count attribute; absent, unreadable or negative counts as 0.
long attribute(const ptree& node, const char* name) {
  return std::max(0L, node.get<long>(std::string("<xmlattr>.") + name, 0));
}

// A line count from an lcov LF:/LH: line: a whole number >= 0, else an
// InputError naming the file and line.
long lcov_count(const std::string& origin, std::size_t line_number, const std::string& line) {
  long value = -1;
  const char* begin = line.data() + 3;
  const char* end = line.data() + line.size();
  const auto [stop, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || stop != end || value < 0) {
    throw core::InputError(origin, "line " + std::to_string(line_number),
                           line.substr(0, 3) + " needs a whole number of lines, not \"" + line.substr(3, 40) + "\"");
  }
  return value;
}

// A coverage total a report gave: at least as many lines found as hit.
LineCoverage checked(LineCoverage coverage, const std::string& where) {
  if (coverage.lines_found < 0 || coverage.lines_hit < 0 || coverage.lines_hit > coverage.lines_found) {
    throw core::InputError(coverage.file, where,
                           std::to_string(coverage.lines_hit) + " lines hit of " +
                               std::to_string(coverage.lines_found) + " found: not a coverage total");
  }
  return coverage;
}

// One <testsuite>: counted from its <testcase> children, which every JUnit
// writer emits, rather than from attributes some omit.
SuiteCounts count_suite(const std::string& file, const ptree& suite) {
  SuiteCounts counts;
  counts.file = file;
  counts.name = suite.get<std::string>("<xmlattr>.name", file);
  bool any_case = false;
  for (const auto& [tag, child] : suite) {
    if (tag != "testcase") continue;
    any_case = true;
    ++counts.tests;
    if (child.count("failure") || child.count("error")) ++counts.failures;
    else if (child.count("skipped")) ++counts.skipped;
  }
  if (!any_case) {
    counts.tests = attribute(suite, "tests");
    counts.failures = attribute(suite, "failures") + attribute(suite, "errors");
    counts.skipped = attribute(suite, "skipped");
  }
  return counts;
}

void collect_suites(const std::string& file, const ptree& node, std::vector<SuiteCounts>& out) {
  for (const auto& [tag, child] : node) {
    if (tag == "testsuite") {
      out.push_back(count_suite(file, child));
      collect_suites(file, child, out);  // pytest and some writers nest suites
    }
  }
}

std::vector<SuiteCounts> read_test_results(const std::string& origin, const std::string& text) {
  std::vector<SuiteCounts> suites;
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && text[start] == '{') {
    // Playwright's JSON reporter: {"config", "suites", "stats": {expected, unexpected, flaky, skipped}}.
    nlohmann::json doc = core::parse_json_text(text, origin);
    if (!doc.is_object() || !doc.contains("stats") || !doc["stats"].is_object() || !doc.contains("suites")) {
      throw core::InputError(origin, "", "unknown test result format: a JSON file must be Playwright's JSON report (\"suites\" and \"stats\")");
    }
    const auto& stats = doc["stats"];
    SuiteCounts counts;
    counts.file = origin;
    counts.name = origin;
    const long expected = stats.value("expected", 0L);
    const long unexpected = stats.value("unexpected", 0L);
    const long flaky = stats.value("flaky", 0L);
    counts.skipped = stats.value("skipped", 0L);
    counts.failures = unexpected;
    counts.tests = expected + unexpected + flaky + counts.skipped;
    suites.push_back(counts);
    return suites;
  }
  const ptree tree = parse_xml(origin, text);
  if (tree.count("testsuites")) collect_suites(origin, tree.get_child("testsuites"), suites);
  else if (tree.count("testsuite")) collect_suites(origin, tree, suites);
  else throw core::InputError(origin, "", "unknown test result format: expected JUnit XML (<testsuites> or <testsuite>) or Playwright's JSON report");
  return suites;
}

}  // namespace

std::vector<SuiteCounts> parse_test_results(const std::string& origin, const std::string& text) {
  // A document of the right kind but the wrong shape (a string where a
  // number belongs, an array where an object does) is the file's fault, not
  // a crash: say so, naming the file.
  try {
    return read_test_results(origin, text);
  } catch (const nlohmann::json::exception& error) {
    throw core::InputError(origin, "", std::string("not the shape of a test result file golive reads: ") + error.what());
  }
}

namespace {

LineCoverage read_coverage(const std::string& origin, const std::string& text) {
  LineCoverage coverage;
  coverage.file = origin;
  const auto start = text.find_first_not_of(" \t\r\n");
  const char first = start == std::string::npos ? '\0' : text[start];
  if (first == '{') {
    nlohmann::json doc = core::parse_json_text(text, origin);
    const nlohmann::json* lines = nullptr;
    if (doc.is_object() && doc.contains("total") && doc["total"].is_object()) {
      const auto& total = doc["total"];
      if (total.contains("lines") && total["lines"].is_object()) lines = &total["lines"];
    }
    if (!lines || !(*lines).contains("total") || !(*lines).contains("covered")) {
      throw core::InputError(origin, "/total/lines", "unknown coverage format: a JSON coverage file must be Istanbul's coverage-summary.json ({\"total\": {\"lines\": {\"total\", \"covered\"}}})");
    }
    coverage.format = "istanbul-summary";
    for (const char* key : {"total", "covered"}) {
      if (!(*lines)[key].is_number_integer()) {
        throw core::InputError(origin, std::string("/total/lines/") + key, "must be a whole number of lines");
      }
    }
    coverage.lines_found = (*lines)["total"].get<long>();
    coverage.lines_hit = (*lines)["covered"].get<long>();
    return checked(coverage, "/total/lines");
  }
  if (first == '<') {
    const ptree tree = parse_xml(origin, text);
    if (!tree.count("coverage")) {
      throw core::InputError(origin, "", "unknown coverage format: XML coverage must be Cobertura (<coverage lines-valid=... lines-covered=...>)");
    }
    const ptree& root = tree.get_child("coverage");
    coverage.format = "cobertura";
    coverage.lines_found = attribute(root, "lines-valid");
    coverage.lines_hit = attribute(root, "lines-covered");
    if (coverage.lines_found == 0) {
      // Older writers give only the rate; judge it against a nominal 10,000 lines.
      const double rate = root.get<double>("<xmlattr>.line-rate", -1);
      if (!(rate >= 0 && rate <= 1)) {
        throw core::InputError(origin, "", "Cobertura report without lines-valid or a line-rate between 0 and 1");
      }
      coverage.lines_found = 10000;
      coverage.lines_hit = std::lround(rate * 10000);
    }
    return checked(coverage, "<coverage>");
  }
  if (text.find("SF:") != std::string::npos && text.find("end_of_record") != std::string::npos) {
    coverage.format = "lcov";
    std::istringstream in(text);
    std::string line;
    long found_in_record = -1, hit_in_record = -1, da_found = 0, da_hit = 0;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("LF:", 0) == 0) found_in_record = lcov_count(origin, line_number, line);
      else if (line.rfind("LH:", 0) == 0) hit_in_record = lcov_count(origin, line_number, line);
      else if (line.rfind("DA:", 0) == 0) {
        ++da_found;
        const auto comma = line.find(',');
        if (comma != std::string::npos && line.compare(comma + 1, std::string::npos, "0") != 0) ++da_hit;
      } else if (line == "end_of_record") {
        // LF/LH when the writer gave them, else the DA lines.
        coverage.lines_found += found_in_record >= 0 ? found_in_record : da_found;
        coverage.lines_hit += hit_in_record >= 0 ? hit_in_record : da_hit;
        found_in_record = hit_in_record = -1;
        da_found = da_hit = 0;
      }
    }
    return checked(coverage, "");
  }
  throw core::InputError(origin, "", "unknown coverage format: expected lcov (SF:/end_of_record), Cobertura XML or Istanbul coverage-summary.json");
}

}  // namespace

LineCoverage parse_coverage(const std::string& origin, const std::string& text) {
  // A document of the right kind but the wrong shape (a string where a
  // number belongs, an array where an object does) is the file's fault, not
  // a crash: say so, naming the file.
  try {
    return read_coverage(origin, text);
  } catch (const nlohmann::json::exception& error) {
    throw core::InputError(origin, "", std::string("not the shape of a coverage file golive reads: ") + error.what());
  }
}

TestReports load_test_reports(const RepoSettings& settings) {
  TestReports reports;
  auto read_configured = [&](const std::string& relative) {
    auto text = read_repo_text(settings, relative);
    if (!text) throw core::InputError(repo_file(settings, relative), "", "the report named in the repo section does not exist");
    return *text;
  };
  std::vector<std::string> results = settings.test_reports;
  const bool results_configured = !results.empty();
  if (!results_configured) {
    for (const auto& file : list_repo_files(settings, "test-results")) {
      if (file.size() > 4 && (file.compare(file.size() - 4, 4, ".xml") == 0 || file.compare(file.size() - 5, 5, ".json") == 0)) {
        results.push_back(file);
      }
    }
    for (const char* candidate : {"junit.xml", "reports/junit.xml", "playwright-report/results.json"}) {
      if (read_repo_text(settings, candidate)) results.push_back(candidate);
    }
  }
  for (const auto& file : results) {
    const std::string text = read_configured(file);
    try {
      auto suites = parse_test_results(file, text);
      reports.suites.insert(reports.suites.end(), suites.begin(), suites.end());
      reports.result_files.push_back(file);
    } catch (const core::InputError& e) {
      throw core::InputError(repo_file(settings, file), e.location(), e.problem());
    }
  }
  std::vector<std::string> coverage = settings.coverage;
  if (coverage.empty()) {
    for (const char* candidate : {"coverage/lcov.info", "coverage/cobertura-coverage.xml",
                                  "coverage/coverage-summary.json", "coverage.xml"}) {
      if (read_repo_text(settings, candidate)) coverage.push_back(candidate);
    }
  }
  for (const auto& file : coverage) {
    const std::string text = read_configured(file);
    try {
      reports.coverage.push_back(parse_coverage(file, text));
    } catch (const core::InputError& e) {
      throw core::InputError(repo_file(settings, file), e.location(), e.problem());
    }
  }
  return reports;
}

void check_test_reports(const RepoSettings& settings, const TestReports& reports, core::ResultSink& sink) {
  Stopwatch watch;
  {
    auto result = repo_result("repo.tests.results", "The app's own test suites ran and passed", Severity::kHigh,
                              {"s001.R1.1"});
    std::vector<Finding> findings;
    long tests = 0, failures = 0, skipped = 0;
    nlohmann::json suites = nlohmann::json::array();
    for (const auto& suite : reports.suites) {
      tests += suite.tests;
      failures += suite.failures;
      skipped += suite.skipped;
      suites.push_back({{"file", suite.file}, {"suite", suite.name}, {"tests", suite.tests},
                        {"failures", suite.failures}, {"skipped", suite.skipped}});
      if (suite.failures > 0) {
        findings.push_back({suite.file, 0, "suite " + suite.name + ": " + std::to_string(suite.failures) + " of " +
                                               std::to_string(suite.tests) + " tests failed", ""});
      } else if (suite.tests > 0 && suite.skipped == suite.tests) {
        findings.push_back({suite.file, 0, "suite " + suite.name + ": every test was skipped", ""});
      } else if (suite.tests == 0) {
        findings.push_back({suite.file, 0, "suite " + suite.name + " has no tests", ""});
      }
    }
    result.evidence = {{"files", reports.result_files}, {"suites", suites}, {"tests", tests},
                       {"failures", failures}, {"skipped", skipped}};
    if (reports.result_files.empty()) {
      result.status = CheckStatus::kSkip;
      result.message = "no test result file (JUnit XML or Playwright JSON) in test-results/; set repo.test_reports";
    } else {
      conclude(result, findings, std::to_string(tests - skipped) + " of " + std::to_string(tests) +
                                     " tests passed in " + std::to_string(reports.suites.size()) + " suites (" +
                                     std::to_string(skipped) + " skipped)");
    }
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  }
  {
    auto result = repo_result("repo.tests.coverage", "Line coverage of the app's tests meets the minimum", Severity::kMedium,
                              {"s001.R1.5"});
    long found = 0, hit = 0;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& c : reports.coverage) {
      found += c.lines_found;
      hit += c.lines_hit;
      files.push_back({{"file", c.file}, {"format", c.format}, {"lines_found", c.lines_found},
                       {"lines_hit", c.lines_hit}, {"percent", std::round(c.percent() * 100) / 100}});
    }
    const double percent = found ? 100.0 * static_cast<double>(hit) / static_cast<double>(found) : 0;
    const double shown = std::round(percent * 100) / 100;
    std::ostringstream text;
    text.precision(4);
    text << shown << "% of " << found << " lines (minimum " << settings.coverage_min_percent << "%)";
    result.evidence = {{"files", files}, {"lines_found", found}, {"lines_hit", hit}, {"percent", shown},
                       {"min_percent", settings.coverage_min_percent}};
    if (reports.coverage.empty()) {
      result.status = CheckStatus::kSkip;
      result.message = "no coverage report (coverage/lcov.info, cobertura, coverage-summary.json); set repo.coverage";
    } else if (found == 0) {
      result.status = CheckStatus::kFail;
      result.message = "the coverage report counts no lines";
    } else {
      result.status = percent >= settings.coverage_min_percent ? CheckStatus::kPass : CheckStatus::kFail;
      result.message = "line coverage " + text.str();
    }
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  }
}

}  // namespace golive::repo
