// The suites `golive run` knows, in the order it runs them: read-only suites
// first, destructive and load stages last. Each stage only wires a suite
// library to the run's environment and result sink.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/command_context.hpp"
#include "core/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::cli {

struct SuiteStage {
  std::string name;
  bool destructive;  // writes data or loads the target: refused on production without override
  std::function<void(const core::Environment&, const CommonOptions&, core::ResultSink&)> run;
  // Runs at the same time as the neighbouring concurrent stages: it only reads
  // the database (or works in scratch databases) and sends no API traffic, so
  // it cannot distort another stage's results.
  bool concurrent = false;
};

std::vector<SuiteStage> suite_stages();

}  // namespace golive::cli
