#include "import/importer.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/input_error.hpp"
#include "core/url.hpp"
#include "e2e/workflow_parser.hpp"
#include "import/curl_reader.hpp"
#include "import/correlation.hpp"
#include "import/har_reader.hpp"
#include "import/openapi_reader.hpp"
#include "import/postman_reader.hpp"

namespace golive::imports {

const std::vector<std::string>& import_kinds() {
  static const std::vector<std::string> kinds = {"har", "curl", "postman", "openapi"};
  return kinds;
}

void apply_environment(const config::Environment& environment, ImportOptions& options) {
  if (options.hosts.empty()) {
    if (auto base = core::parse_url(environment.base_url)) options.hosts.push_back(base->authority());
    for (const auto& host : environment.safety.allowed_hosts) options.hosts.push_back(host);
  }
  options.path_prefixes = {{"auth", environment.paths.auth},
                           {"rest", environment.paths.rest},
                           {"functions", environment.paths.functions},
                           {"storage", environment.paths.storage}};
  auto secret = [&](const std::string& value, const char* field) {
    if (!value.empty()) options.environment_secrets.emplace_back(value, std::string("{{env.") + field + "}}");
  };
  secret(environment.service_role_key, "service_role_key");
  secret(environment.anon_key, "anon_key");
  secret(environment.stripe.webhook_secret, "stripe.webhook_secret");
  secret(environment.auth.captcha_token, "auth.captcha_token");
}

namespace {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::InputError(path, "", "cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A read collection (or one folder of it) into a workflow.
ImportResult import_postman(PostmanImport collection, ImportOptions options) {
  std::vector<std::string> hosts = {collection.base_host};
  for (const auto& exchange : collection.exchanges) {
    if (auto url = core::parse_url(exchange.url)) hosts.push_back(url->authority());
  }
  // Hosts an environment names stay first: their URLs become relative.
  options.hosts.insert(options.hosts.end(), hosts.begin(), hosts.end());
  options.declared_variables = collection.variables;
  ImportResult result = build_workflow(std::move(collection.exchanges), options);
  result.summary.not_converted.insert(result.summary.not_converted.begin(), collection.not_converted.begin(),
                                      collection.not_converted.end());
  return result;
}

// The smoke workflow of an OpenAPI document, with "openapi" naming the
// document so each response is checked against its schema.
ImportResult import_openapi(const std::string& input, ImportOptions options) {
  options.source_kind = "OpenAPI 3";
  options.source_name = input;
  options.generate_credentials = false;
  options.input_has_templates = true;
  options.keep_assets = true;  // declared operations, not a recording: nothing is noise
  OpenApiImport document = read_openapi(input, {options.openapi_tag, options.openapi_only});
  // The server's host is a placeholder: every URL is relative to env.base_url.
  options.hosts.insert(options.hosts.begin(), "openapi-server.invalid");
  options.declared_variables = document.variables;
  const std::size_t operations = document.exchanges.size();
  ImportResult result = build_workflow(std::move(document.exchanges), options);
  result.summary.to_fill = document.to_fill;
  result.summary.read_unit = "operation";
  result.summary.not_converted.insert(result.summary.not_converted.begin(), document.notes.begin(),
                                      document.notes.end());
  // The document, relative to the workflow file (absolute when written to standard output).
  // (absolute too when the two share no top-level folder, e.g. /tmp and /home).
  std::filesystem::path openapi = std::filesystem::absolute(input).lexically_normal();
  if (!options.output_path.empty()) {
    const auto out_dir = std::filesystem::absolute(options.output_path).lexically_normal().parent_path();
    auto top = [](const std::filesystem::path& p) { return std::next(p.begin()) == p.end() ? p : *std::next(p.begin()); };
    if (top(openapi) == top(out_dir)) openapi = openapi.lexically_relative(out_dir);
  }
  nlohmann::ordered_json workflow;
  for (auto it = result.workflow.begin(); it != result.workflow.end(); ++it) {
    if (it.key() == "description") {
      workflow["description"] =
          "Smoke test of " + (document.title.empty() ? std::string("the API") : document.title) + " imported from " +
          std::filesystem::path(input).filename().string() + " (OpenAPI 3" +
          (options.openapi_tag.empty() ? std::string() : ", tag " + options.openapi_tag) +
          (options.openapi_only.empty() ? std::string() : ", --only") + "): " +
          std::to_string(operations) + " of " + std::to_string(document.operations) +
          " operations, each asserting its lowest declared 2xx status; every JSON response is checked against "
          "the document's schema for it (\"openapi\"). Edit freely: it is a normal workflow.";
      workflow["openapi"] = openapi.generic_string();
    } else {
      workflow[it.key()] = it.value();
    }
  }
  result.workflow = std::move(workflow);
  result.summary.response_schemas = document.with_response_schema;
  e2e::parse_workflow(nlohmann::json::parse(result.workflow.dump()),
                      options.output_path.empty() ? std::string("imported.json") : options.output_path);
  return result;
}

}  // namespace

ImportResult import_input(const std::string& kind, const std::string& input, ImportOptions options) {
  if (kind == "har") {
    options.source_kind = "HAR 1.2";
    options.source_name = input;
    return build_workflow(read_har_file(input), options);
  }
  if (kind == "curl") {
    options.source_kind = "curl";
    options.generate_credentials = false;
    options.shell_variables = true;
    const bool inline_command = input.rfind("curl ", 0) == 0 || input.rfind("curl\t", 0) == 0;
    options.source_name = inline_command ? "<curl argument>" : input;
    std::string text = inline_command ? input : read_text_file(input);
    return build_workflow(read_curl_commands(text, options.source_name), options);
  }
  if (kind == "postman") {
    options.source_kind = "Postman collection v2.1";
    options.source_name = input;
    options.generate_credentials = false;
    options.input_has_templates = true;
    PostmanImport collection = read_postman(input, options.postman_environment);
    return import_postman(std::move(collection), std::move(options));
  }
  if (kind == "openapi") return import_openapi(input, std::move(options));
  throw core::InputError("<command line>", "", "unknown import kind \"" + kind + "\" (har, curl, postman, openapi)");
}

std::vector<FolderWorkflow> import_postman_folders(const std::string& input, ImportOptions options) {
  options.source_kind = "Postman collection v2.1";
  options.source_name = input;
  options.generate_credentials = false;
  options.input_has_templates = true;
  std::vector<FolderWorkflow> out;
  std::map<std::string, std::pair<std::string, std::set<std::string>>> provided;  // var -> (file, names it holds)
  std::set<std::string> files;
  for (auto& folder : read_postman_folders(input, options.postman_environment)) {
    FolderWorkflow written;
    std::string stem = variable_name(folder.name);
    if (stem.empty()) stem = "folder";
    for (int n = 2; files.count(stem + ".json"); ++n) stem = variable_name(folder.name) + "_" + std::to_string(n);
    written.file = stem + ".json";
    files.insert(written.file);
    written.folder = folder.name;
    std::set<std::string> captured;
    for (const auto& exchange : folder.exchanges) {
      for (const auto& capture : exchange.captures) captured.insert(capture["var"].get<std::string>());
    }
    const std::string base = options.output_path;
    options.output_path = (std::filesystem::path(base) / written.file).string();
    written.result = import_postman(std::move(folder), options);
    options.output_path = base;
    nlohmann::ordered_json& workflow = written.result.workflow;
    std::string description = workflow["description"].get<std::string>();
    if (description.rfind("Imported from ", 0) == 0) {
      workflow["description"] = "Imported from folder \"" + written.folder + "\" of " + description.substr(14);
    }
    // A variable an earlier folder captures (a token its sign-in sets): that
    // folder's workflow is included first, and what it declares is not
    // declared again.
    std::string include;
    std::set<std::string> theirs;
    if (workflow.contains("variables")) {
      for (auto it = workflow["variables"].begin(); it != workflow["variables"].end(); ++it) {
        auto found = provided.find(it.key());
        if (found != provided.end() && it.value() == "" && include.empty()) {
          include = found->second.first;
          theirs = found->second.second;
        }
      }
    }
    if (!include.empty()) {
      // Default headers are read before the included steps capture anything:
      // each step of this folder sends them instead.
      if (workflow.contains("headers")) {
        for (auto& step : workflow["steps"]) {
          nlohmann::ordered_json headers = workflow["headers"];
          if (step.contains("headers")) {
            for (auto it = step["headers"].begin(); it != step["headers"].end(); ++it) headers[it.key()] = it.value();
          }
          step["headers"] = headers;
        }
        workflow.erase("headers");
      }
      nlohmann::ordered_json variables = nlohmann::ordered_json::object();
      for (auto it = workflow["variables"].begin(); it != workflow["variables"].end(); ++it) {
        if (!theirs.count(it.key())) variables[it.key()] = it.value();
      }
      if (variables.empty()) workflow.erase("variables");
      else workflow["variables"] = variables;
      const std::string step_name = std::filesystem::path(include).stem().string();
      workflow["steps"].insert(workflow["steps"].begin(), nlohmann::ordered_json{{"name", step_name}, {"include", include}});
      auto& notes = written.result.summary.not_converted;
      notes.erase(std::remove_if(notes.begin(), notes.end(), [&](const std::string& line) {
        for (const auto& name : theirs) {
          if (line.rfind("variable " + name + " ", 0) == 0) return true;
        }
        return false;
      }), notes.end());
      notes.push_back("uses what " + include + " captures: included as step " + step_name);
      written.include = include;
    }
    std::set<std::string> holds = captured;
    if (workflow.contains("variables")) {
      for (auto it = workflow["variables"].begin(); it != workflow["variables"].end(); ++it) holds.insert(it.key());
    }
    if (!include.empty()) holds.insert(theirs.begin(), theirs.end());
    for (const auto& name : captured) provided.emplace(name, std::make_pair(written.file, holds));
    out.push_back(std::move(written));
  }
  if (out.empty()) throw core::InputError(input, "/item", "the collection has no request");
  return out;
}

std::string describe_summary(const ImportSummary& summary) {
  std::ostringstream out;
  out << summary.kept << " step" << (summary.kept == 1 ? "" : "s") << " from " << summary.read << " "
      << summary.read_unit << (summary.read == 1 ? "" : "s") << "\n";
  auto section = [&](const char* title, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    out << title << " (" << lines.size() << "):\n";
    for (const auto& line : lines) out << "  " << line << "\n";
  };
  section("to fill (set them in the environment file's \"e2e\": {\"variables\": ...} or edit the workflow)",
          summary.to_fill);
  if (summary.response_schemas) {
    out << summary.response_schemas << " step" << (summary.response_schemas == 1 ? "" : "s")
        << " with a JSON response schema in the document (checked by golive e2e)\n";
  }
  section("correlated", summary.captures);
  section("secrets and credentials replaced", summary.secrets);
  section("dropped", summary.dropped);
  section("not converted", summary.not_converted);
  return out.str();
}

}  // namespace golive::imports
