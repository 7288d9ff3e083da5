// InfraCheck: builds one CheckResult of suite "infra" for a check id, with
// the go-live checklist items it evidences and its wall time.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/check_result.hpp"
#include "core/result_stream.hpp"

namespace golive::infra {

class InfraCheck {
 public:
  InfraCheck(core::ResultSink& sink, std::string id, std::string title, core::Severity severity,
             std::vector<std::string> checklist);
  void pass(std::string message, nlohmann::json evidence = nlohmann::json::object());
  void fail(std::string message, nlohmann::json evidence = nlohmann::json::object());
  void error(std::string message, nlohmann::json evidence = nlohmann::json::object());
  void skip(std::string message, nlohmann::json evidence = nlohmann::json::object());
  // A request as curl (infra_reproduction()) merged into the evidence of a
  // fail or an error (http::attach_reproduction).
  void reproduce(nlohmann::json reproduction) { reproduction_ = std::move(reproduction); }

 private:
  void record(core::CheckStatus status, std::string message, nlohmann::json evidence);
  core::ResultSink& sink_;
  core::CheckResult result_;
  nlohmann::json reproduction_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace golive::infra
