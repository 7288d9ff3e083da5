#include "import/importer.hpp"

#include <fstream>
#include <sstream>

#include "core/input_error.hpp"
#include "core/url.hpp"
#include "import/curl_reader.hpp"
#include "import/har_reader.hpp"
#include "import/postman_reader.hpp"

namespace golive::imports {

const std::vector<std::string>& import_kinds() {
  static const std::vector<std::string> kinds = {"har", "curl", "postman"};
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
  throw core::InputError("<command line>", "", "unknown import kind \"" + kind + "\" (har, curl, postman)");
}

std::string describe_summary(const ImportSummary& summary) {
  std::ostringstream out;
  out << summary.kept << " step" << (summary.kept == 1 ? "" : "s") << " from " << summary.read << " recorded request"
      << (summary.read == 1 ? "" : "s") << "\n";
  auto section = [&](const char* title, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    out << title << " (" << lines.size() << "):\n";
    for (const auto& line : lines) out << "  " << line << "\n";
  };
  section("correlated", summary.captures);
  section("secrets and credentials replaced", summary.secrets);
  section("dropped", summary.dropped);
  section("not converted", summary.not_converted);
  return out.str();
}

}  // namespace golive::imports
