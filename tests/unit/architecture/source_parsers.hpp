// Readers of the two kinds of source the layering rules check: #include
// directives of C++ files and target_link_libraries of CMakeLists.txt
// (commands spanning lines, comments, quoted arguments with parentheses and
// escapes).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace golive::testing::layering {

struct IncludeLine {
  int line = 0;
  std::string path;
  bool angled = false;  // <...> rather than "..."
};

struct CMakeCommand {
  std::string name;
  std::vector<std::string> args;
  int line = 0;
};

struct LinkStatement {
  int line = 0;
  std::string target;
  std::vector<std::string> dependencies;
};

std::vector<IncludeLine> parse_includes(std::string_view text);
std::vector<CMakeCommand> parse_cmake(std::string_view text);
std::vector<LinkStatement> parse_links(std::string_view cmake_text);

}  // namespace golive::testing::layering
