// OpenApiConformance: `golive e2e` checks every response of a workflow that
// names an OpenAPI document ("openapi", as `golive import openapi` writes it)
// against that document's schema for its operation and status, through the
// contract suite's SchemaConformance (contract.schema.<operationId> results
// beside the steps'). One SchemaConformance per distinct document; a YAML
// document is validated through its JSON form, written into the run directory.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "contract/schema_conformance.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "e2e/workflow_run.hpp"

namespace golive::cli {

class OpenApiConformance {
 public:
  // Throws core::InputError when a named document is malformed.
  OpenApiConformance(const std::vector<std::shared_ptr<const e2e::Workflow>>& workflows, const std::string& base_url,
                     const core::RunDirectory& run_dir);

  bool empty() const { return by_workflow_.empty(); }
  // Thread-safe; a workflow that names no document is ignored.
  void observe(const e2e::StepExchange& exchange) const;
  void record_results(core::ResultSink& sink) const;

 private:
  std::map<std::string, std::shared_ptr<contract::SchemaConformance>> by_workflow_;
  std::vector<std::shared_ptr<contract::SchemaConformance>> documents_;
};

}  // namespace golive::cli
