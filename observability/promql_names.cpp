#include "observability/promql_names.hpp"

#include <cctype>

namespace golive::observability {

namespace {

bool is_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool is_part(char c) { return is_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

const std::set<std::string>& keywords() {
  static const std::set<std::string> words = {
      "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "offset", "inf", "nan", "atan2", "start", "end",
      // Aggregations, which may be followed by a modifier before their "(": sum by (le) (...).
      "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
      "topk", "quantile"};
  return words;
}

// Modifiers followed by a parenthesised list of label names.
bool takes_label_list(const std::string& word) {
  return word == "by" || word == "without" || word == "on" || word == "ignoring" ||
         word == "group_left" || word == "group_right";
}

}  // namespace

std::set<std::string> promql_metric_names(const std::string& expression) {
  std::set<std::string> names;
  const std::string& e = expression;
  std::size_t i = 0;
  bool skip_next_list = false;
  while (i < e.size()) {
    const char c = e[i];
    if (c == '"' || c == '\'' || c == '`') {  // a string literal
      const char quote = c;
      for (++i; i < e.size() && e[i] != quote; ++i) {
        if (e[i] == '\\') ++i;
      }
      ++i;
    } else if (c == '{' || c == '[') {  // label matchers, a range or subquery
      const char close = c == '{' ? '}' : ']';
      for (++i; i < e.size() && e[i] != close; ++i) {
        if (e[i] == '"') {
          for (++i; i < e.size() && e[i] != '"'; ++i) {
            if (e[i] == '\\') ++i;
          }
        }
      }
      ++i;
    } else if (c == '#') {  // a comment to the end of the line
      while (i < e.size() && e[i] != '\n') ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < e.size() &&
                                                               std::isdigit(static_cast<unsigned char>(e[i + 1])))) {
      // A number or a duration (5m, 1h30m, 1e3, 0x1f).
      while (i < e.size() && (is_part(e[i]) || e[i] == '.')) ++i;
    } else if (c == '(' && skip_next_list) {
      while (i < e.size() && e[i] != ')') ++i;
      ++i;
      skip_next_list = false;
    } else if (is_start(c)) {
      const std::size_t start = i;
      while (i < e.size() && is_part(e[i])) ++i;
      const std::string word = e.substr(start, i - start);
      std::size_t next = i;
      while (next < e.size() && std::isspace(static_cast<unsigned char>(e[next]))) ++next;
      std::string lower;
      for (char ch : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (takes_label_list(lower)) {
        skip_next_list = true;
      } else if (keywords().count(lower) != 0) {
        // an operator or modifier
      } else if (next < e.size() && e[next] == '(') {
        // a function or aggregation: sum(...), rate(...)
      } else {
        names.insert(word);
      }
    } else {
      ++i;
    }
  }
  return names;
}

}  // namespace golive::observability
