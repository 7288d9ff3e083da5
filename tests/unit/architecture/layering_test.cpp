// Layers only point down (docs/ARCHITECTURE.md): every quoted #include of
// every product source and every golive_* link in every product
// CMakeLists.txt is checked against one table of folders and the folders
// each may depend on. The rules are plain functions, so the first tests feed
// them violations that must be reported; the last ones walk the real tree.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/architecture/layer_rules.hpp"
#include "tests/unit/architecture/source_parsers.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;
using namespace layering;

// ---- the tree --------------------------------------------------------------

const fs::path kRoot = GOLIVE_SOURCE_DIR;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string repo_relative(const fs::path& path) {
  return path.lexically_normal().lexically_relative(kRoot).generic_string();
}

bool is_source(const fs::path& path) {
  static const std::set<std::string> extensions = {".cpp", ".hpp", ".h", ".cc", ".ipp"};
  const auto name = path.filename().string();
  return extensions.count(path.extension().string()) || name.ends_with(".cpp.in") || name.ends_with(".hpp.in");
}

// Every product file (relative to the root) under the layer folders whose
// name passes `keep`, sorted.
template <typename Keep>
std::vector<std::string> product_files(Keep keep) {
  std::vector<std::string> out;
  for (const auto& layer : layers()) {
    const auto dir = kRoot / layer.folder;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && keep(entry.path())) out.push_back(repo_relative(entry.path()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A quoted include as the compiler finds it: next to the including file
// first, then from the repository root (the only include directory).
std::string resolve_include(const std::string& from, const std::string& include) {
  const auto beside = (kRoot / from).parent_path() / include;
  if (fs::exists(beside)) {
    const auto relative = repo_relative(beside);
    if (!starts_with(relative, "..")) return relative;
  }
  return fs::path(include).lexically_normal().generic_string();
}

struct TreeScan {
  std::vector<std::string> violations;
  size_t files = 0;
  size_t includes = 0;
};

TreeScan scan_includes() {
  TreeScan scan;
  for (const auto& file : product_files(is_source)) {
    ++scan.files;
    for (const auto& include : parse_includes(read_text(kRoot / file))) {
      ++scan.includes;
      const auto rule = include.angled ? system_include_violation(file, include.path)
                                       : include_violation(file, resolve_include(file, include.path));
      if (rule) {
        const char open = include.angled ? '<' : '"', close = include.angled ? '>' : '"';
        scan.violations.push_back(file + ":" + std::to_string(include.line) + ": #include " + open + include.path +
                                  close + ": " + *rule);
      }
    }
  }
  return scan;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += "  " + line + "\n";
  return out;
}

// ---- the rules catch what they must --------------------------------------------

TEST(LayeringRules, ReportsALowerLayerIncludingAHigherOne) {
  EXPECT_TRUE(include_violation("core/check_result.cpp", "config/environment.hpp"));
  EXPECT_TRUE(include_violation("core/url.hpp", "http/http_types.hpp"));
  EXPECT_TRUE(include_violation("config/host_policy.cpp", "http/http_types.hpp"));
  EXPECT_TRUE(include_violation("http/http_types.cpp", "target/jwt.hpp"));
  EXPECT_TRUE(include_violation("http/curl/curl_transfer.cpp", "target/jwt.hpp"));
  EXPECT_TRUE(include_violation("target/test_users.cpp", "e2e/workflow.hpp"));
  EXPECT_TRUE(include_violation("e2e/e2e_suite.cpp", "reports/render_all.hpp"));
  EXPECT_TRUE(include_violation("security/rls_suite.cpp", "run/run_session.hpp"));
  EXPECT_TRUE(include_violation("reports/json_reporter.cpp", "run/run_session.hpp"));
  EXPECT_TRUE(include_violation("run/run_pipeline.cpp", "cli/command_context.hpp"));
  EXPECT_TRUE(include_violation("core/redactor.cpp", "tests/support/reference_env.hpp"));
  const auto rule = include_violation("target/jwt.cpp", "load/load_suite.hpp");
  ASSERT_TRUE(rule);
  EXPECT_NE(rule->find("lower layer includes a higher one"), std::string::npos) << *rule;
  EXPECT_NE(rule->find("target/"), std::string::npos) << *rule;
  EXPECT_NE(rule->find("load/"), std::string::npos) << *rule;
}

TEST(LayeringRules, ReportsSuitesIncludingEachOther) {
  EXPECT_TRUE(include_violation("e2e/e2e_suite.cpp", "contract/response_schemas.hpp"));
  EXPECT_TRUE(include_violation("e2e/workflow_run.cpp", "load/load_stats.hpp"));
  EXPECT_TRUE(include_violation("security/rls_suite.cpp", "db/schema_snapshot.hpp"));
  EXPECT_TRUE(include_violation("security/secret_sources.cpp", "contract/webhook_client.hpp"));
  EXPECT_TRUE(include_violation("contract/stripe_replay_suite.cpp", "security/http_probe_support.hpp"));
  EXPECT_TRUE(include_violation("contract/webhook_client.cpp", "e2e/template.hpp"));
  EXPECT_TRUE(include_violation("db/db_suite.cpp", "e2e/workflow.hpp"));
  EXPECT_TRUE(include_violation("db/db_suite.cpp", "load/sla.hpp"));
  EXPECT_TRUE(include_violation("load/load_suite.cpp", "security/rls_suite.hpp"));
  EXPECT_FALSE(include_violation("import/workflow_builder.cpp", "e2e/workflow_parser.hpp"));
  EXPECT_TRUE(include_violation("import/importer.cpp", "load/load_suite.hpp"));
  EXPECT_TRUE(include_violation("e2e/workflow_parser.cpp", "import/importer.hpp"));
  EXPECT_FALSE(include_violation("cli/import_command.cpp", "import/importer.hpp"));
  const auto rule = include_violation("security/rls_suite.cpp", "contract/webhook_client.hpp");
  ASSERT_TRUE(rule);
  EXPECT_NE(rule->find("suites do not include each other"), std::string::npos) << *rule;
}

TEST(LayeringRules, ReportsForbiddenEdgesDownward) {
  EXPECT_TRUE(include_violation("reports/json_reporter.cpp", "http/http_types.hpp"));
  EXPECT_TRUE(include_violation("reports/html_reporter.cpp", "config/environment.hpp"));
  EXPECT_TRUE(include_violation("reports/load_charts.cpp", "load/latency_histogram.hpp"));
  EXPECT_TRUE(include_violation("reports/report_model.cpp", "target/postgres.hpp"));
  const auto rule = include_violation("reports/json_reporter.cpp", "http/http_types.hpp");
  ASSERT_TRUE(rule);
  EXPECT_NE(rule->find("reports/ may include only core/, reports/"), std::string::npos) << *rule;
}

TEST(LayeringRules, ReportsPrivateHttpHeadersOutsideTheirFolder) {
  EXPECT_TRUE(include_violation("e2e/e2e_suite.cpp", "http/curl/curl_transfer.hpp"));
  EXPECT_TRUE(include_violation("load/load_worker.cpp", "http/native/native_connection.hpp"));
  EXPECT_TRUE(include_violation("http/observing_client.cpp", "http/curl/curl_multi_driver.hpp"));
  EXPECT_TRUE(include_violation("http/native/native_connection.cpp", "http/curl/curl_handles.hpp"));
  EXPECT_TRUE(include_violation("http/curl/curl_transfer.cpp", "http/native/native_http_parser.hpp"));
  EXPECT_TRUE(include_violation("run/env_suite.cpp", "http/native/native_readiness.hpp"));
  const auto rule = include_violation("security/http_probe_support.hpp", "http/curl/curl_handles.hpp");
  ASSERT_TRUE(rule);
  EXPECT_NE(rule->find("http/curl/curl_http_client.hpp"), std::string::npos) << *rule;
}

TEST(LayeringRules, ReportsTheReferenceTargetLeavingCoreAndFixtures) {
  for (const char* include : {"target/jwt.hpp", "target/crypto.hpp", "target/stripe_signature.hpp",
                              "config/environment.hpp", "http/http_types.hpp", "contract/ai_provider_stub.hpp",
                              "security/rls_suite.hpp", "run/reference_target.hpp", "reports/escaping.hpp"}) {
    const auto rule = include_violation("fixtures/service/functions/checkout.cpp", include);
    ASSERT_TRUE(rule) << include;
    EXPECT_NE(rule->find("reference target is independent"), std::string::npos) << *rule;
  }
  EXPECT_TRUE(include_violation("run/reference_target.cpp", "fixtures/service/service_options.hpp"));
  EXPECT_TRUE(include_violation("cli/run_command.cpp", "fixtures/service/http_server.hpp"));
}

TEST(LayeringRules, ReportsHeavyHeadersInCoreAndReports) {
  EXPECT_TRUE(system_include_violation("core/url.cpp", "curl/curl.h"));
  EXPECT_TRUE(system_include_violation("core/random_id.cpp", "openssl/rand.h"));
  EXPECT_TRUE(system_include_violation("core/encoding.hpp", "boost/beast/core/detail/base64.hpp"));
  EXPECT_TRUE(system_include_violation("core/run_directory.cpp", "pqxx/pqxx"));
  EXPECT_TRUE(system_include_violation("reports/html_reporter.cpp", "boost/algorithm/string.hpp"));
  EXPECT_FALSE(system_include_violation("core/check_result.hpp", "nlohmann/json.hpp"));
  EXPECT_FALSE(system_include_violation("http/curl/curl_handles.hpp", "curl/curl.h"));
  EXPECT_FALSE(system_include_violation("target/crypto.cpp", "openssl/evp.h"));
}

TEST(LayeringRules, AllowsTheDownwardEdges) {
  EXPECT_FALSE(include_violation("core/result_stream.cpp", "core/check_result.hpp"));
  EXPECT_FALSE(include_violation("config/host_policy.hpp", "core/url.hpp"));
  EXPECT_FALSE(include_violation("http/client_options.hpp", "config/tls_settings.hpp"));
  EXPECT_FALSE(include_violation("http/scheme_routed_client.hpp", "http/curl/curl_http_client.hpp"));
  EXPECT_FALSE(include_violation("http/curl/curl_transfer.hpp", "http/curl/curl_handles.hpp"));
  EXPECT_FALSE(include_violation("http/native/native_connection.hpp", "http/native/native_http_parser.hpp"));
  EXPECT_FALSE(include_violation("target/test_users.cpp", "http/curl/curl_http_client.hpp"));
  EXPECT_FALSE(include_violation("load/load_worker.cpp", "http/native/native_http_client.hpp"));
  EXPECT_FALSE(include_violation("load/scenario_executors.cpp", "e2e/workflow_run.hpp"));
  EXPECT_FALSE(include_violation("security/rls_suite.cpp", "target/postgres.hpp"));
  EXPECT_FALSE(include_violation("reports/json_reporter.cpp", "core/check_result.hpp"));
  EXPECT_FALSE(include_violation("run/suite_stages.cpp", "contract/stripe_replay_suite.hpp"));
  EXPECT_FALSE(include_violation("run/run_pipeline.cpp", "reports/render_all.hpp"));
  EXPECT_FALSE(include_violation("cli/main.cpp", "run/run_pipeline.hpp"));
  EXPECT_FALSE(include_violation("fixtures/service/auth_routes.cpp", "core/redactor.hpp"));
  EXPECT_FALSE(include_violation("fixtures/service/functions/checkout.cpp", "fixtures/service/rest_sql.hpp"));
  EXPECT_FALSE(include_violation("core/check_result.hpp", "nlohmann/json.hpp"));  // quoted third-party
  // Tests, benchmarks and fuzzers may include anything, private headers too.
  EXPECT_FALSE(include_violation("tests/unit/http/native_http_parser_test.cpp", "http/native/native_http_parser.hpp"));
  EXPECT_FALSE(include_violation("bench/http_engine_bench.cpp", "http/curl/curl_transfer.hpp"));
  EXPECT_FALSE(include_violation("tests/unit/service/service_core_units_test.cpp", "fixtures/service/rest_sql.hpp"));
}

TEST(LayeringRules, ReportsLinksToHigherOrForbiddenLibraries) {
  EXPECT_TRUE(link_violation("golive_core", "golive_config"));
  EXPECT_TRUE(link_violation("golive_core", "golive_reports"));
  EXPECT_TRUE(link_violation("golive_config", "golive_http"));
  EXPECT_TRUE(link_violation("golive_http", "golive_target"));
  EXPECT_TRUE(link_violation("golive_target", "golive_e2e"));
  EXPECT_TRUE(link_violation("golive_e2e", "golive_load"));
  EXPECT_TRUE(link_violation("golive_e2e", "golive_contract"));
  EXPECT_TRUE(link_violation("golive_security", "golive_contract"));
  EXPECT_TRUE(link_violation("golive_db", "golive_security"));
  EXPECT_TRUE(link_violation("golive_reports", "golive_http"));
  EXPECT_TRUE(link_violation("golive_reports", "golive_load"));
  EXPECT_TRUE(link_violation("golive_run", "golive"));
  EXPECT_TRUE(link_violation("golive_run", "golive_reference_service"));
  EXPECT_TRUE(link_violation("golive_load", "golive_test_http_server"));
  for (const char* lib : {"golive_target", "golive_http", "golive_config", "golive_e2e", "golive_run"}) {
    const auto rule = link_violation("golive_reference_service", lib);
    ASSERT_TRUE(rule) << lib;
    EXPECT_NE(rule->find("reference target is independent"), std::string::npos) << *rule;
  }
  EXPECT_TRUE(link_violation("golive_core", "golive_new_thing"));
  EXPECT_TRUE(link_violation("golive_unlisted_library", "golive_core"));
}

TEST(LayeringRules, ReportsHeavyLibrariesLinkedByCore) {
  for (const char* lib : {"CURL::libcurl", "PkgConfig::PQXX", "PkgConfig::LIBPQ", "OpenSSL::Crypto", "OpenSSL::SSL",
                          "Boost::headers", "curl", "ssl"}) {
    EXPECT_TRUE(link_violation("golive_core", lib)) << lib;
    EXPECT_TRUE(link_violation("golive_reports", lib)) << lib;
  }
  EXPECT_FALSE(link_violation("golive_core", "nlohmann_json::nlohmann_json"));
  EXPECT_FALSE(link_violation("golive_core", "Threads::Threads"));
  EXPECT_FALSE(link_violation("golive_http", "CURL::libcurl"));
  EXPECT_FALSE(link_violation("golive_reference_service", "PkgConfig::PQXX"));
}

TEST(LayeringRules, AllowsTheDownwardLinks) {
  EXPECT_FALSE(link_violation("golive_config", "golive_core"));
  EXPECT_FALSE(link_violation("golive_http", "golive_config"));
  EXPECT_FALSE(link_violation("golive_target", "golive_http"));
  EXPECT_FALSE(link_violation("golive_load", "golive_e2e"));
  EXPECT_FALSE(link_violation("golive_db", "golive_target"));
  EXPECT_FALSE(link_violation("golive_reports", "golive_core"));
  EXPECT_FALSE(link_violation("golive_run", "golive_reports"));
  EXPECT_FALSE(link_violation("golive_run", "golive_security"));
  EXPECT_FALSE(link_violation("golive", "golive_run"));
  EXPECT_FALSE(link_violation("golive_reference_service", "golive_core"));
  EXPECT_FALSE(link_violation("golive-reference-target", "golive_reference_service"));
}

// ---- the parsers read what is there ------------------------------------------------

TEST(LayeringParsers, ReadsIncludeDirectivesWithTheirLines) {
  const auto includes = parse_includes(
      "// A comment with #include \"target/jwt.hpp\" is not a directive.\n"
      "#include \"core/url.hpp\"\n"
      "  #  include   \"target/jwt.hpp\"  // indented, spaced\n"
      "#include <curl/curl.h>\n"
      "#define X 1\n"
      "#include\"http/http_types.hpp\"\n");
  ASSERT_EQ(includes.size(), 4u);
  EXPECT_EQ(includes[0].line, 2);
  EXPECT_EQ(includes[0].path, "core/url.hpp");
  EXPECT_FALSE(includes[0].angled);
  EXPECT_EQ(includes[1].line, 3);
  EXPECT_EQ(includes[1].path, "target/jwt.hpp");
  EXPECT_EQ(includes[2].path, "curl/curl.h");
  EXPECT_TRUE(includes[2].angled);
  EXPECT_EQ(includes[3].line, 6);
  EXPECT_EQ(includes[3].path, "http/http_types.hpp");
}

TEST(LayeringParsers, ReadsMultiLineLinksAndDropsComments) {
  const auto links = parse_links(
      "# target_link_libraries(golive_core PUBLIC golive_run) is a comment\n"
      "add_library(golive_reports a.cpp)\n"
      "target_link_libraries(golive_reports PUBLIC golive_core  # the run model\n"
      "                      PRIVATE golive_http\n"
      "                      \"Threads::Threads\")\n"
      "TARGET_LINK_LIBRARIES(golive-reference-target PRIVATE golive_reference_service)\n");
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].target, "golive_reports");
  EXPECT_EQ(links[0].line, 3);
  EXPECT_EQ(links[0].dependencies, (std::vector<std::string>{"golive_core", "golive_http", "Threads::Threads"}));
  EXPECT_EQ(links[1].target, "golive-reference-target");
  EXPECT_EQ(links[1].dependencies, (std::vector<std::string>{"golive_reference_service"}));
  EXPECT_TRUE(link_violation(links[0].target, links[0].dependencies[1]));
}

TEST(LayeringParsers, KeepsQuotedParenthesesAndEscapesInsideOneCommand) {
  const auto commands = parse_cmake(
      "string(FIND \"${TEXT}\" \")golive_checklist\\\"\" AT)  # a ) in a string\n"
      "if((A) OR B)\n"
      "target_link_libraries(golive_core PUBLIC golive_http)\n");
  ASSERT_EQ(commands.size(), 3u);
  EXPECT_EQ(commands[0].name, "string");
  EXPECT_EQ(commands[0].args, (std::vector<std::string>{"FIND", "${TEXT}", ")golive_checklist\"", "AT"}));
  EXPECT_EQ(commands[1].args, (std::vector<std::string>{"(A)", "OR", "B"}));
  EXPECT_EQ(commands[2].line, 3);
  const auto links = parse_links("target_link_libraries(golive_core PUBLIC golive_http)");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_TRUE(link_violation(links[0].target, links[0].dependencies.at(0)));
}

// ---- the tree obeys the rules ------------------------------------------------------

TEST(LayeringTree, ProductIncludesPointDown) {
  const auto scan = scan_includes();
  // A scan that found nothing would pass vacuously.
  EXPECT_GT(scan.files, 300u);
  EXPECT_GT(scan.includes, 1000u);
  EXPECT_TRUE(scan.violations.empty()) << scan.violations.size() << " include(s) break docs/ARCHITECTURE.md:\n"
                                       << joined(scan.violations);
}

TEST(LayeringTree, ProductLinksPointDown) {
  std::vector<std::string> violations;
  std::set<std::string> linked;
  for (const auto& file : product_files([](const fs::path& p) { return p.filename() == "CMakeLists.txt"; })) {
    for (const auto& link : parse_links(read_text(kRoot / file))) {
      linked.insert(link.target);
      for (const auto& dependency : link.dependencies) {
        if (auto rule = link_violation(link.target, dependency)) {
          violations.push_back(file + ":" + std::to_string(link.line) + ": target_link_libraries(" + link.target +
                               " ... " + dependency + "): " + *rule);
        }
      }
    }
  }
  for (const char* library : {"golive_core", "golive_config", "golive_http", "golive_target", "golive_e2e",
                              "golive_load", "golive_reports", "golive_run", "golive_reference_service"}) {
    EXPECT_TRUE(linked.count(library)) << "no target_link_libraries(" << library << " ...) found";
  }
  EXPECT_TRUE(violations.empty()) << violations.size() << " link(s) break docs/ARCHITECTURE.md:\n"
                                  << joined(violations);
}

TEST(LayeringTree, EveryProductTargetIsInTheLayerTable) {
  std::vector<std::string> violations;
  for (const auto& file : product_files([](const fs::path& p) { return p.filename() == "CMakeLists.txt"; })) {
    for (const auto& cmd : parse_cmake(read_text(kRoot / file))) {
      if ((cmd.name != "add_library" && cmd.name != "add_executable") || cmd.args.empty()) continue;
      const Library* library = library_named(cmd.args.front());
      const auto where = file + ":" + std::to_string(cmd.line) + ": " + cmd.name + "(" + cmd.args.front() + "): ";
      if (library == nullptr) {
        violations.push_back(where + "not in the layer table (tests/unit/architecture/layer_rules.cpp and docs/ARCHITECTURE.md)");
      } else if (library->folder != first_component(file)) {
        violations.push_back(where + "the layer table puts it in " + std::string(library->folder) + "/");
      }
    }
  }
  EXPECT_TRUE(violations.empty()) << joined(violations);
}

TEST(LayeringTree, EveryTopLevelFolderIsALayerOrATool) {
  std::vector<std::string> unknown;
  for (const auto& cmd : parse_cmake(read_text(kRoot / "CMakeLists.txt"))) {
    if (cmd.name != "add_subdirectory" || cmd.args.empty()) continue;
    const auto folder = first_component(cmd.args.front());
    if (!layer_of_folder(folder) && !tool_folders().count(folder)) unknown.push_back(cmd.args.front());
  }
  EXPECT_TRUE(unknown.empty()) << "folders missing from the layer table:\n" << joined(unknown);
}

TEST(LayeringTree, TestsLiveUnderUnitOrIntegrationByModule) {
  // tests/unit/<module>/: a product folder, service (fixtures/service),
  // support (tests/support itself) or architecture (whole-tree checks);
  // tests/integration/<area>/; nothing loose.
  std::vector<std::string> misplaced;
  for (const char* kind : {"unit", "integration"}) {
    for (const auto& entry : fs::directory_iterator(kRoot / "tests" / kind)) {
      const auto name = entry.path().filename().string();
      if (!entry.is_directory()) {
        misplaced.push_back(repo_relative(entry.path()) + ": a test belongs in a module or area folder");
      } else if (std::string_view(kind) == "unit" && !layer_of_folder(name) && name != "service" &&
                 name != "support" && name != "architecture") {
        misplaced.push_back(repo_relative(entry.path()) + ": tests/unit/<module>/ names a product folder");
      }
    }
  }
  EXPECT_TRUE(misplaced.empty()) << joined(misplaced);
}

TEST(LayeringTree, ArchitectureDocumentNamesEveryLayer) {
  const auto doc = read_text(kRoot / "docs" / "ARCHITECTURE.md");
  ASSERT_FALSE(doc.empty()) << "docs/ARCHITECTURE.md is missing";
  for (const auto& layer : layers()) {
    EXPECT_NE(doc.find("`" + std::string(layer.folder) + "/`"), std::string::npos)
        << "docs/ARCHITECTURE.md does not describe `" << layer.folder << "/`";
  }
  for (const auto& library : libraries()) {
    EXPECT_NE(doc.find(std::string(library.name)), std::string::npos)
        << "docs/ARCHITECTURE.md does not name " << library.name;
  }
}

}  // namespace
}  // namespace golive::testing
