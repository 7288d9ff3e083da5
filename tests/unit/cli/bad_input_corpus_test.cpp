// The bad-input corpus (tests/data/bad_input/cases.tsv): every broken
// workflow, load profile, threshold expression, Stripe event export, replay
// request log and command-line flag is run through the real `golive` binary.
// Each must end with exit code 2 and a message naming the file or flag, the
// JSON pointer or line, and the problem; never a crash, a hang, an "internal
// error", or a run directory written before the input was found bad.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

const std::string kCorpusDir = std::string(GOLIVE_TEST_DATA) + "/bad_input";
// A bad input is refused before any work; 20 s is generous even under ASan.
constexpr std::chrono::seconds kCaseTimeout{20};

struct CorpusCase {
  std::string id;
  std::vector<std::string> arguments;  // {dir} and {out} still unexpanded
  std::vector<std::string> fragments;  // each must appear in stderr
  int line = 0;                        // in cases.tsv
};

// Splits at spaces; "double quotes" keep spaces inside one argument.
std::vector<std::string> split_arguments(const std::string& text) {
  std::vector<std::string> arguments;
  std::string current;
  bool quoted = false;
  bool pending = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
      pending = true;
    } else if (c == ' ' && !quoted) {
      if (pending) arguments.push_back(current);
      current.clear();
      pending = false;
    } else {
      current += c;
      pending = true;
    }
  }
  if (pending) arguments.push_back(current);
  return arguments;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, '\t')) fields.push_back(field);
  return fields;
}

std::vector<CorpusCase> read_cases() {
  std::ifstream in(kCorpusDir + "/cases.tsv");
  std::vector<CorpusCase> cases;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    auto fields = split_tabs(line);
    CorpusCase corpus_case;
    corpus_case.line = number;
    corpus_case.id = fields.empty() ? "" : fields[0];
    if (fields.size() > 1) corpus_case.arguments = split_arguments(fields[1]);
    for (std::size_t i = 2; i < fields.size(); ++i) corpus_case.fragments.push_back(fields[i]);
    cases.push_back(std::move(corpus_case));
  }
  return cases;
}

std::string expand(std::string text, const std::string& out_dir) {
  for (const auto& [token, value] : {std::pair<std::string, std::string>{"{dir}", kCorpusDir},
                                     std::pair<std::string, std::string>{"{out}", out_dir}}) {
    for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at)) {
      text.replace(at, token.size(), value);
      at += value.size();
    }
  }
  return text;
}

// A fresh, empty --out directory per case: it must still be empty after.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("golive-bad-input-" + std::to_string(::getpid())) /
              name) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_.parent_path(), ignored);
  }
  std::string path() const { return path_.string(); }
  std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(path_), fs::directory_iterator()));
  }

 private:
  fs::path path_;
};

TEST(BadInputCorpus, CasesFileIsWellFormedAndBigEnough) {
  const auto cases = read_cases();
  // The corpus holds at least 40 broken inputs besides the 22 environment files.
  EXPECT_GE(cases.size(), 40u);
  std::set<std::string> ids;
  for (const auto& corpus_case : cases) {
    EXPECT_FALSE(corpus_case.id.empty()) << "cases.tsv line " << corpus_case.line;
    EXPECT_TRUE(ids.insert(corpus_case.id).second) << "duplicate id " << corpus_case.id;
    EXPECT_FALSE(corpus_case.fragments.empty()) << corpus_case.id << ": no expected fragment";
  }
}

// Every broken input file of the corpus dirs is used by at least one case.
TEST(BadInputCorpus, EveryBrokenFileHasACase) {
  std::string all_arguments;
  for (const auto& corpus_case : read_cases()) {
    for (const auto& argument : corpus_case.arguments) all_arguments += argument + "\n";
  }
  std::size_t files = 0;
  for (const char* sub : {"workflows", "profiles", "events", "logs"}) {
    for (const auto& entry : fs::directory_iterator(kCorpusDir + "/" + sub)) {
      if (!entry.is_regular_file()) continue;
      ++files;
      const std::string stem = entry.path().stem().string();
      EXPECT_NE(all_arguments.find(stem), std::string::npos) << entry.path() << " has no case";
    }
  }
  EXPECT_GE(files, 40u);
}

TEST(BadInputCorpus, EveryCaseExitsTwoWithAClearMessage) {
  const auto cases = read_cases();
  ASSERT_FALSE(cases.empty()) << "cannot read " << kCorpusDir << "/cases.tsv";
  for (const auto& corpus_case : cases) {
    SCOPED_TRACE(corpus_case.id + " (cases.tsv line " + std::to_string(corpus_case.line) + ")");
    ScratchDir out(corpus_case.id);
    std::vector<std::string> argv{GOLIVE_BINARY};
    for (const auto& argument : corpus_case.arguments) argv.push_back(expand(argument, out.path()));

    const auto started = std::chrono::steady_clock::now();
    const ProcessOutcome outcome = run_process(argv, {{"NO_COLOR", "1"}}, kCaseTimeout);
    const auto elapsed = std::chrono::steady_clock::now() - started;

    EXPECT_FALSE(outcome.timed_out) << "no answer within " << kCaseTimeout.count() << " s";
    EXPECT_LT(outcome.exit_code, 128) << "killed by signal " << outcome.exit_code - 128 << "\n"
                                      << outcome.stderr_text;
    EXPECT_EQ(outcome.exit_code, 2)
        << "stderr: " << outcome.stderr_text << "\nstdout: " << outcome.stdout_text;
    for (const auto& fragment : corpus_case.fragments) {
      const std::string expected = expand(fragment, out.path());
      EXPECT_NE(outcome.stderr_text.find(expected), std::string::npos)
          << "stderr should contain \"" << expected << "\":\n"
          << outcome.stderr_text;
    }
    EXPECT_EQ(outcome.stderr_text.find("internal error"), std::string::npos) << outcome.stderr_text;
    EXPECT_EQ(out.entries(), 0u) << "bad input must be refused before a run directory is written";
    EXPECT_LT(elapsed, kCaseTimeout);
  }
}

// Workflows are parsed before the first request: without --workflow, the
// first broken file of a directory stops the whole run with exit 2 (naming
// that one file), so a typo never yields a half-run suite. With --workflow,
// only the named files are parsed, which is why the corpus keeps its broken
// workflows side by side in one directory.
TEST(BadInputCorpus, OneBrokenWorkflowStopsAWholeDirectoryRunBeforeAnyRequest) {
  ScratchDir out("whole_dir");
  const ProcessOutcome outcome =
      run_process({GOLIVE_BINARY, "e2e", "--env", kCorpusDir + "/env.json", "--out", out.path(),
                   "--workflows-dir", kCorpusDir + "/workflows"},
                  {}, kCaseTimeout);
  EXPECT_EQ(outcome.exit_code, 2) << outcome.stderr_text;
  std::size_t named = 0;
  for (const auto& entry : fs::directory_iterator(kCorpusDir + "/workflows")) {
    if (entry.is_regular_file() &&
        outcome.stderr_text.find(entry.path().filename().string()) != std::string::npos) {
      ++named;
    }
  }
  EXPECT_EQ(named, 1u) << outcome.stderr_text;
  EXPECT_EQ(out.entries(), 0u);
}

}  // namespace
}  // namespace golive::testing
