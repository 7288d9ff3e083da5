#include "reports/text_format.hpp"

#include <cmath>
#include <cstdio>

#include "reports/escaping.hpp"

namespace golive::report {

std::string format_number(double value, int max_decimals) {
  if (!std::isfinite(value)) return "n/a";
  if (max_decimals < 0) max_decimals = 0;
  if (max_decimals > 9) max_decimals = 9;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", max_decimals, value);
  std::string text = buffer;
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

std::string format_count(double count) {
  if (!std::isfinite(count)) return "n/a";
  std::string digits = format_number(std::round(std::fabs(count)), 0);
  std::string out;
  int since_group = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (since_group == 3) {
      out.insert(out.begin(), ',');
      since_group = 0;
    }
    out.insert(out.begin(), *it);
    ++since_group;
  }
  return (count < 0 && out != "0" ? "-" : "") + out;
}

std::string format_ratio_percent(double ratio, int max_decimals) {
  if (!std::isfinite(ratio)) return "n/a";
  return format_number(ratio * 100.0, max_decimals) + "%";
}

std::string evidence_text(const nlohmann::json& evidence, std::size_t max_bytes) {
  if (evidence.is_null() || (evidence.is_object() && evidence.empty()) ||
      (evidence.is_array() && evidence.empty())) {
    return "";
  }
  std::string text = evidence.is_string()
                         ? evidence.get<std::string>()
                         : evidence.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  return truncate_utf8(sanitize_utf8(text), max_bytes);
}

std::string reproduction_text(const nlohmann::json& evidence) {
  if (!evidence.is_object()) return "";
  const auto command = evidence.find("reproduction");
  if (command == evidence.end() || !command->is_string()) return "";
  std::string text;
  const auto variables = evidence.find("reproduction_env");
  if (variables != evidence.end() && variables->is_object()) {
    for (const auto& [name, holds] : variables->items()) {
      text += "# export " + name + ": " + (holds.is_string() ? holds.get<std::string>() : holds.dump()) + "\n";
    }
  }
  return sanitize_utf8(text + command->get<std::string>());
}

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_number()) return format_number(value.get<double>(), 3);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace golive::report
