#include "import/postman_reader.hpp"

#include <map>
#include <optional>
#include <sstream>
#include <regex>
#include <set>

#include "core/ascii_case.hpp"
#include "core/input_error.hpp"
#include "import/correlation.hpp"
#include "import/value_mapping.hpp"

namespace golive::imports {

namespace {

constexpr const char* kBaseHost = "postman-base-url.invalid";
const std::set<std::string> kBaseUrlNames = {"baseurl", "base_url", "host", "url", "baseuri", "api_url", "apiurl"};

const std::map<std::string, std::string> kDynamicVariables = {
    {"$guid", "{{uuid}}"},           {"$randomUUID", "{{uuid}}"},       {"$timestamp", "{{now}}"},
    {"$randomEmail", "{{random.email}}"}, {"$randomExampleEmail", "{{random.email}}"},
    {"$randomAlphaNumeric", "{{random.hex}}"}, {"$randomPassword", "golive-{{random.hex}}"}};

std::string json_pointer_from_path(const std::string& path) {
  // ".data[0].id" -> "/data/0/id"
  std::string pointer;
  static const std::regex kPart(R"(\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[["']([^"']+)["']\])");
  std::size_t consumed = 0;
  for (std::sregex_iterator it(path.begin(), path.end(), kPart), end; it != end; ++it) {
    if (static_cast<std::size_t>(it->position()) != consumed) return "";
    consumed += it->length();
    std::string token = (*it)[1].matched ? (*it)[1].str() : (*it)[2].matched ? (*it)[2].str() : (*it)[3].str();
    pointer += "/" + token;
  }
  return consumed == path.size() ? pointer : "";
}

struct ScriptResult {
  std::vector<nlohmann::ordered_json> assertions;
  std::vector<nlohmann::ordered_json> captures;
  std::vector<std::string> kept;  // lines not converted
};

nlohmann::ordered_json literal_value(const std::string& text) {
  auto value = nlohmann::ordered_json::parse(text, nullptr, false);
  if (!value.is_discarded()) return value;
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') return text.substr(1, text.size() - 2);
  return nullptr;
}

ScriptResult convert_tests(const std::vector<std::string>& lines) {
  ScriptResult result;
  std::set<std::string> json_aliases = {"pm.response.json()"};
  static const std::regex kAlias(R"(^\s*(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*pm\.response\.json\(\)\s*;?\s*$)");
  static const std::regex kHaveStatus(R"(pm\.response\.to\.have\.status\((\d{3})\))");
  static const std::regex kCodeEql(R"(pm\.expect\(pm\.response\.code\)\.to\.(?:eql|equal|be\.equal)\((\d{3})\))");
  static const std::regex kCodeOneOf(R"(pm\.expect\(pm\.response\.code\)\.to\.be\.oneOf\(\[([\d,\s]+)\]\))");
  static const std::regex kExpectJson(R"(pm\.expect\(([A-Za-z_$][\w$]*(?:\(\))?|pm\.response\.json\(\))((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[["'][^"']+["']\])*)\)\.to\.(eql|equal|be\.equal|exist|not\.exist|be\.a|be\.an)\(?([^)]*)\)?)");
  static const std::regex kSet(R"(pm\.(?:environment|collectionVariables|globals|variables)\.set\(\s*["']([\w.-]+)["']\s*,\s*([A-Za-z_$][\w$]*(?:\(\))?|pm\.response\.json\(\))((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[["'][^"']+["']\])*)\s*\))");
  static const std::regex kNoise(R"(^\s*(pm\.test\(.*function\s*\(\)\s*\{|pm\.test\(.*\(\)\s*=>\s*\{|\}\)\s*;?|\}\s*;?|//.*)?\s*$)");
  for (const auto& raw : lines) {
    std::smatch match;
    std::string line = raw;
    bool converted = false;
    if (std::regex_match(line, match, kAlias)) {
      json_aliases.insert(match[1].str());
      continue;
    }
    if (std::regex_search(line, match, kHaveStatus) || std::regex_search(line, match, kCodeEql)) {
      result.assertions.push_back({{"status", std::stoi(match[1].str())}});
      converted = true;
    } else if (std::regex_search(line, match, kCodeOneOf)) {
      nlohmann::ordered_json statuses = nlohmann::ordered_json::array();
      std::stringstream list(match[1].str());
      for (std::string item; std::getline(list, item, ',');) statuses.push_back(std::stoi(item));
      result.assertions.push_back({{"status", statuses}});
      converted = true;
    } else if (std::regex_search(line, match, kExpectJson) && json_aliases.count(match[1].str())) {
      std::string path = match[2].str();
      const bool length = path.size() >= 7 && path.compare(path.size() - 7, 7, ".length") == 0;
      if (length) path.resize(path.size() - 7);
      const std::string pointer = json_pointer_from_path(path);
      const std::string verb = match[3].str();
      if (length && (verb == "eql" || verb == "equal" || verb == "be.equal")) {
        auto value = literal_value(match[4].str());
        if (value.is_number_integer()) {
          result.assertions.push_back({{"json", pointer}, {"length", value}});
          converted = true;
        }
      } else if (!match[2].str().empty() && !pointer.empty()) {
        if (verb == "exist" || verb == "not.exist") {
          result.assertions.push_back({{"json", pointer}, {"exists", verb == "exist"}});
          converted = true;
        } else if (verb == "be.a" || verb == "be.an") {
          auto type = literal_value(match[4].str());
          if (type.is_string()) {
            result.assertions.push_back({{"json", pointer}, {"type", type}});
            converted = true;
          }
        } else {
          auto value = literal_value(match[4].str());
          if (!value.is_null() || match[4].str() == "null") {
            result.assertions.push_back({{"json", pointer}, {"equals", value}});
            converted = true;
          }
        }
      }
    } else if (std::regex_search(line, match, kSet) && json_aliases.count(match[2].str())) {
      const std::string pointer = json_pointer_from_path(match[3].str());
      if (!match[3].str().empty() && !pointer.empty()) {
        result.captures.push_back({{"var", variable_name(match[1].str())}, {"json", pointer}});
        converted = true;
      }
    }
    if (!converted && !std::regex_match(line, kNoise)) result.kept.push_back(line.substr(line.find_first_not_of(" \t")));
  }
  return result;
}

std::vector<std::string> script_lines(const core::JsonReader& item, const std::string& listen) {
  std::vector<std::string> lines;
  if (!item.has("event")) return lines;
  core::JsonReader events = item.at("event");
  events.as_array();
  for (std::size_t e = 0; e < events.value().size(); ++e) {
    core::JsonReader event = events.at(e);
    if (event.string_or("listen", "") != listen || !event.has("script")) continue;
    core::JsonReader script = event.at("script");
    if (!script.has("exec")) continue;
    core::JsonReader exec = script.at("exec");
    if (exec.value().is_string()) {
      std::stringstream text(exec.as_string());
      for (std::string line; std::getline(text, line);) lines.push_back(line);
    } else {
      exec.as_array();
      for (std::size_t l = 0; l < exec.value().size(); ++l) lines.push_back(exec.at(l).as_string());
    }
  }
  return lines;
}

std::map<std::string, std::string> read_variable_list(const core::JsonReader& list) {
  std::map<std::string, std::string> out;
  list.as_array();
  for (std::size_t i = 0; i < list.value().size(); ++i) {
    core::JsonReader variable = list.at(i);
    if (variable.has("enabled") && !variable.at("enabled").as_bool()) continue;
    std::string key = variable.at("key").as_string();
    const auto& value = variable.value().contains("value") ? variable.value().at("value") : nlohmann::json("");
    out[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return out;
}

class CollectionWalker {
 public:
  CollectionWalker(PostmanImport& out, std::map<std::string, std::string> values, std::string file)
      : out_(out), values_(std::move(values)), file_(std::move(file)) {}

  // `auth`: the auth in effect (the collection's, else the nearest folder's);
  // a request without its own, or with type "inherit", uses it.
  void walk(const core::JsonReader& items, const std::string& prefix, const std::optional<core::JsonReader>& auth) {
    items.as_array();
    for (std::size_t i = 0; i < items.value().size(); ++i) {
      core::JsonReader item = items.at(i);
      item.as_object();
      const std::string name = item.string_or("name", "item" + std::to_string(i + 1));
      const std::string path = prefix.empty() ? name : prefix + "_" + name;
      if (item.has("item")) {
        walk_folder(item, path, auth);
      } else {
        read_request(item, path, auth);
      }
    }
  }

  void read_loose(const core::JsonReader& item, const std::optional<core::JsonReader>& auth) {
    item.as_object();
    read_request(item, item.string_or("name", "request"), auth);
  }

  // A folder: its variables hold inside it, its auth replaces the inherited one.
  void walk_folder(const core::JsonReader& folder, const std::string& prefix, std::optional<core::JsonReader> auth) {
    const auto saved = values_;
    if (folder.has("variable")) {
      for (auto& [key, value] : read_variable_list(folder.at("variable"))) values_[key] = value;
    }
    if (folder.has("auth") && folder.at("auth").string_or("type", "inherit") != "inherit") auth.emplace(folder.at("auth"));
    walk(folder.at("item"), prefix, auth);
    values_ = saved;
  }

 private:
  // Replaces Postman-only templates in `text` and notes every variable used.
  std::string translate(const std::string& text, bool is_url = false) {
    static const std::regex kVariable(R"(\{\{\s*([^{}\s]+)\s*\}\})");
    std::string out;
    std::size_t last = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), kVariable), end; it != end; ++it) {
      out += text.substr(last, it->position() - last);
      last = it->position() + it->length();
      const std::string name = (*it)[1].str();
      if (is_url && it->position() == 0 && kBaseUrlNames.count(core::ascii_lower(name))) {
        out += std::string("http://") + kBaseHost;
        continue;
      }
      if (!name.empty() && name[0] == '$') {
        auto dynamic = kDynamicVariables.find(name);
        if (dynamic != kDynamicVariables.end()) {
          out += dynamic->second;
        } else {
          out += "{{random.hex}}";
          out_.not_converted.push_back("dynamic variable {{" + name + "}} written as {{random.hex}}");
        }
        continue;
      }
      const std::string golive_name = variable_name(name);
      out += "{{" + golive_name + "}}";
      use_variable(name, golive_name);
    }
    out += text.substr(last);
    return out;
  }

  void use_variable(const std::string& name, const std::string& golive_name) {
    if (!declared_.insert(golive_name).second) return;
    auto value = values_.find(name);
    std::string text = value == values_.end() ? "" : value->second;
    if (value == values_.end()) {
      out_.not_converted.push_back("variable " + golive_name + " has no value in the collection or environment: "
                                   "declared empty");
    }
    pending_variables_.emplace_back(golive_name, translate_value(text));
  }

  std::string translate_value(const std::string& text) {
    // A value may itself use other variables.
    return text.find("{{") == std::string::npos ? text : translate(text);
  }

  void read_request(const core::JsonReader& item, const std::string& path,
                    const std::optional<core::JsonReader>& inherited_auth) {
    core::JsonReader request = item.at("request");
    RecordedExchange exchange;
    exchange.origin = file_ + " at " + request.pointer();
    exchange.name = variable_name(path);
    if (request.value().is_string()) {
      exchange.url = translate(request.as_string(), true);
    } else {
      request.as_object();
      exchange.method = core::ascii_upper(request.string_or("method", "GET"));
      core::JsonReader url = request.at("url");
      std::string raw = url.value().is_string() ? url.as_string() : url.at("raw").as_string();
      exchange.url = translate(raw, true);
      if (request.has("header")) {
        core::JsonReader headers = request.at("header");
        headers.as_array();
        for (std::size_t h = 0; h < headers.value().size(); ++h) {
          core::JsonReader header = headers.at(h);
          if (header.bool_or("disabled", false)) continue;
          exchange.headers.emplace_back(header.at("key").as_string(), translate(header.string_or("value", "")));
        }
      }
      if (request.has("auth") && request.at("auth").string_or("type", "inherit") != "inherit") {
        read_auth(request.at("auth"), exchange);
      } else if (inherited_auth) {
        read_auth(*inherited_auth, exchange);
      }
      if (request.has("body")) read_body(request.at("body"), exchange);
    }
    if (exchange.url.find("://") == std::string::npos) exchange.url = "http://" + exchange.url;
    ScriptResult tests = convert_tests(script_lines(item, "test"));
    exchange.assertions = tests.assertions;
    exchange.captures = tests.captures;
    for (const auto& capture : tests.captures) declared_.insert(capture["var"].get<std::string>());
    std::vector<std::string> kept = tests.kept;
    for (const auto& line : script_lines(item, "prerequest")) kept.push_back("(pre-request) " + line);
    if (!kept.empty()) {
      exchange.description = "Not converted from the Postman scripts:";
      for (const auto& line : kept) {
        exchange.description += "\n" + line;
        out_.not_converted.push_back(exchange.name + ": " + line);
      }
    }
    for (auto& [name, value] : pending_variables_) out_.variables.emplace_back(name, value);
    pending_variables_.clear();
    out_.exchanges.push_back(std::move(exchange));
  }

  void read_auth(const core::JsonReader& auth, RecordedExchange& exchange) {
    const std::string type = auth.string_or("type", "noauth");
    auto field = [&](const std::string& key) {
      if (!auth.has(type)) return std::string();
      core::JsonReader list = auth.at(type);
      if (list.value().is_object()) return translate(list.string_or(key, ""));
      list.as_array();
      for (std::size_t i = 0; i < list.value().size(); ++i) {
        if (list.at(i).string_or("key", "") == key) return translate(list.value()[i].value("value", ""));
      }
      return std::string();
    };
    if (type == "bearer") {
      exchange.headers.emplace_back("Authorization", "Bearer " + field("token"));
    } else if (type == "basic") {
      exchange.basic_auth = std::make_pair(field("username"), field("password"));
    } else if (type == "apikey") {
      exchange.headers.emplace_back(field("key"), field("value"));
    } else if (type != "noauth" && type != "inherit") {
      out_.not_converted.push_back(exchange.name + ": auth type " + type + " (add an \"auth\" step key by hand)");
    }
  }

  void read_body(const core::JsonReader& body, RecordedExchange& exchange) {
    body.as_object();
    const std::string mode = body.string_or("mode", "raw");
    if (mode == "raw") {
      exchange.body = translate(body.string_or("raw", ""));
      std::string language;
      if (body.has("options")) language = body.value()["options"].value("raw", nlohmann::json::object()).value("language", "");
      bool json = language == "json";
      for (const auto& [name, value] : exchange.headers) {
        if (core::ascii_lower(name) == "content-type") exchange.body_type = core::ascii_lower(value.substr(0, value.find(';')));
      }
      if (exchange.body_type.empty()) exchange.body_type = json ? "application/json" : "text/plain";
    } else if (mode == "urlencoded") {
      core::JsonReader fields = body.at("urlencoded");
      fields.as_array();
      for (std::size_t f = 0; f < fields.value().size(); ++f) {
        core::JsonReader field = fields.at(f);
        if (field.bool_or("disabled", false)) continue;
        if (!exchange.body.empty()) exchange.body += '&';
        exchange.body += field.at("key").as_string() + "=" + translate(field.string_or("value", ""));
      }
      exchange.body_type = "application/x-www-form-urlencoded";
    } else if (mode == "formdata") {
      core::JsonReader fields = body.at("formdata");
      fields.as_array();
      for (std::size_t f = 0; f < fields.value().size(); ++f) {
        core::JsonReader field = fields.at(f);
        if (field.bool_or("disabled", false)) continue;
        if (field.string_or("type", "text") == "file") {
          exchange.multipart.emplace_back(field.at("key").as_string(), "@" + field.string_or("src", ""));
        } else {
          exchange.multipart.emplace_back(field.at("key").as_string(), translate(field.string_or("value", "")));
        }
      }
    } else {
      body.at("mode").fail("body mode \"" + mode + "\" is not supported (raw, urlencoded, formdata)");
    }
  }

  PostmanImport& out_;
  std::map<std::string, std::string> values_;
  std::string file_;
  std::set<std::string> declared_;
  std::vector<std::pair<std::string, std::string>> pending_variables_;
};

}  // namespace

namespace {

std::optional<core::JsonReader> collection_auth(const core::JsonReader& root) {
  if (!root.has("auth") || root.at("auth").string_or("type", "noauth") == "inherit") return std::nullopt;
  return root.at("auth");
}

// The collection's requests as one import, or (split_folders) one per top-level folder.
std::vector<PostmanImport> read_postman_collection(const std::string& collection_path,
                                                   const std::string& environment_path, bool split_folders) {
  const nlohmann::json collection = core::load_json_file(collection_path);
  core::JsonReader root(collection, collection_path);
  root.as_object();
  core::JsonReader info = root.at("info");
  const std::string schema = info.string_or("schema", "");
  if (schema.find("v2.1") == std::string::npos && schema.find("v2.0") == std::string::npos) {
    info.fail("not a Postman collection v2.1 (info.schema is \"" + schema + "\")");
  }
  std::map<std::string, std::string> values;
  if (root.has("variable")) values = read_variable_list(root.at("variable"));
  nlohmann::json environment;
  if (!environment_path.empty()) {
    environment = core::load_json_file(environment_path);
    core::JsonReader env(environment, environment_path);
    env.as_object();
    for (auto& [key, value] : read_variable_list(env.at("values"))) values[key] = value;
  }
  PostmanImport out;
  out.name = info.string_or("name", "collection");
  out.base_host = kBaseHost;
  if (!split_folders) {
    CollectionWalker walker(out, values, collection_path);
    walker.walk(root.at("item"), "", collection_auth(root));
    return {out};
  }
  // One import per top-level folder (its requests named without the folder),
  // the collection's loose requests in one named after the collection.
  std::vector<PostmanImport> folders;
  core::JsonReader items = root.at("item");
  items.as_array();
  PostmanImport loose = out;
  for (std::size_t i = 0; i < items.value().size(); ++i) {
    core::JsonReader item = items.at(i);
    item.as_object();
    if (!item.has("item")) continue;
    PostmanImport folder = out;
    folder.name = item.string_or("name", "folder" + std::to_string(i + 1));
    CollectionWalker walker(folder, values, collection_path);
    walker.walk_folder(item, "", collection_auth(root));
    folders.push_back(std::move(folder));
  }
  CollectionWalker loose_walker(loose, values, collection_path);
  for (std::size_t i = 0; i < items.value().size(); ++i) {
    core::JsonReader item = items.at(i);
    if (!item.has("item")) loose_walker.read_loose(item, collection_auth(root));
  }
  if (!loose.exchanges.empty()) folders.insert(folders.begin(), std::move(loose));
  return folders;
}

}  // namespace

PostmanImport read_postman(const std::string& collection_path, const std::string& environment_path) {
  return read_postman_collection(collection_path, environment_path, false).front();
}

std::vector<PostmanImport> read_postman_folders(const std::string& collection_path,
                                                const std::string& environment_path) {
  return read_postman_collection(collection_path, environment_path, true);
}

}  // namespace golive::imports
