// A temporary directory for workflow, include and dataset files written by a
// test; removed with everything in it when the test ends.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace golive::e2e::testing {

class TempWorkflowDir {
 public:
  TempWorkflowDir() {
    std::random_device device;
    path_ = std::filesystem::temp_directory_path() /
            ("golive-e2e-test-" + std::to_string(device()) + std::to_string(device()));
    std::filesystem::create_directories(path_);
  }
  ~TempWorkflowDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempWorkflowDir(const TempWorkflowDir&) = delete;
  TempWorkflowDir& operator=(const TempWorkflowDir&) = delete;

  // Writes `content` to <dir>/<name> (creating subdirectories) and returns the path.
  std::string write(const std::string& name, const std::string& content) const {
    auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace golive::e2e::testing
