#include "import/importer.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"
#include "core/url.hpp"
#include "e2e/workflow_parser.hpp"
#include "import/curl_reader.hpp"
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
  if (kind == "openapi") return import_openapi(input, std::move(options));
  throw core::InputError("<command line>", "", "unknown import kind \"" + kind + "\" (har, curl, postman, openapi)");
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
