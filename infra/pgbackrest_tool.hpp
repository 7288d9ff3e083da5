// Runs pgBackRest as the infrastructure settings say (its --config, its
// stanza, as another local user through runuser when run_as is set and
// golive runs as root), and reads its JSON.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/external_tool.hpp"
#include "infra/infra_settings.hpp"

namespace golive::infra {

struct ToolOutput {
  core::ToolRun run;
  std::string stdout_text;
};

// argv prefixed with "runuser -u <run_as> --" when run_as is set and we are root.
std::vector<std::string> as_user(const std::string& run_as, std::vector<std::string> argv);

// pgbackrest [--config=...] --stanza=... <arguments...>
ToolOutput run_pgbackrest(const PgBackRestSettings& settings, const std::vector<std::string>& arguments,
                          std::chrono::milliseconds deadline);

}  // namespace golive::infra
