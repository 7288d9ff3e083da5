#include "contract/observe_template.hpp"

#include "core/encoding.hpp"
#include "core/input_error.hpp"

namespace golive::contract {

namespace {

std::string trimmed(std::string name) {
  while (!name.empty() && name.front() == ' ') name.erase(0, 1);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return name;
}

// Calls on_literal / on_variable for each part of `text`, in order.
template <typename Literal, typename Variable>
void walk_template(const std::string& text, const std::string& origin, const std::string& pointer,
                   Literal on_literal, Variable on_variable) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find("{{", at);
    if (open == std::string::npos) {
      on_literal(text.substr(at));
      return;
    }
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) throw core::InputError(origin, pointer, "unclosed {{");
    if (open > at) on_literal(text.substr(at, open - at));
    on_variable(trimmed(text.substr(open + 2, close - open - 2)));
    at = close + 2;
  }
}

void flatten_into(const nlohmann::json& value, const std::string& path, TemplateVariables& out) {
  if (value.is_object()) {
    for (const auto& item : value.items())
      flatten_into(item.value(), path.empty() ? item.key() : path + "." + item.key(), out);
    return;
  }
  if (value.is_array()) {
    for (std::size_t index = 0; index < value.size(); ++index)
      flatten_into(value[index], path + "." + std::to_string(index), out);
    return;
  }
  if (path.empty()) return;
  out[path] = value.is_string() ? value.get<std::string>() : value.is_null() ? "" : value.dump();
}

std::set<std::string> names_of(const TemplateVariables& values) {
  std::set<std::string> names;
  for (const auto& [name, value] : values) names.insert(name);
  return names;
}

}  // namespace

std::vector<TemplatePart> split_template(const std::string& text, const std::set<std::string>& allowed,
                                         const std::string& origin, const std::string& pointer) {
  std::vector<TemplatePart> parts;
  walk_template(
      text, origin, pointer, [&](std::string literal) { parts.push_back({false, std::move(literal)}); },
      [&](std::string name) {
        if (allowed.count(name) == 0) {
          std::string known;
          for (const auto& n : allowed) known += (known.empty() ? "{{" : ", {{") + n + "}}";
          throw core::InputError(origin, pointer,
                                 "unknown variable {{" + name + "}}; known here: " + known);
        }
        parts.push_back({true, std::move(name)});
      });
  return parts;
}

std::vector<std::string> template_names(const std::string& text, const std::string& origin,
                                        const std::string& pointer) {
  std::vector<std::string> names;
  walk_template(
      text, origin, pointer, [](const std::string&) {},
      [&](std::string name) { names.push_back(std::move(name)); });
  return names;
}

std::pair<std::string, std::vector<std::string>> bind_sql(const std::string& text,
                                                          const TemplateVariables& values) {
  std::string sql;
  std::vector<std::string> parameters;
  for (const auto& part : split_template(text, names_of(values), "stripe.observe", "")) {
    if (!part.variable) {
      sql += part.text;
      continue;
    }
    parameters.push_back(values.at(part.text));
    sql += "$" + std::to_string(parameters.size());
  }
  return {sql, parameters};
}

std::string render_template(const std::string& text, const TemplateVariables& values,
                            bool url_encode) {
  std::string out;
  for (const auto& part : split_template(text, names_of(values), "stripe.observe", "")) {
    out += !part.variable ? part.text
                          : (url_encode ? core::percent_encode(values.at(part.text))
                                        : values.at(part.text));
  }
  return out;
}

TemplateVariables flatten_event(const nlohmann::json& event) {
  TemplateVariables out;
  flatten_into(event, "", out);
  return out;
}

}  // namespace golive::contract
