#include "load/threshold.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/ascii_case.hpp"

namespace golive::load {

namespace {

struct MetricName {
  std::string_view name;
  ThresholdMetric metric;
};

constexpr MetricName kMetricNames[] = {
    {"avg", ThresholdMetric::kAvg},
    {"min", ThresholdMetric::kMin},
    {"med", ThresholdMetric::kMedian},
    {"max", ThresholdMetric::kMax},
    {"error_rate", ThresholdMetric::kErrorRate},
    {"rps", ThresholdMetric::kRps},
    {"requests", ThresholdMetric::kRequests},
    {"errors", ThresholdMetric::kErrors},
    {"dropped_iterations", ThresholdMetric::kDroppedIterations},
};

constexpr const char* kKnownMetrics =
    "p(N), avg, min, med, max, error_rate, rps, requests, errors, dropped_iterations";

// 1-based column in characters (UTF-8 continuation bytes do not count).
std::size_t column_of(std::string_view text, std::size_t byte) {
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

// Recursive-descent over one short expression; every failure names a column.
class ThresholdParser {
 public:
  ThresholdParser(std::string_view text, const std::string& file, const std::string& pointer)
      : text_(text), file_(file), pointer_(pointer) {}

  Threshold parse() {
    Threshold t;
    t.expression = std::string(text_);
    skip_spaces();
    if (at_end()) fail(pos_, "empty threshold expression");
    parse_metric(t);
    skip_spaces();
    parse_comparison(t);
    skip_spaces();
    const std::size_t number_start = pos_;
    const double written = parse_number("a limit");
    skip_spaces();
    parse_unit(t, written, number_start);
    skip_spaces();
    if (!at_end()) fail(pos_, "unexpected \"" + std::string(text_.substr(pos_)) + "\" after the limit");
    return t;
  }

 private:
  [[noreturn]] void fail(std::size_t byte, const std::string& problem) const {
    const std::string column = "column " + std::to_string(column_of(text_, byte));
    throw core::InputError(file_, pointer_.empty() ? column : pointer_ + ", " + column,
                           "threshold \"" + std::string(text_) + "\": " + problem);
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_spaces() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  void parse_metric(Threshold& t) {
    const std::size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')) ++pos_;
    const std::string_view name = text_.substr(start, pos_ - start);
    if (name.empty()) fail(start, "expected a metric (" + std::string(kKnownMetrics) + ")");
    if (name == "p") {
      skip_spaces();
      if (peek() != '(') fail(pos_, "expected \"(\" after p, as in p(99)");
      ++pos_;
      skip_spaces();
      const std::size_t number_start = pos_;
      t.percentile = parse_number("a percentile");
      if (!(t.percentile > 0 && t.percentile <= 100)) {
        fail(number_start, "percentile must be in (0, 100]");
      }
      skip_spaces();
      if (peek() != ')') fail(pos_, "expected \")\" to close p(");
      ++pos_;
      t.metric = ThresholdMetric::kPercentile;
      return;
    }
    for (const auto& known : kMetricNames) {
      if (known.name == name) {
        t.metric = known.metric;
        return;
      }
    }
    fail(start, "unknown metric \"" + std::string(name) + "\" (expected one of: " + kKnownMetrics + ")");
  }

  void parse_comparison(Threshold& t) {
    const std::size_t start = pos_;
    const char first = peek();
    const char second = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if (first == '<' || first == '>') {
      const bool or_equal = second == '=';
      t.comparison = first == '<' ? (or_equal ? Comparison::kLessEqual : Comparison::kLess)
                                  : (or_equal ? Comparison::kGreaterEqual : Comparison::kGreater);
      pos_ += or_equal ? 2 : 1;
    } else if ((first == '=' || first == '!') && second == '=') {
      t.comparison = first == '=' ? Comparison::kEqual : Comparison::kNotEqual;
      pos_ += 2;
    } else {
      fail(start, "expected a comparison (<, <=, >, >=, ==, !=)");
    }
  }

  double parse_number(const char* what) {
    const std::size_t start = pos_;
    while (!at_end() && (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '.')) ++pos_;
    double value = 0;
    const char* begin = text_.data() + start;
    const char* end = text_.data() + pos_;
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (start == pos_ || ec != std::errc() || ptr != end || !std::isfinite(value)) {
      fail(start, std::string("expected ") + what + " (a non-negative number)");
    }
    return value;
  }

  void parse_unit(Threshold& t, double written, std::size_t number_start) {
    const std::size_t start = pos_;
    while (!at_end() && !std::isspace(static_cast<unsigned char>(peek()))) ++pos_;
    const std::string unit(text_.substr(start, pos_ - start));
    t.unit = unit;
    t.limit_text = std::string(text_.substr(number_start, start - number_start));
    while (!t.limit_text.empty() && std::isspace(static_cast<unsigned char>(t.limit_text.back()))) {
      t.limit_text.pop_back();
    }

    if (t.is_latency()) {
      if (unit.empty() || unit == "ms") {
        t.unit_scale = 1;
      } else if (unit == "s") {
        t.unit_scale = 1000;
      } else if (unit == "us" || unit == "\xC2\xB5s") {
        t.unit_scale = 0.001;
      } else {
        fail(start, "unknown unit \"" + unit + "\" for " + t.metric_name() + " (expected us, ms or s)");
      }
      if (unit.empty()) t.unit = "ms";
    } else if (t.metric == ThresholdMetric::kErrorRate) {
      if (unit == "%") {
        t.unit_scale = 0.01;
        if (written > 100) fail(number_start, "error_rate cannot exceed 100%");
      } else if (unit.empty()) {
        t.unit_scale = 1;
        if (written > 1) fail(number_start, "error_rate without % is a fraction in [0, 1]; write 5% or 0.05");
      } else {
        fail(start, "unknown unit \"" + unit + "\" for error_rate (expected % or none)");
      }
    } else if (!unit.empty()) {
      fail(start, t.metric_name() + " takes no unit, found \"" + unit + "\"");
    }
    t.limit = written * t.unit_scale;
    t.limit_text += t.unit;  // latency limits show their unit even when defaulted
  }

  std::string_view text_;
  const std::string& file_;
  const std::string& pointer_;
  std::size_t pos_ = 0;
};

// Short human figures: 1834.2, 12.35, 0.0025; integers stay integers.
std::string format_figure(double value) {
  char buffer[64];
  if (std::fabs(value) >= 100 || value == std::floor(value)) {
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
  }
  std::string text = buffer;
  if (text.find('.') != std::string::npos && text.find('e') == std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += core::ascii_lower(c);
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

const char* comparison_slug(Comparison comparison) {
  switch (comparison) {
    case Comparison::kLess: return "lt";
    case Comparison::kLessEqual: return "le";
    case Comparison::kGreater: return "gt";
    case Comparison::kGreaterEqual: return "ge";
    case Comparison::kEqual: return "eq";
    case Comparison::kNotEqual: return "ne";
  }
  return "cmp";
}

}  // namespace

const char* to_string(Comparison comparison) {
  switch (comparison) {
    case Comparison::kLess: return "<";
    case Comparison::kLessEqual: return "<=";
    case Comparison::kGreater: return ">";
    case Comparison::kGreaterEqual: return ">=";
    case Comparison::kEqual: return "==";
    case Comparison::kNotEqual: return "!=";
  }
  return "?";
}

std::string Threshold::metric_name() const {
  if (metric == ThresholdMetric::kPercentile) return "p(" + format_figure(percentile) + ")";
  for (const auto& known : kMetricNames) {
    if (known.metric == metric) return std::string(known.name);
  }
  return "?";
}

bool Threshold::is_latency() const {
  switch (metric) {
    case ThresholdMetric::kPercentile:
    case ThresholdMetric::kAvg:
    case ThresholdMetric::kMin:
    case ThresholdMetric::kMedian:
    case ThresholdMetric::kMax:
      return true;
    default:
      return false;
  }
}

bool Threshold::holds(double observed) const {
  switch (comparison) {
    case Comparison::kLess: return observed < limit;
    case Comparison::kLessEqual: return observed <= limit;
    case Comparison::kGreater: return observed > limit;
    case Comparison::kGreaterEqual: return observed >= limit;
    case Comparison::kEqual: return observed == limit;
    case Comparison::kNotEqual: return observed != limit;
  }
  return false;
}

Threshold parse_threshold(std::string_view expression, const std::string& file,
                          const std::string& pointer) {
  return ThresholdParser(expression, file, pointer).parse();
}

std::optional<double> MetricSnapshot::error_rate() const {
  const std::uint64_t intended = requests + dropped_iterations;
  if (intended == 0) return std::nullopt;
  return static_cast<double>(errors) / static_cast<double>(intended);
}

std::optional<double> MetricSnapshot::rps() const {
  if (!(duration_s > 0)) return std::nullopt;
  return static_cast<double>(requests) / duration_s;
}

std::optional<double> MetricSnapshot::observe(const Threshold& threshold) const {
  constexpr double kMsPerUs = 0.001;
  if (threshold.is_latency() && latency.count() == 0) return std::nullopt;
  switch (threshold.metric) {
    case ThresholdMetric::kPercentile:
      return static_cast<double>(latency.value_at_percentile(threshold.percentile)) * kMsPerUs;
    case ThresholdMetric::kAvg: return latency.mean() * kMsPerUs;
    case ThresholdMetric::kMin: return static_cast<double>(latency.min()) * kMsPerUs;
    case ThresholdMetric::kMedian:
      return static_cast<double>(latency.value_at_percentile(50)) * kMsPerUs;
    case ThresholdMetric::kMax: return static_cast<double>(latency.max()) * kMsPerUs;
    case ThresholdMetric::kErrorRate: return error_rate();
    case ThresholdMetric::kRps: return rps();
    case ThresholdMetric::kRequests: return static_cast<double>(requests);
    case ThresholdMetric::kErrors: return static_cast<double>(errors);
    case ThresholdMetric::kDroppedIterations: return static_cast<double>(dropped_iterations);
  }
  return std::nullopt;
}

std::string scope_problem(const std::string& scope) {
  if (scope == "scenario") return "";
  if (scope.rfind("step:", 0) == 0) {
    return scope.size() > 5 ? "" : "step scope needs a step name, as in \"step:login\"";
  }
  if (scope.rfind("tag:", 0) == 0) {
    const auto equals = scope.find('=', 4);
    if (equals == std::string::npos || equals == 4) {
      return "tag scope needs a key and a value, as in \"tag:group=checkout\"";
    }
    return "";
  }
  return "unknown scope \"" + scope + "\" (expected \"scenario\", \"step:<name>\" or \"tag:<key>=<value>\")";
}

ThresholdSpec threshold_spec_from_json(const core::JsonReader& reader) {
  ThresholdSpec spec;
  if (reader.value().is_string()) {
    spec.expression = reader.as_string();
    parse_threshold(spec.expression, reader.file(), reader.pointer());
    return spec;
  }
  if (!reader.value().is_object()) {
    reader.fail(std::string("a threshold is an expression string such as \"p(95) < 300ms\" or an "
                            "object {\"expression\", \"scope\", \"abort_on_fail\"}, found ") +
                reader.value().type_name());
  }
  reader.reject_unknown_keys({"expression", "scope", "abort_on_fail"});
  spec.expression = reader.at("expression").as_string();
  parse_threshold(spec.expression, reader.file(), reader.at("expression").pointer());
  spec.scope = reader.string_or("scope", "scenario");
  if (const std::string problem = scope_problem(spec.scope); !problem.empty()) {
    reader.at("scope").fail(problem);
  }
  spec.abort_on_fail = reader.bool_or("abort_on_fail", false);
  return spec;
}

ThresholdVerdict evaluate(const ThresholdSpec& spec, const MetricSnapshot& snapshot) {
  return evaluate(spec, parse_threshold(spec.expression), snapshot);
}

ThresholdVerdict evaluate(const ThresholdSpec& spec, const Threshold& parsed,
                          const MetricSnapshot& snapshot) {
  ThresholdVerdict verdict;
  verdict.spec = spec;
  verdict.metric = parsed.metric_name();
  verdict.limit = parsed.limit;
  verdict.unit = parsed.unit;
  verdict.observed = snapshot.observe(parsed);
  verdict.passed = verdict.observed.has_value() && parsed.holds(*verdict.observed);
  const std::string limit = std::string("limit ") + to_string(parsed.comparison) + " " + parsed.limit_text;
  if (!verdict.observed) {
    verdict.message = verdict.metric + ": no data, " + limit;
  } else {
    verdict.message = verdict.metric + "=" + format_figure(*verdict.observed / parsed.unit_scale) +
                      parsed.unit + ", " + limit;
  }
  return verdict;
}

nlohmann::json ThresholdVerdict::to_json() const {
  return {{"expression", spec.expression},
          {"scope", spec.scope},
          {"abort_on_fail", spec.abort_on_fail},
          {"metric", metric},
          {"observed", observed ? nlohmann::json(*observed) : nlohmann::json(nullptr)},
          {"limit", limit},
          {"unit", unit},
          {"passed", passed},
          {"message", message}};
}

core::CheckResult to_check_result(const std::string& scenario, const ThresholdVerdict& verdict) {
  core::CheckResult result;
  const Threshold parsed = parse_threshold(verdict.spec.expression);
  std::string scope = verdict.spec.scope;
  result.id = "load.threshold." + slug(scenario) + "." + slug(scope) + "." + slug(parsed.metric_name()) +
              "_" + comparison_slug(parsed.comparison) + "_" + slug(parsed.limit_text);
  result.suite = "load";
  result.title = "Threshold " + verdict.spec.expression + " (" + scenario + ", " + scope + ")";
  result.status = verdict.passed ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  result.severity = core::Severity::kHigh;
  result.message = verdict.message;
  result.evidence = verdict.to_json();
  result.evidence["scenario"] = scenario;
  return result;
}

}  // namespace golive::load
