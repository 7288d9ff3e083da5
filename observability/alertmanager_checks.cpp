#include "observability/alertmanager_checks.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "core/external_tool.hpp"

namespace golive::observability {

namespace {

constexpr const char* kValid = "observability.alertmanager.config_valid";
constexpr const char* kRouted = "observability.alertmanager.critical_routed";
constexpr auto kAmtoolDeadline = std::chrono::seconds(30);

struct AmtoolOutput {
  bool missing = false;
  core::ToolRun run;
  std::string out;  // standard output
};

AmtoolOutput amtool(const std::vector<std::string>& arguments) {
  AmtoolOutput output;
  const std::string binary = core::find_executable({"amtool"});
  if (binary.empty()) {
    output.missing = true;
    return output;
  }
  char name[] = "/tmp/golive-amtool-XXXXXX";
  const int fd = ::mkstemp(name);
  if (fd >= 0) ::close(fd);
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  output.run = core::run_tool(argv, {}, kAmtoolDeadline, fd >= 0 ? name : "");
  if (fd >= 0) {
    std::ifstream in(name);
    std::stringstream text;
    text << in.rdbuf();
    output.out = text.str();
    std::remove(name);
  }
  return output;
}

core::CheckResult base_result(const char* id, const char* title) {
  core::CheckResult result;
  result.id = id;
  result.suite = "observability";
  result.title = title;
  result.severity = core::Severity::kHigh;
  return result;
}

constexpr const char* kMissing =
    "amtool is not installed: install the Debian package prometheus-alertmanager (scripts/bootstrap)";

}  // namespace

const std::vector<std::string>& alertmanager_check_ids() {
  static const std::vector<std::string> ids = {kValid, kRouted};
  return ids;
}

void run_alertmanager_checks(const MonitoringConfig& monitoring, core::ResultSink& sink) {
  core::CheckResult valid = base_result(kValid, "The Alertmanager configuration is valid (amtool check-config)");
  core::CheckResult routed =
      base_result(kRouted, "Critical alerts reach a receiver that notifies by email or Slack");
  if (monitoring.alertmanager_config.empty()) {
    for (core::CheckResult* result : {&valid, &routed}) {
      result->status = core::CheckStatus::kSkip;
      result->message = "no observability.alertmanager_config: no Alertmanager configuration to check";
      sink.record(*result);
    }
    return;
  }
  const std::string& file = monitoring.alertmanager_config;
  const AmtoolOutput checked = amtool({"check-config", file});
  valid.evidence = {{"file", file}};
  if (checked.missing || !checked.run.ok()) {
    valid.status = checked.missing ? core::CheckStatus::kError : core::CheckStatus::kFail;
    valid.message = checked.missing ? kMissing : checked.out + checked.run.stderr_text;
    sink.record(valid);
    routed.status = valid.status;
    routed.message = "the configuration did not pass amtool check-config (see " + std::string(kValid) + ")";
    sink.record(routed);
    return;
  }
  valid.message = "amtool check-config: SUCCESS";
  sink.record(valid);

  const AmtoolOutput route = amtool({"config", "routes", "test", "--config.file=" + file, "severity=critical"});
  std::string receivers = route.out;
  while (!receivers.empty() && (receivers.back() == '\n' || receivers.back() == ' ')) receivers.pop_back();
  routed.evidence = {{"file", file}, {"receivers", receivers}};
  if (!route.run.ok()) {
    routed.status = core::CheckStatus::kFail;
    routed.message = "amtool config routes test: " + route.run.describe();
    sink.record(routed);
    return;
  }
  // The receivers amtool names (comma-separated), and what each one sends.
  std::vector<std::string> notifying;
  std::vector<std::string> silent;
  try {
    const YAML::Node root = YAML::LoadFile(file);
    std::stringstream names(receivers);
    std::string name;
    while (std::getline(names, name, ',')) {
      while (!name.empty() && name.front() == ' ') name.erase(0, 1);
      bool notifies = false;
      for (const auto& receiver : root["receivers"]) {
        if (receiver["name"] && receiver["name"].as<std::string>() == name) {
          notifies = (receiver["email_configs"] && receiver["email_configs"].size() > 0) ||
                     (receiver["slack_configs"] && receiver["slack_configs"].size() > 0);
        }
      }
      (notifies ? notifying : silent).push_back(name);
    }
  } catch (const std::exception& error) {
    routed.status = core::CheckStatus::kError;
    routed.message = file + ": " + error.what();
    sink.record(routed);
    return;
  }
  if (!notifying.empty()) {
    routed.status = core::CheckStatus::kPass;
    routed.message = "severity=critical is routed to " + receivers + ", which notifies by email or Slack";
  } else {
    routed.status = core::CheckStatus::kFail;
    routed.message = "severity=critical is routed to " + receivers +
                     ", which has no email_configs or slack_configs: nobody is notified";
  }
  sink.record(routed);
}

}  // namespace golive::observability
