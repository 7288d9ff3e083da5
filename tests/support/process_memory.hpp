// This test process's resident memory, for tests that bound what a client or
// allocator keeps.
#pragma once

#include <fstream>
#include <string>

namespace golive::testing {

// VmRSS of this process, KiB; 0 when /proc is unreadable.
inline long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace golive::testing
