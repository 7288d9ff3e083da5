#include "infra/infra_suite.hpp"

#include "core/input_error.hpp"

namespace golive::infra {

namespace {

// "enabled" may be a boolean or the strings "true"/"false", so a vars file
// (the reference target's state.env) can switch the suite.
bool infra_enabled(const config::Environment& env) {
  auto section = env.sections.find("infra");
  if (section == env.sections.end() || !section->second.is_object()) return false;
  const nlohmann::json& enabled = section->second.value("enabled", nlohmann::json(true));
  if (enabled.is_boolean()) return enabled.get<bool>();
  if (enabled.is_string()) {
    const std::string text = enabled.get<std::string>();
    if (text == "true") return true;
    if (text == "false" || text.empty()) return false;
  }
  core::JsonReader(section->second, env.source_file, "/infra").at("enabled").fail(
      "must be true or false (a boolean or the string)");
}

}  // namespace

config::Capability infra_capability(const config::Environment& env) {
  if (!infra_enabled(env)) {
    return {"infra", false,
            "the environment declares no infrastructure (no \"infra\" section, or \"enabled\": false): "
            "replication, backups, cache, CDN and load balancing are not checked"};
  }
  return {"infra", true, "replication, backups, cache, static assets and load balancing checks"};
}

std::size_t run_infra_suite(const config::Environment& env, const InfraOptions& options, core::ResultSink& sink) {
  const InfraSettings settings = read_infra_settings(env);
  // The drills stop instances and start scratch servers: never on production
  // unless the environment and the command line both allow it.
  const bool drills_allowed = !env.production || (settings.allow_drills && options.allow_production);
  struct Counter : core::ResultSink {
    explicit Counter(core::ResultSink& inner) : inner(inner) {}
    void record(const core::CheckResult& result) override {
      if (result.status == core::CheckStatus::kFail || result.status == core::CheckStatus::kError) ++failed;
      inner.record(result);
    }
    void record_meta(const std::string& kind, const nlohmann::json& fields) override {
      inner.record_meta(kind, fields);
    }
    core::ResultSink& inner;
    std::size_t failed = 0;
  } counter(sink);
  if (options.replication) check_replication(env, settings, counter);
  if (options.backup) check_archiving_and_backups(env, settings, drills_allowed, counter);
  if (options.cache) check_cache(env, settings, counter);
  if (options.statics) check_static_assets(env, settings, counter);
  if (options.balancing) check_load_balancing(env, settings, counter);
  if (options.failover) check_failover(env, settings, drills_allowed, counter);
  return counter.failed;
}

}  // namespace golive::infra
