// `golive rerun RUN_DIR --failed [--env FILE] [--out DIR] [--dry-run]`: re-runs
// the failed checks of a run, each through the smallest unit that can re-run
// it (run/rerun_plan.hpp), named on the console, against the same
// environment (the file the run recorded, or --env), with the run's seeded
// defects and its gate flags (--fail-on, --waivers FILE). Each unit is this golive
// binary again, writing its own run directory under --out. Exit 0 when every
// unit passed, 1 when one still fails, 2 when RUN_DIR is not a run directory.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command_context.hpp"
#include "core/exit_codes.hpp"
#include "core/external_tool.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "run/report_context.hpp"
#include "run/rerun_plan.hpp"

namespace golive::cli {

namespace {

namespace fs = std::filesystem;

struct RerunOptions {
  std::string run_dir;
  bool failed = false;
  bool dry_run = false;
  std::string env_file;
  std::string out_dir = "out";
};

// The environment file `golive run` recorded in run_start.environment.file.
std::string recorded_env_file(const core::ResultStreamContents& stream) {
  for (const auto& record : stream.meta) {
    if (record.value("record", "") != "run_start" || !record.contains("environment")) continue;
    if (record["environment"].is_object()) return record["environment"].value("file", "");
  }
  return "";
}

// The seeded defects `golive run --defect` recorded in run_start.defects.
std::vector<std::string> recorded_defects(const core::ResultStreamContents& stream) {
  std::vector<std::string> defects;
  for (const auto& record : stream.meta) {
    if (record.value("record", "") != "run_start" || !record.contains("defects")) continue;
    for (const auto& defect : record["defects"]) {
      if (defect.is_string()) defects.push_back(defect.get<std::string>());
    }
  }
  return defects;
}

// The gate flags the run was given, for every unit: --fail-on (run_start.gate.fail_on)
// and --waivers (the `waivers` record's file; waivers from the environment file
// come with --env anyway).
std::vector<std::string> recorded_flags(const core::ResultStreamContents& stream) {
  std::vector<std::string> flags;
  for (const auto& record : stream.meta) {
    const std::string kind = record.value("record", "");
    if (kind == "run_start" && record.contains("gate") && record["gate"].is_object()) {
      const std::string fail_on = record["gate"].value("fail_on", "");
      if (!fail_on.empty()) flags.insert(flags.end(), {"--fail-on", fail_on});
    } else if (kind == "waivers") {
      const std::string source = record.value("source", "");
      if (!source.empty() && source.find("#/") == std::string::npos && fs::is_regular_file(source)) {
        flags.insert(flags.end(), {"--waivers", source});
      }
    }
  }
  return flags;
}

std::string self_executable() {
  std::error_code error;
  const auto path = fs::read_symlink("/proc/self/exe", error);
  return error ? "golive" : path.string();
}

int execute_rerun(const RerunOptions& options) {
  const fs::path stream_path = fs::path(options.run_dir) / "results.jsonl";
  if (!fs::is_regular_file(stream_path)) {
    throw core::InputError(options.run_dir, "", "no results.jsonl: not a golive run directory");
  }
  const auto stream = core::read_result_stream(stream_path.string());
  const auto model = report::build_report_model(stream, run::report_context());
  // A defect run was against the embedded target (--defect applies only
  // without --env): its units start that target again with the same defects.
  const std::vector<std::string> defects = options.env_file.empty() ? recorded_defects(stream)
                                                                    : std::vector<std::string>{};
  const std::string env_file = !options.env_file.empty() ? options.env_file
                               : defects.empty()         ? recorded_env_file(stream)
                                                         : "";
  run::RerunPlan plan = run::plan_rerun(model, env_file, defects);
  const std::vector<std::string> flags = recorded_flags(stream);
  for (auto& unit : plan.units) unit.arguments.insert(unit.arguments.end(), flags.begin(), flags.end());
  if (plan.units.empty()) {
    std::cout << "rerun: run " << model.run.id << " has no failed check to re-run\n";
    return core::kExitPass;
  }
  std::size_t checks = 0;
  for (const auto& unit : plan.units) checks += unit.checks.size();
  std::cout << "rerun: " << checks << " failed check" << (checks == 1 ? "" : "s") << " of run " << model.run.id
            << " as " << plan.units.size() << " unit" << (plan.units.size() == 1 ? "" : "s") << " against "
            << (env_file.empty() ? "the embedded reference target" : env_file);
  if (!defects.empty()) {
    std::cout << " with";
    for (const auto& defect : defects) std::cout << " --defect " << defect;
  }
  std::cout << "\n";
  for (const auto& unit : plan.units) {
    std::cout << "  golive " << unit.name() << "  (" << unit.checks.size() << ": " << unit.checks.front()
              << (unit.checks.size() > 1 ? ", ..." : "") << ")\n";
  }
  if (options.dry_run) return core::kExitPass;
  int worst = core::kExitPass;
  fs::create_directories(options.out_dir);
  std::size_t number = 0;
  for (const auto& unit : plan.units) {
    std::vector<std::string> argv{self_executable()};
    argv.insert(argv.end(), unit.arguments.begin(), unit.arguments.end());
    if (!env_file.empty()) argv.insert(argv.end(), {"--env", env_file});
    argv.insert(argv.end(), {"--out", options.out_dir});
    std::cout << "\n== golive " << unit.name() << "\n" << std::flush;
    // The unit's console goes to a file, echoed when it ends: a child cannot
    // always reopen /dev/stdout (ENOENT where /proc/self is restricted).
    const std::string log = (fs::path(options.out_dir) / ("rerun-" + std::to_string(++number) + ".log")).string();
    const core::ToolRun run = core::run_tool(argv, {}, std::chrono::hours(2), log);
    std::cout << std::ifstream(log).rdbuf() << std::flush;
    std::cout << "== golive " << unit.name() << ": " << (run.ok() ? "pass" : run.describe()) << "\n";
    if (!run.ok()) worst = std::max(worst, run.started && run.exit_code > 0 ? run.exit_code : core::kExitInternalError);
  }
  return worst;
}

}  // namespace

void register_rerun_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RerunOptions>();
  auto* rerun = app.add_subcommand("rerun", "Re-run the failed checks of a run (each by its smallest unit)");
  rerun->add_option("run_dir", options->run_dir, "Run directory, e.g. out/latest")->required();
  rerun->add_flag("--failed", options->failed, "Re-run the failed checks (required: the only mode today)")->required();
  rerun->add_option("--env", options->env_file, "Environment file (default: the one the run recorded)");
  rerun->add_option("--out", options->out_dir, "Directory for the new runs' reports (default: out)");
  rerun->add_flag("--dry-run", options->dry_run, "Only print the units that would run");
  rerun->footer("Exit codes: 0 every unit passed, 1 a unit's gate failed, 2 not a run directory.");
  rerun->callback([options, &exit_code] { exit_code = execute_rerun(*options); });
}

}  // namespace golive::cli
