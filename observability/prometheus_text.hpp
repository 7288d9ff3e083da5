// The Prometheus text exposition format (version 0.0.4), as a target's
// /metrics endpoint serves it:
//
//   # HELP <name> <text>
//   # TYPE <name> counter|gauge|histogram|summary|untyped
//   <name>[{<label>="<value>",...}] <value> [<timestamp ms>]
//
// Parsed into samples and the families their TYPE lines declare; a sample of
// a histogram family is named <family>_bucket, _sum or _count. Errors name
// the line. promtool (check metrics) lints the same text for its
// conventions; this parser only reads it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace golive::observability {

struct MetricSample {
  std::string name;                           // as written: "http_requests_total", "x_bucket"
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct MetricExposition {
  std::vector<MetricSample> samples;
  std::map<std::string, std::string> types;  // family name -> "counter", "histogram", ...

  // Whether `family` is exported: a TYPE line, or a sample named `family`,
  // `family`_total, _bucket, _count or _sum.
  bool has_family(const std::string& family) const;
  // Sum over every sample named exactly `name` (all label sets), std::nullopt if none.
  std::optional<double> sum(const std::string& name) const;
  // The family a sample name belongs to (strips _bucket/_sum/_count of a
  // declared histogram or summary; the name itself otherwise).
  std::string family_of(const std::string& sample_name) const;
  // Sums `other`'s samples into this one by name and label set (several
  // instances behind a load balancer add up).
  void add(const MetricExposition& other);
};

// Parses `text`; std::nullopt with `error` ("line N: ...") when a line is malformed.
std::optional<MetricExposition> parse_exposition(const std::string& text, std::string& error);

}  // namespace golive::observability
