#include "infra/pgbackrest_tool.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/random_id.hpp"

namespace golive::infra {

std::vector<std::string> as_user(const std::string& run_as, std::vector<std::string> argv) {
  if (run_as.empty() || ::geteuid() != 0) return argv;
  std::vector<std::string> wrapped{"runuser", "-u", run_as, "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

ToolOutput run_pgbackrest(const PgBackRestSettings& settings, const std::vector<std::string>& arguments,
                          std::chrono::milliseconds deadline) {
  std::vector<std::string> argv{settings.bin};
  if (!settings.config.empty()) argv.push_back("--config=" + settings.config);
  argv.push_back("--stanza=" + settings.stanza);
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const std::filesystem::path out =
      std::filesystem::temp_directory_path() / ("golive-pgbackrest-" + core::random_hex(8) + ".out");
  ToolOutput output;
  output.run = core::run_tool(as_user(settings.run_as, argv), {}, deadline, out.string());
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  output.stdout_text = text.str();
  std::error_code ignored;
  std::filesystem::remove(out, ignored);
  return output;
}

}  // namespace golive::infra
