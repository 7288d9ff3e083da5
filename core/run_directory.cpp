#include "core/run_directory.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>

#include "core/input_error.hpp"

namespace golive::core {

namespace fs = std::filesystem;

std::string make_run_id() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::random_device device;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%06x", device() & 0xffffffu);
  return std::string(stamp) + "-" + suffix;
}

std::string utc_now_iso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03lldZ", stamp, static_cast<long long>(ms % 1000));
  return out;
}

RunDirectory RunDirectory::create(const std::string& out_root) {
  std::string id = make_run_id();
  fs::path dir = fs::path(out_root) / id;
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw InputError(dir.string(), "", "cannot create run directory: " + error.message());
  // Repoint "latest" atomically: a new symlink renamed over the old one.
  fs::path latest = fs::path(out_root) / "latest";
  fs::path staging = fs::path(out_root) / (".latest-" + id);
  fs::create_directory_symlink(id, staging, error);
  if (!error) fs::rename(staging, latest, error);
  return RunDirectory(id, fs::absolute(dir).string());
}

RunDirectory RunDirectory::open(const std::string& path) {
  fs::path dir = fs::weakly_canonical(path);
  if (!fs::is_directory(dir)) throw InputError(path, "", "not a run directory");
  return RunDirectory(dir.filename().string(), dir.string());
}

}  // namespace golive::core
