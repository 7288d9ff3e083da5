// The metric names a PromQL expression reads, by a small tokenizer (promtool
// 2.42 has no PromQL subcommand): identifiers that are not function calls,
// keywords, aggregation modifiers' label lists, label matchers, strings,
// durations or numbers.
//
//   promql_metric_names("sum by (le) (rate(http_seconds_bucket{job=\"a\"}[5m]))")
//     -> {"http_seconds_bucket"}
#pragma once

#include <set>
#include <string>

namespace golive::observability {

std::set<std::string> promql_metric_names(const std::string& expression);

}  // namespace golive::observability
