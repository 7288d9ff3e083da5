#include "observability/prometheus_text.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace golive::observability {

namespace {

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool is_name_char(char c) {
  return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

std::optional<double> parse_value(const std::string& text) {
  if (text == "+Inf" || text == "Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

// Reads `name{labels} value [ts]` from `line`; "" on success, else why not.
std::string parse_sample(const std::string& line, MetricSample& sample) {
  std::size_t at = 0;
  if (!is_name_start(line[0])) return "a metric name must start with a letter, '_' or ':'";
  while (at < line.size() && is_name_char(line[at])) ++at;
  sample.name = line.substr(0, at);
  if (at < line.size() && line[at] == '{') {
    ++at;
    while (true) {
      while (at < line.size() && line[at] == ' ') ++at;
      if (at < line.size() && line[at] == '}') {
        ++at;
        break;
      }
      const std::size_t name_start = at;
      while (at < line.size() && is_name_char(line[at])) ++at;
      if (at == name_start) return "a label name is expected at column " + std::to_string(at + 1);
      const std::string label = line.substr(name_start, at - name_start);
      if (at >= line.size() || line[at] != '=') return "'=' expected after label " + label;
      if (++at >= line.size() || line[at] != '"') return "a quoted value expected for label " + label;
      ++at;
      std::string value;
      while (at < line.size() && line[at] != '"') {
        if (line[at] == '\\' && at + 1 < line.size()) {
          ++at;
          value += line[at] == 'n' ? '\n' : line[at];
        } else {
          value += line[at];
        }
        ++at;
      }
      if (at >= line.size()) return "the value of label " + label + " is not closed";
      ++at;
      sample.labels[label] = value;
      while (at < line.size() && line[at] == ' ') ++at;
      if (at < line.size() && line[at] == ',') ++at;
      else if (at < line.size() && line[at] == '}') continue;
      else return "',' or '}' expected after label " + label;
    }
  }
  std::istringstream rest(line.substr(at));
  std::string value_text;
  std::string timestamp;
  std::string extra;
  rest >> value_text >> timestamp >> extra;
  if (!extra.empty()) return "unexpected text after the timestamp";
  const std::optional<double> value = parse_value(value_text);
  if (!value) return "\"" + value_text + "\" is not a sample value";
  if (!timestamp.empty() && !parse_value(timestamp)) return "\"" + timestamp + "\" is not a timestamp";
  sample.value = *value;
  return "";
}

std::string label_key(const MetricSample& sample) {
  std::string key = sample.name;
  for (const auto& [name, value] : sample.labels) key += "\x1f" + name + "=" + value;
  return key;
}

}  // namespace

bool MetricExposition::has_family(const std::string& family) const {
  if (types.count(family) != 0) return true;
  for (const MetricSample& sample : samples) {
    for (const char* suffix : {"", "_total", "_bucket", "_count", "_sum"}) {
      if (sample.name == family + suffix) return true;
    }
  }
  return false;
}

std::optional<double> MetricExposition::sum(const std::string& name) const {
  std::optional<double> total;
  for (const MetricSample& sample : samples) {
    if (sample.name == name) total = total.value_or(0) + sample.value;
  }
  return total;
}

std::string MetricExposition::family_of(const std::string& sample_name) const {
  for (const char* suffix : {"_bucket", "_count", "_sum"}) {
    const std::string text = suffix;
    if (sample_name.size() > text.size() &&
        sample_name.compare(sample_name.size() - text.size(), text.size(), text) == 0) {
      const std::string base = sample_name.substr(0, sample_name.size() - text.size());
      const auto type = types.find(base);
      if (type != types.end() && (type->second == "histogram" || type->second == "summary")) {
        return base;
      }
    }
  }
  return sample_name;
}

void MetricExposition::add(const MetricExposition& other) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < samples.size(); ++i) index[label_key(samples[i])] = i;
  for (const MetricSample& sample : other.samples) {
    const auto found = index.find(label_key(sample));
    if (found == index.end()) {
      index[label_key(sample)] = samples.size();
      samples.push_back(sample);
    } else {
      samples[found->second].value += sample.value;
    }
  }
  for (const auto& [family, type] : other.types) types.emplace(family, type);
}

std::optional<MetricExposition> parse_exposition(const std::string& text, std::string& error) {
  MetricExposition exposition;
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    line = line.substr(first);
    if (line[0] == '#') {
      std::istringstream comment(line.substr(1));
      std::string keyword;
      std::string family;
      std::string type;
      comment >> keyword >> family >> type;
      if (keyword == "TYPE") {
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
            type != "untyped") {
          error = "line " + std::to_string(number) + ": unknown metric type \"" + type + "\"";
          return std::nullopt;
        }
        exposition.types[family] = type;
      }
      continue;  // HELP and other comments
    }
    MetricSample sample;
    if (const std::string why = parse_sample(line, sample); !why.empty()) {
      error = "line " + std::to_string(number) + ": " + why;
      return std::nullopt;
    }
    exposition.samples.push_back(std::move(sample));
  }
  return exposition;
}

}  // namespace golive::observability
