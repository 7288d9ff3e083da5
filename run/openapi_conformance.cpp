#include "run/openapi_conformance.hpp"

#include <fstream>

#include "import/openapi_document.hpp"

namespace golive::run {

OpenApiConformance::OpenApiConformance(const std::vector<std::shared_ptr<const e2e::Workflow>>& workflows,
                                       const std::string& base_url, const std::string& run_dir) {
  std::map<std::string, std::shared_ptr<contract::SchemaConformance>> by_document;
  for (const auto& pointer : workflows) {
    const e2e::Workflow& workflow = *pointer;
    if (workflow.openapi.empty()) continue;
    auto& conformance = by_document[workflow.openapi];
    if (!conformance) {
      const auto document = imports::load_openapi_document(workflow.openapi);
      std::string file = workflow.openapi;
      if (std::ifstream probe(file); probe >> std::ws && probe.peek() != '{') {
        file = run_dir + "/openapi-" + std::to_string(documents_.size() + 1) + ".json";
        std::ofstream(file, std::ios::binary) << document.dump(2);
      }
      // The document's paths are relative to servers[0]'s path.
      conformance = std::make_shared<contract::SchemaConformance>(contract::ResponseSchemas::from_openapi(file),
                                                                  base_url + imports::openapi_server_path(document));
      documents_.push_back(conformance);
    }
    by_workflow_[workflow.name] = conformance;
  }
}

bool OpenApiConformance::observe(const e2e::StepExchange& exchange) const {
  auto found = by_workflow_.find(std::string(exchange.workflow));
  if (found == by_workflow_.end()) return false;
  found->second->observe(exchange.method, exchange.url, exchange.response,
                         "e2e." + std::string(exchange.workflow) + "." + std::string(exchange.step),
                         exchange.reproduction);
  return true;
}

void OpenApiConformance::record_results(core::ResultSink& sink) const {
  for (const auto& conformance : documents_) conformance->record_results(sink);
}

}  // namespace golive::run
