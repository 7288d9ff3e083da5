#include "tests/unit/architecture/layer_rules.hpp"

#include <algorithm>

namespace golive::testing::layering {

// ---- the layer table ---------------------------------------------------------

const std::vector<std::string_view> kBelowSuites = {"core", "config", "http", "target"};

std::vector<std::string_view> with(std::vector<std::string_view> base,
                                   std::initializer_list<std::string_view> more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

const std::vector<Layer>& layers() {
  static const std::vector<Layer> table = {
      {"core", 1, {"core"}},
      {"config", 2, {"core", "config"}},
      {"http", 3, {"core", "config", "http"}},
      {"target", 4, kBelowSuites},
      {"e2e", 5, with(kBelowSuites, {"e2e"})},
      {"load", 5, with(kBelowSuites, {"load", "e2e"})},  // reuses the workflow runner
      {"security", 5, with(kBelowSuites, {"security"})},
      {"contract", 5, with(kBelowSuites, {"contract"})},
      {"db", 5, with(kBelowSuites, {"db"})},
      {"repo", 5, with(kBelowSuites, {"repo"})},
      {"infra", 5, with(kBelowSuites, {"infra"})},
      {"observability", 5, with(kBelowSuites, {"observability"})},
      {"browser", 5, with(kBelowSuites, {"browser"})},
      {"import", 5, with(kBelowSuites, {"import", "e2e"})},  // checks what it writes with the workflow parser
      {"reports", 6, {"core", "reports"}},
      {"run", 7, with(kBelowSuites, {"e2e", "load", "security", "contract", "db", "repo", "reports", "run",
                                     "infra", "observability", "browser", "import"})},
      {"cli", 8,
       with(kBelowSuites, {"e2e", "load", "security", "contract", "db", "repo", "reports", "run", "cli",
                           "infra", "observability", "browser", "import"})},
      {"fixtures", 0, {"core", "fixtures"}},
  };
  return table;
}

namespace {

const std::set<std::string_view> kToolFolders = {"tests", "bench", "fuzz"};

// Every CMake target defined by a product folder, and the folder it belongs to.
const std::vector<Library> kLibraries = {
    {"golive_core", "core"},         {"golive_config", "config"},
    {"golive_http", "http"},         {"golive_target", "target"},
    {"golive_e2e", "e2e"},           {"golive_load", "load"},
    {"golive_security", "security"}, {"golive_contract", "contract"},
    {"golive_db", "db"},             {"golive_reports", "reports"},
    {"golive_repo", "repo"},
    {"golive_infra", "infra"},
    {"golive_observability", "observability"},
    {"golive_browser", "browser"},
    {"golive_import", "import"},
    {"golive_run", "run"},           {"golive", "cli"},
    {"golive_reference_service", "fixtures"}, {"golive-reference-target", "fixtures"},
};

}  // namespace

const std::vector<Library>& libraries() { return kLibraries; }
const std::set<std::string_view>& tool_folders() { return kToolFolders; }

// Private implementation folders of http/ and the one public header of each.
struct PrivateFolder {
  std::string_view prefix;
  std::string_view public_header;
};
const std::vector<PrivateFolder> kPrivateFolders = {
    {"http/curl/", "http/curl/curl_http_client.hpp"},
    {"http/native/", "http/native/native_http_client.hpp"},
};

// What golive_core (and reports/, which sees only core) never links or includes.
const std::vector<std::string_view> kHeavyLinkPrefixes = {"CURL::", "PkgConfig::PQXX", "PkgConfig::LIBPQ",
                                                          "OpenSSL::", "Boost::"};
const std::vector<std::string_view> kHeavyLinkNames = {"curl", "pqxx", "pq", "ssl", "crypto"};
const std::vector<std::string_view> kHeavyHeaderPrefixes = {"curl/", "pqxx/", "openssl/", "boost/",
                                                            "libpq-fe.h", "postgresql/"};
const std::set<std::string_view> kLightFolders = {"core", "reports"};

const Layer* layer_of_folder(std::string_view folder) {
  for (const auto& layer : layers()) {
    if (layer.folder == folder) return &layer;
  }
  return nullptr;
}

std::string_view first_component(std::string_view path) {
  return path.substr(0, path.find('/'));
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string folder_list(const Layer& layer) {
  std::string out;
  for (auto folder : layer.may_depend_on) {
    if (!out.empty()) out += ", ";
    out += std::string(folder) + "/";
  }
  return out;
}

// The rule an edge from folder `from` to folder `to` breaks, if any. `what`
// is "include" or "link" and only shapes the message.
std::optional<std::string> edge_violation(const Layer& from, std::string_view to, std::string_view what) {
  if (kToolFolders.count(to)) {
    return "product code never " + std::string(what) + "s " + std::string(to) +
           "/ (tests, benchmarks and fuzzers sit above the product)";
  }
  const Layer* target = layer_of_folder(to);
  if (target == nullptr) return std::nullopt;  // not a golive folder: a third-party or generated header
  const auto& allowed = from.may_depend_on;
  if (std::find(allowed.begin(), allowed.end(), to) != allowed.end()) return std::nullopt;
  const std::string f(from.folder), t(to);
  const std::string only = "; " + f + "/ may " + std::string(what) + " only " + folder_list(from);
  if (from.folder == "fixtures") {
    return "the reference target is independent of the harness: fixtures/ must not " + std::string(what) +
           " " + t + "/" + only;
  }
  if (to == "fixtures") {
    return "the harness never " + std::string(what) + "s the reference target (fixtures/): they share only core/" +
           only;
  }
  if (target->rank > from.rank) {
    return "lower layer " + std::string(what) + "s a higher one: " + f + "/ (layer " + std::to_string(from.rank) +
           ") must not " + std::string(what) + " " + t + "/ (layer " + std::to_string(target->rank) + ")" + only;
  }
  if (target->rank == from.rank) {
    return "suites do not " + std::string(what) + " each other (only load/ and import/ may use e2e/): " + f +
           "/ must not " + std::string(what) + " " + t + "/" + only;
  }
  return "forbidden edge: " + f + "/ must not " + std::string(what) + " " + t + "/" + only;
}

// ---- the rules -------------------------------------------------------------

// The rule that `#include "include"` in the repository file `from` breaks, if
// any. Both paths are relative to the repository root.
std::optional<std::string> include_violation(std::string_view from, std::string_view include) {
  const auto from_folder = first_component(from);
  if (kToolFolders.count(from_folder)) return std::nullopt;
  const Layer* from_layer = layer_of_folder(from_folder);
  if (from_layer == nullptr) return std::nullopt;
  for (const auto& folder : kPrivateFolders) {
    if (starts_with(include, folder.prefix) && include != folder.public_header && !starts_with(from, folder.prefix)) {
      return std::string(folder.prefix) + " is private to its folder: outside it include only " +
             std::string(folder.public_header);
    }
  }
  return edge_violation(*from_layer, first_component(include), "include");
}

// The rule that `#include <header>` in `from` breaks: core/ and reports/
// never see curl, libpqxx, libpq, OpenSSL or Boost.
std::optional<std::string> system_include_violation(std::string_view from, std::string_view header) {
  const auto folder = first_component(from);
  if (!kLightFolders.count(folder)) return std::nullopt;
  for (auto prefix : kHeavyHeaderPrefixes) {
    if (starts_with(header, prefix)) {
      return std::string(folder) + "/ includes no curl, libpqxx, libpq, OpenSSL or Boost header " +
             "(golive_core links none of them, and reports/ sees only core/)";
    }
  }
  return std::nullopt;
}

const Library* library_named(std::string_view name) {
  for (const auto& library : kLibraries) {
    if (library.name == name) return &library;
  }
  return nullptr;
}

// The support libraries of tests/ (golive_test_support, golive_test_http_server,
// golive_service_core_test_support, ...).
bool is_test_library(std::string_view name) {
  return starts_with(name, "golive_test_") || name.find("_test_support") != std::string_view::npos;
}

// The rule that `target_link_libraries(library ... dependency)` breaks, if any.
std::optional<std::string> link_violation(std::string_view library, std::string_view dependency) {
  const Library* from = library_named(library);
  if (from == nullptr) {
    return "unknown product target " + std::string(library) +
           ": add it to the layer table (tests/unit/architecture/layer_rules.cpp and docs/ARCHITECTURE.md)";
  }
  const Layer& from_layer = *layer_of_folder(from->folder);
  if (kLightFolders.count(from->folder)) {
    for (auto prefix : kHeavyLinkPrefixes) {
      if (starts_with(dependency, prefix)) {
        return std::string(library) + " links no curl, libpqxx, libpq, OpenSSL or Boost";
      }
    }
    for (auto name : kHeavyLinkNames) {
      if (dependency == name) return std::string(library) + " links no curl, libpqxx, libpq, OpenSSL or Boost";
    }
  }
  if (is_test_library(dependency)) return edge_violation(from_layer, "tests", "link");
  if (!starts_with(dependency, "golive")) return std::nullopt;  // a third-party library
  const Library* to = library_named(dependency);
  if (to == nullptr) {
    return "unknown golive target " + std::string(dependency) +
           ": add it to the layer table (tests/unit/architecture/layer_rules.cpp and docs/ARCHITECTURE.md)";
  }
  return edge_violation(from_layer, to->folder, "link");
}

}  // namespace golive::testing::layering
