#include "import/openapi_document.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"

namespace golive::imports {

namespace {

using Json = nlohmann::ordered_json;

// A YAML node as JSON; plain scalars that read as JSON numbers or booleans
// become those, quoted ones stay strings.
Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& entry : node) out[entry.first.as<std::string>()] = yaml_to_json(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "!") return text;  // quoted
      if (text == "true" || text == "false") return text == "true";
      if (text == "null" || text == "~") return nullptr;
      if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) {
        Json number = Json::parse(text, nullptr, false);
        if (number.is_number()) return number;
      }
      return text;
    }
    default:
      return nullptr;
  }
}

}  // namespace

nlohmann::ordered_json load_openapi_document(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::InputError(path, "", "cannot read the file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
    Json document = Json::parse(text, nullptr, false);
    if (document.is_discarded()) core::parse_json_text(text, path);  // throws with line and column
    return document;
  }
  try {
    return yaml_to_json(YAML::Load(text));
  } catch (const YAML::Exception& error) {
    throw core::InputError(path, "line " + std::to_string(error.mark.line + 1), error.msg);
  }
}

std::string openapi_server_path(const nlohmann::ordered_json& document) {
  if (!document.contains("servers") || !document["servers"].is_array() || document["servers"].empty() ||
      !document["servers"][0].is_object()) {
    return "";
  }
  std::string url = document["servers"][0].value("url", "");
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    const auto slash = url.find('/', scheme + 3);
    url = slash == std::string::npos ? "" : url.substr(slash);
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url.find('{') == std::string::npos ? url : "";
}

}  // namespace golive::imports
