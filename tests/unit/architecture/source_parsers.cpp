#include "tests/unit/architecture/source_parsers.hpp"

#include <cctype>
#include <regex>
#include <sstream>

namespace golive::testing::layering {

std::vector<IncludeLine> parse_includes(std::string_view text) {
  static const std::regex directive(R"(^\s*#\s*include\s*([<"])([^">]+)[">])");
  std::vector<IncludeLine> out;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::smatch match;
    if (std::regex_search(line, match, directive)) {
      out.push_back({number, match[2].str(), match[1].str() == "<"});
    }
  }
  return out;
}

// One CMake command: its name (lowercase), its arguments and its first line.

// The commands of a CMakeLists.txt: # comments dropped, quoted arguments
// unquoted (with their \" escapes), nested parentheses kept inside one
// command. Bracket arguments and comments ([[...]]) are not used here.
std::vector<CMakeCommand> parse_cmake(std::string_view text) {
  std::vector<CMakeCommand> out;
  size_t i = 0;
  int line = 1;
  auto advance = [&] {
    if (text[i] == '\n') ++line;
    ++i;
  };
  auto skip_comment = [&] {
    while (i < text.size() && text[i] != '\n') ++i;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '#') {
      skip_comment();
      continue;
    }
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_')) {
      advance();
      continue;
    }
    CMakeCommand cmd;
    cmd.line = line;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
      cmd.name += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
      ++i;
    }
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size() || text[i] != '(') continue;  // not a command: a stray word
    ++i;
    int depth = 1;
    std::string arg;
    bool have_arg = false;
    auto finish_arg = [&] {
      if (have_arg) cmd.args.push_back(arg);
      arg.clear();
      have_arg = false;
    };
    while (i < text.size() && depth > 0) {
      const char d = text[i];
      if (d == '"') {
        advance();
        have_arg = true;
        while (i < text.size() && text[i] != '"') {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          arg += text[i];
          advance();
        }
        if (i < text.size()) advance();
      } else if (d == '#') {
        finish_arg();
        skip_comment();
      } else if (d == '(' || d == ')') {
        depth += d == '(' ? 1 : -1;
        if (depth > 0) {
          arg += d;
          have_arg = true;
        } else {
          finish_arg();
        }
        advance();
      } else if (std::isspace(static_cast<unsigned char>(d))) {
        finish_arg();
        advance();
      } else {
        arg += d;
        have_arg = true;
        advance();
      }
    }
    out.push_back(std::move(cmd));
  }
  return out;
}


std::vector<LinkStatement> parse_links(std::string_view cmake_text) {
  static const std::set<std::string> keywords = {"PUBLIC", "PRIVATE", "INTERFACE", "LINK_PUBLIC",
                                                 "LINK_PRIVATE", "LINK_INTERFACE_LIBRARIES"};
  std::vector<LinkStatement> out;
  for (const auto& cmd : parse_cmake(cmake_text)) {
    if (cmd.name != "target_link_libraries" || cmd.args.empty()) continue;
    LinkStatement link{cmd.line, cmd.args.front(), {}};
    for (size_t i = 1; i < cmd.args.size(); ++i) {
      if (!keywords.count(cmd.args[i])) link.dependencies.push_back(cmd.args[i]);
    }
    out.push_back(std::move(link));
  }
  return out;
}

}  // namespace golive::testing::layering
