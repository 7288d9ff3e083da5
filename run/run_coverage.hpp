// SurfaceCoverage: what one `golive run` exercised of the target. Which API
// endpoints (every request the functional suites sent, seen through an
// http::RequestLog handed to them as their request observer) against those
// the target declares, and which tables the RLS probes covered against
// those present. Written as one `surface_coverage` meta record
// (reports/README.md); the reports add the checklist count.
//
//   SurfaceCoverage coverage;
//   e2e_options.request_observer = coverage.observer();   // per suite
//   coverage.note_table_coverage(rls_outcome.surface_coverage);
//   writer.record_meta("surface_coverage", coverage.record(env));
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "config/environment.hpp"
#include "http/observing_client.hpp"
#include "target/endpoint_surface.hpp"

namespace golive::run {

// The endpoints the target declares: GET <base_url>/_golive/routes, else the
// OpenAPI file named by the environment's contract.openapi. Surface coverage
// and the repository's OpenAPI check read the same declaration.
struct Declaration {
  std::vector<target::DeclaredEndpoint> endpoints;
  std::string source;  // "GET /_golive/routes", "openapi: FILE" or why none was found
  bool found = false;
};
Declaration declared_endpoints(const config::Environment& env);

class SurfaceCoverage {
 public:
  // The observer to give every functional suite (never a load stage:
  // per-request bookkeeping would distort the measurement).
  http::RequestObserver* observer() { return &requests_; }

  // Keeps the RLS suite's {"tables_probed", "tables_present"} (null is ignored).
  void note_table_coverage(const nlohmann::json& record);

  // Why a suite did not send a declared endpoint ("POST /rest/v1/profiles" ->
  // "the API access matrix has no probe row: ..."), for the report's list of
  // endpoints not exercised.
  void note_not_exercised(const std::map<std::string, std::string>& why);

  // Reads the declared endpoints (GET <base_url>/_golive/routes, else the
  // OpenAPI file named by the environment's contract.openapi) and returns the
  // record: endpoints_declared / endpoints_exercised name lists when a
  // declaration was found (else endpoints_exercised as a count of distinct
  // request paths), endpoints_source saying where the declaration came from,
  // the noted table lists, and endpoints_not_exercised: one
  // {"endpoint", "group", "method", "why"} per declared endpoint no request hit,
  // grouped by REST table ("table courses") or API ("/storage/v1").
  nlohmann::json record(const config::Environment& env) const;

 private:
  http::RequestLog requests_;
  mutable std::mutex table_mutex_;
  nlohmann::json table_coverage_ = nlohmann::json::object();  // guarded by table_mutex_
  std::map<std::string, std::string> not_exercised_why_;       // guarded by table_mutex_
};

}  // namespace golive::run
