// RunDirectory: out/<run-id>/ for one run's results and reports, with
// out/latest pointing at the newest. The run id sorts by time and is unique
// across concurrent runs: "20261122T031500Z-1a2b3c".
#pragma once

#include <string>

namespace golive::core {

class RunDirectory {
 public:
  // Creates <out_root>/<run-id>/ and repoints <out_root>/latest at it.
  // Throws InputError when the directory cannot be created.
  static RunDirectory create(const std::string& out_root);
  // An existing run directory (for `golive report render`).
  static RunDirectory open(const std::string& path);

  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  RunDirectory(std::string id, std::string path) : id_(std::move(id)), path_(std::move(path)) {}
  std::string id_;
  std::string path_;
};

// A run id for the current time (UTC) plus 6 random hex digits.
std::string make_run_id();

// Current time as ISO 8601 UTC with milliseconds: "2026-11-22T03:15:00.123Z".
std::string utc_now_iso8601();

}  // namespace golive::core
