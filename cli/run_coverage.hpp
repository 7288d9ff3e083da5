// Surface coverage of one `golive run`: which API endpoints the run
// exercised against those the target declares, and which tables the RLS
// probes covered against those present. Written as one `surface_coverage`
// meta record (reports/README.md); the reports add the checklist count.
//
//   start_endpoint_recording();        before the first suite
//   set_endpoint_recording(false);     around load stages
//   note_table_coverage(record);       from the RLS stage
//   writer.record_meta("surface_coverage", surface_coverage_record(env));
#pragma once

#include <nlohmann/json.hpp>

#include "core/environment.hpp"

namespace golive::cli {

// Clears and switches on core::RequestRecorder.
void start_endpoint_recording();
void set_endpoint_recording(bool on);

// Keeps the RLS suite's {"tables_probed", "tables_present"} (null is ignored).
void note_table_coverage(const nlohmann::json& record);

// Stops recording, reads the declared endpoints (GET <base_url>/_golive/routes,
// else the OpenAPI file named by the environment's contract.openapi) and
// returns the record: endpoints_declared / endpoints_exercised name lists
// when a declaration was found (else endpoints_exercised as a count of
// distinct request paths), endpoints_source saying where the declaration
// came from, and the noted table lists.
nlohmann::json surface_coverage_record(const core::Environment& env);

}  // namespace golive::cli
