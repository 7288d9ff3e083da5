// OpenApiConformance: every response of a workflow that names an OpenAPI
// document ("openapi", as `golive import openapi` writes it) checked against
// that document's schema for its operation and status, through the contract
// suite's SchemaConformance (contract.schema.<operationId> results beside the
// steps'). The one implementation behind `golive e2e` and `golive run`'s e2e
// stage. One SchemaConformance per distinct document; a YAML document is
// validated through its JSON form, written into the run directory.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "contract/schema_conformance.hpp"
#include "core/result_stream.hpp"
#include "e2e/workflow_run.hpp"

namespace golive::run {

class OpenApiConformance {
 public:
  // Throws core::InputError when a named document is malformed. `run_dir`
  // (out/<run-id>/) receives the JSON form of a YAML document.
  OpenApiConformance(const std::vector<std::shared_ptr<const e2e::Workflow>>& workflows, const std::string& base_url,
                     const std::string& run_dir);

  bool empty() const { return by_workflow_.empty(); }
  // Thread-safe. True when the exchange's workflow names a document (and the
  // response was checked against it); false for a workflow that names none.
  bool observe(const e2e::StepExchange& exchange) const;
  void record_results(core::ResultSink& sink) const;

 private:
  std::map<std::string, std::shared_ptr<contract::SchemaConformance>> by_workflow_;
  std::vector<std::shared_ptr<contract::SchemaConformance>> documents_;
};

}  // namespace golive::run
