#include "import/workflow_format.hpp"

namespace golive::imports {

namespace {

// Compact JSON with a space after ':' and ',', as the shipped workflows are written.
std::string compact(const nlohmann::ordered_json& value) {
  if (value.is_object()) {
    if (value.empty()) return "{}";
    std::string out = "{";
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it != value.begin()) out += ", ";
      out += nlohmann::ordered_json(it.key()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ": " +
             compact(it.value());
    }
    return out + "}";
  }
  if (value.is_array()) {
    if (value.empty()) return "[]";
    std::string out = "[";
    for (std::size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + compact(value[i]);
    return out + "]";
  }
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string format_workflow(const nlohmann::ordered_json& workflow) {
  std::string out = "{\n";
  bool first_key = true;
  for (auto it = workflow.begin(); it != workflow.end(); ++it) {
    if (!first_key) out += ",\n";
    first_key = false;
    out += "  " + compact(nlohmann::ordered_json(it.key())) + ": ";
    const auto& value = it.value();
    if (it.key() == "steps" || it.key() == "cleanup") {
      out += "[\n";
      for (std::size_t s = 0; s < value.size(); ++s) {
        out += "    {\n";
        std::size_t k = 0;
        for (auto field = value[s].begin(); field != value[s].end(); ++field, ++k) {
          out += "      " + compact(nlohmann::ordered_json(field.key())) + ": " + compact(field.value());
          out += k + 1 < value[s].size() ? ",\n" : "\n";
        }
        out += s + 1 < value.size() ? "    },\n" : "    }\n";
      }
      out += "  ]";
    } else if (value.is_object() && !value.empty()) {
      out += "{\n";
      std::size_t k = 0;
      for (auto field = value.begin(); field != value.end(); ++field, ++k) {
        out += "    " + compact(nlohmann::ordered_json(field.key())) + ": " + compact(field.value());
        out += k + 1 < value.size() ? ",\n" : "\n";
      }
      out += "  }";
    } else {
      out += compact(value);
    }
  }
  out += "\n}\n";
  return out;
}

}  // namespace golive::imports
