#include "load/load_settings.hpp"

#include <filesystem>

#include "core/input_error.hpp"

namespace golive::load {

LoadStageSettings read_load_stage_settings(const config::Environment& env, const std::string& home) {
  LoadStageSettings settings;
  settings.profile = (std::filesystem::path(home) / "load/profiles/go-live.json").string();
  auto section = env.sections.find("load");
  if (section == env.sections.end() || section->second.is_null()) return settings;

  core::JsonReader load(section->second, env.source_file, "/load");
  load.as_object();
  load.reject_unknown_keys({"profile", "threads", "enabled"});
  if (load.has("profile")) {
    std::filesystem::path profile = load.at("profile").as_string();
    settings.profile = profile.is_absolute() ? profile.string() : (std::filesystem::path(home) / profile).string();
  }
  if (load.has("threads")) {
    auto threads = load.at("threads").as_integer();
    if (threads < 1 || threads > 256) load.at("threads").fail("must be 1 to 256");
    settings.threads = static_cast<std::uint32_t>(threads);
  }
  settings.enabled = load.bool_or("enabled", true);
  return settings;
}

}  // namespace golive::load
