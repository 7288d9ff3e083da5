// The layer table of docs/ARCHITECTURE.md and the rules an include or a link
// can break: one table of folders and the folders each may depend on, the
// product's libraries, and plain functions that say which rule an edge
// breaks. layering_test.cpp feeds them violations and walks the real tree.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace golive::testing::layering {

// One folder of the product and what it may include or link. `rank` orders
// the layers lowest first; the suites share rank 5. fixtures/ (the
// reference target) stands apart at rank 0: it sees only core/.
struct Layer {
  std::string_view folder;
  int rank;
  std::vector<std::string_view> may_depend_on;  // folders, itself included
};

// A CMake target defined by a product folder, and the folder it belongs to.
struct Library {
  std::string_view name;
  std::string_view folder;
};

const std::vector<Layer>& layers();
const std::vector<Library>& libraries();
// Folders that may include and link anything (they are not the product).
const std::set<std::string_view>& tool_folders();

const Layer* layer_of_folder(std::string_view folder);
const Library* library_named(std::string_view name);
std::string_view first_component(std::string_view path);
bool starts_with(std::string_view text, std::string_view prefix);

// The rule that `#include "include"` in the repository file `from` breaks, if
// any. Both paths are relative to the repository root.
std::optional<std::string> include_violation(std::string_view from, std::string_view include);
// The rule that `#include <header>` in `from` breaks: core/ and reports/
// never see curl, libpqxx, libpq, OpenSSL or Boost.
std::optional<std::string> system_include_violation(std::string_view from, std::string_view header);
// The rule that `target_link_libraries(library ... dependency)` breaks, if any.
std::optional<std::string> link_violation(std::string_view library, std::string_view dependency);

}  // namespace golive::testing::layering
