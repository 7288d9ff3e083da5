// The suites `golive run` knows, in the order it runs them: read-only suites
// first, destructive and load stages last. Each stage only wires a suite
// library to the run's environment and result sink.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "run/run_coverage.hpp"
#include "run/run_options.hpp"
#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::run {

// What a stage is given: the environment, the run's options, where results
// go, and the run's surface coverage (whose observer the functional suites
// hand to their HTTP clients).
struct StageContext {
  const config::Environment& env;
  const CommonOptions& common;
  core::ResultSink& sink;
  SurfaceCoverage& coverage;
  std::string run_dir;  // out/<run-id>/: where a stage may write files (screenshots)
};

struct SuiteStage {
  std::string name;
  bool destructive;  // writes data or loads the target: refused on production without override
  std::function<void(const StageContext&)> run;
  // Runs at the same time as the neighbouring concurrent stages: it only reads
  // the database (or works in scratch databases) and sends no API traffic, so
  // it cannot distort another stage's results.
  bool concurrent = false;
};

std::vector<SuiteStage> suite_stages();

}  // namespace golive::run
