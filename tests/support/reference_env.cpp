#include "tests/support/reference_env.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "config/environment.hpp"

namespace golive::testing {

namespace {

// initdb, start and six migrations take 5-10 s on a busy 2-core machine; the
// service start adds up to 10 s (the script's own bound). Stopping waits for
// a fast shutdown, bounded by the script at 5 s per process.
constexpr std::chrono::seconds kUpTimeout{180};
constexpr std::chrono::seconds kDownTimeout{60};

std::string make_private_state_dir() {
  char pattern[] = "/tmp/golive-test-env.XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("cannot create a state dir in /tmp");
  return pattern;
}

// Every script run holds this lock (flock -o: the lock is not inherited by
// the daemons the script starts). The watchdog takes it too, so when the test
// process dies during `up`, its `down` waits for that `up` to finish instead
// of racing it and leaving a half-started database behind.
std::string lock_file(const std::string& state_dir) { return state_dir + "/.lock"; }

std::string describe_failure(const std::string& what, const ProcessOutcome& outcome) {
  std::string message = what;
  message += outcome.timed_out ? " (timed out)" : " (exit code " + std::to_string(outcome.exit_code) + ")";
  if (!outcome.stderr_text.empty()) message += ":\n" + outcome.stderr_text;
  return message;
}

}  // namespace

std::string reference_env_script() {
  // The override runs the suites against another fixture tree, e.g. a copy
  // with a policy deliberately broken, to prove that the tests catch it.
  if (const char* override_path = std::getenv("GOLIVE_REFERENCE_ENV_SCRIPT"); override_path && *override_path) {
    return override_path;
  }
  return GOLIVE_SOURCE_DIR "/scripts/reference-env";
}

ReferenceEnv::ReferenceEnv(Options options)
    : options_(std::move(options)), state_dir_(make_private_state_dir()) {
  // Armed before anything starts, so even a crash half-way through `up`
  // leaves nothing running; on a constructor exception it fires as the
  // member is destroyed.
  watchdog_ = std::make_unique<ExitWatchdog>(R"(flock -o "$1/.lock" "$0" down; rm -rf -- "$1")",
                                             std::vector<std::string>{reference_env_script(), state_dir_},
                                             std::map<std::string, std::string>{{"GOLIVE_STATE_DIR", state_dir_}});
  up_or_throw();
}

ReferenceEnv::~ReferenceEnv() {
  ProcessOutcome outcome = run_script({"down"});
  if (!outcome.succeeded()) {
    std::cerr << describe_failure("reference-env down failed for " + state_dir_, outcome) << "\n";
  }
  // Runs `down` once more (a no-op now) and removes the state dir.
  watchdog_.reset();
}

ProcessOutcome ReferenceEnv::run_script(const std::vector<std::string>& arguments) const {
  std::vector<std::string> argv{"flock", "-o", lock_file(state_dir_), reference_env_script()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  bool starting = !arguments.empty() && arguments.front() == "up";
  // The tests' targets take signups without a captcha token unless asked
  // (write_env_file says which).
  return run_process(argv,
                     {{"GOLIVE_STATE_DIR", state_dir_},
                      {"GOLIVE_REF_CAPTCHA_REQUIRED", options_.captcha_required ? "1" : "0"},
                      {"GOLIVE_REF_AUTH_CONFIRM_EMAIL", options_.auth_confirm_email ? "1" : "0"}},
                     starting ? kUpTimeout : kDownTimeout);
}

std::vector<std::string> ReferenceEnv::up_arguments() const {
  std::vector<std::string> arguments{"up", "--topology", options_.topology};
  if (!options_.with_service) arguments.push_back("--no-service");
  for (const auto& defect : options_.defects) {
    arguments.push_back("--defect");
    arguments.push_back(defect);
  }
  if (!options_.ai_provider_url.empty()) {
    arguments.push_back("--ai-provider-url");
    arguments.push_back(options_.ai_provider_url);
  }
  if (!options_.sentry_dsn.empty()) {
    arguments.push_back("--sentry-dsn");
    arguments.push_back(options_.sentry_dsn);
  }
  return arguments;
}

void ReferenceEnv::up_or_throw() {
  ProcessOutcome outcome = run_script(up_arguments());
  if (!outcome.succeeded()) throw std::runtime_error(describe_failure("reference-env up failed", outcome));
}

std::string ReferenceEnv::var(const std::string& key) const {
  auto vars = config::read_vars_file(state_dir_ + "/state.env");
  auto found = vars.find(key);
  if (found == vars.end() || found->second.empty()) {
    throw std::runtime_error(key + " is not set in " + state_dir_ + "/state.env");
  }
  return found->second;
}

std::string ReferenceEnv::database_url() const { return var("GOLIVE_REF_DATABASE_URL"); }

std::string ReferenceEnv::service_database_url() const { return var("GOLIVE_REF_SERVICE_DATABASE_URL"); }

std::string ReferenceEnv::base_url() const {
  if (!options_.with_service) return "";
  return var("GOLIVE_REF_BASE_URL");
}

void ReferenceEnv::restart_service(const std::vector<std::string>& defects, bool captcha_required,
                                   bool auth_confirm_email) {
  options_.with_service = true;
  options_.defects = defects;
  options_.captcha_required = captcha_required;
  options_.auth_confirm_email = auth_confirm_email;
  up_or_throw();
}

std::string ReferenceEnv::write_env_file() const {
  const std::string template_path = GOLIVE_SOURCE_DIR "/envs/local.json";
  std::ifstream in(template_path);
  if (!in) throw std::runtime_error("cannot read " + template_path);
  nlohmann::json env = nlohmann::json::parse(in);
  env["vars_file"] = state_dir_ + "/state.env";
  // The monitoring fixture's default is relative to envs/; this file lives elsewhere.
  if (env.contains("observability")) {
    std::string observability = env["observability"].dump();
    const std::string relative = ":-../fixtures/monitoring}";
    for (std::size_t at = observability.find(relative); at != std::string::npos;
         at = observability.find(relative, at + 1)) {
      observability.replace(at, relative.size(), ":-" GOLIVE_SOURCE_DIR "/fixtures/monitoring}");
    }
    env["observability"] = nlohmann::json::parse(observability);
  }
  env["description"] = "envs/local.json bound to the reference target in " + state_dir_;
  env["auth"]["captcha_required"] = options_.captcha_required;
  if (!options_.captcha_required) env["auth"].erase("captcha_token");

  const std::string path = state_dir_ + "/env.json";
  std::ofstream out(path, std::ios::trunc);
  out << env.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

ReferenceEnv& shared_reference_env(const ReferenceEnv::Options& options) {
  // Function-local statics: destroyed at exit, after main returns, which
  // stops the target once every test of the binary has run.
  static std::mutex mutex;
  static std::unique_ptr<ReferenceEnv> shared;
  static ReferenceEnv::Options first_options;
  static std::string start_failure;

  std::lock_guard<std::mutex> lock(mutex);
  if (!start_failure.empty()) throw std::runtime_error(start_failure);
  if (!shared) {
    first_options = options;
    try {
      shared = std::make_unique<ReferenceEnv>(options);
    } catch (const std::exception& e) {
      start_failure = e.what();
      throw;
    }
  } else if (!(options == first_options)) {
    throw std::logic_error("shared_reference_env: called again with different options");
  }
  return *shared;
}

}  // namespace golive::testing
