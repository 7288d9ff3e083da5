// `golive import KIND FILE --out e2e/workflows/NAME.json`: turns a HAR
// recording, curl commands, a Postman collection or an OpenAPI 3 document
// into a normal workflow (import/). This file only
// parses flags and writes the result.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command_context.hpp"
#include "config/environment.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "e2e/workflow_parser.hpp"
#include "import/importer.hpp"

namespace golive::cli {

namespace {

struct ImportCommandOptions {
  std::string kind;
  std::string input;
  std::string out;  // empty = stdout
  std::string env;  // optional: its hosts, paths and secrets
  std::vector<std::string> hosts;
  bool keep_assets = false;
  bool think_time = false;
  double max_think_ms = 10000;
  bool force = false;
  std::string postman_env;
  std::string tag;
  std::vector<std::string> only;
};

// `--out DIR/` for a Postman collection: one workflow per top-level folder.
int write_postman_folders(const ImportCommandOptions& options, imports::ImportOptions import_options) {
  const std::filesystem::path dir(options.out);
  import_options.output_path = dir.string();
  auto folders = imports::import_postman_folders(options.input, import_options);
  for (const auto& folder : folders) {
    const auto path = dir / folder.file;
    if (!options.force && std::filesystem::exists(path)) {
      throw core::InputError(path.string(), "", "exists already (--force overwrites it)");
    }
  }
  std::filesystem::create_directories(dir);
  for (const auto& folder : folders) {
    const std::string path = (dir / folder.file).string();
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << imports::format_workflow(folder.result.workflow);
    file.close();
    if (!file) throw core::InputError(path, "", "cannot write the workflow");
    // Written in order, so an included folder's file is there to parse.
    e2e::parse_workflow(core::load_json_file(path), path);
    std::cout << "wrote " << path << " (folder \"" << folder.folder << "\"): "
              << core::Redactor::global().redact(imports::describe_summary(folder.result.summary));
  }
  return core::kExitPass;
}

int execute_import(const ImportCommandOptions& options) {
  imports::ImportOptions import_options;
  import_options.hosts = options.hosts;
  import_options.keep_assets = options.keep_assets;
  import_options.think_time = options.think_time;
  import_options.max_think_ms = options.max_think_ms;
  import_options.output_path = options.out;
  import_options.postman_environment = options.postman_env;
  import_options.openapi_tag = options.tag;
  import_options.openapi_only = options.only;
  if (!options.env.empty()) {
    config::Environment env =
        config::load_environment(options.env, config::process_variables(), core::Redactor::global());
    imports::apply_environment(env, import_options);
  }
  if (options.kind == "postman" && !options.out.empty() &&
      (options.out.back() == '/' || std::filesystem::is_directory(options.out))) {
    return write_postman_folders(options, import_options);
  }
  if (!options.out.empty() && !options.force && std::filesystem::exists(options.out)) {
    throw core::InputError(options.out, "", "exists already (--force overwrites it)");
  }
  auto result = imports::import_input(options.kind, options.input, import_options);
  const std::string text = imports::format_workflow(result.workflow);
  if (options.out.empty()) {
    std::cout << text;
  } else {
    std::filesystem::path out(options.out);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    std::ofstream file(options.out, std::ios::binary | std::ios::trunc);
    file << text;
    if (!file) throw core::InputError(options.out, "", "cannot write the workflow");
    std::cout << "wrote " << options.out << ": ";
  }
  (options.out.empty() ? std::cerr : std::cout)
      << core::Redactor::global().redact(imports::describe_summary(result.summary));
  return core::kExitPass;
}

}  // namespace

void register_import_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ImportCommandOptions>();
  auto* command = app.add_subcommand(
      "import", "Turn a HAR recording, curl commands, a Postman collection or an OpenAPI 3 document into a workflow "
      "(e2e/workflows/NAME.json)");
  command->add_option("kind", options->kind, "What FILE is: har (HAR 1.2), curl (curl commands), postman (collection v2.1) or openapi (OpenAPI 3, "
                      "JSON or YAML)")
      ->required()
      ->check(CLI::IsMember(imports::import_kinds()));
  command->add_option("file", options->input,
                      "The input file; for curl also the command itself in quotes ('curl -X POST ...')")
      ->required();
  command->add_option("--out,-o", options->out,
                      "Write the workflow here (default: standard output); postman: a directory (DIR/) gets one "
                      "workflow per top-level folder");
  command->add_option("--env", options->env,
                      "Environment file: its hosts are kept, its API paths become {{env.paths.*}}, and its "
                      "secrets' values become {{env.*}} references");
  command->add_option("--host", options->hosts,
                      "Keep requests to this host or host:port (repeatable; default: the environment's "
                      "hosts, else the host of the first request); the first becomes env.base_url");
  command->add_flag("--keep-assets", options->keep_assets, "Keep static assets (scripts, styles, images, fonts)");
  command->add_flag("--think-time", options->think_time, "Pause after each step as long as the recording did");
  command->add_option("--max-think-ms", options->max_think_ms, "Longest recorded pause kept (ms, default 10000)")
      ->check(CLI::Range(0.0, 3600000.0));
  command->add_option("--postman-env", options->postman_env,
                      "postman: a Postman environment file whose values the collection's variables take");
  command->add_option("--tag", options->tag, "openapi: keep only the operations with this tag");
  command->add_option("--only", options->only,
                      "openapi: keep only operations whose \"METHOD /path\" matches this glob (repeatable), "
                      "e.g. 'GET /health' or '* /pets/*'");
  command->add_flag("--force", options->force, "Overwrite --out if it exists");
  command->footer(
      "Examples:\n"
      "  golive import har session.har --out e2e/workflows/recorded.json --think-time\n"
      "  golive import curl 'curl -X POST https://app.example.com/api/notes -H \"Authorization: Bearer $TOKEN\" "
      "-d text=hi'\n"
      "  golive import postman api.postman_collection.json --postman-env staging.postman_environment.json\n"
      "  golive import postman api.postman_collection.json --out e2e/workflows/api/\n"
      "  golive import openapi openapi.yaml --tag pets --out e2e/workflows/pets_smoke.json\n"
      "Exit codes: 0 written, 2 bad input (the file and JSON pointer or line are named).");
  command->callback([options, &exit_code] { exit_code = execute_import(*options); });
}

}  // namespace golive::cli
