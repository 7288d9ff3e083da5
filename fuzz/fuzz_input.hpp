// Helpers shared by the libFuzzer targets: turning the fuzzer's bytes into the
// inputs the parsers take (strings, files on a scratch tmpfs directory).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace golive::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A per-process scratch directory (under /dev/shm when it exists, so writing a
// file per execution costs no disk I/O). Never removed: the fuzzer is killed,
// not returned from, and the directory holds at most a few small files.
inline const std::filesystem::path& scratch_directory() {
  static const std::filesystem::path directory = [] {
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    std::filesystem::path dir = base / ("golive-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
  }();
  return directory;
}

// Writes `bytes` to `name` in the scratch directory and returns its path.
inline std::string write_scratch_file(const std::string& name, std::string_view bytes) {
  std::filesystem::path path = scratch_directory() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path.string();
}

}  // namespace golive::fuzz
