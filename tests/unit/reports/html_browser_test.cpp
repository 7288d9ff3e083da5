// Opens index.html in headless Chromium (Debian package `chromium`, installed
// by scripts/bootstrap or `apt-get install chromium`) and checks what a
// browser actually built from it: the verdict, the interruption banner and
// the SVG charts as live DOM elements, and a screenshot that is not blank.
// Skipped when Chromium is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/result_stream.hpp"
#include "reports/render_all.hpp"

namespace golive::report {
namespace {

namespace fs = std::filesystem;

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::string probe = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return name;
  }
  return "";
}

// Runs a command and returns its standard output.
std::string capture(const std::string& command) {
  std::string output;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return output;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0) output.append(buffer, n);
  return output;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

class HtmlInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty()) GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
    dir_ = fs::temp_directory_path() / ("golive_html_browser_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string render(const std::string& stream) {
    core::Redactor redactor;
    RenderOptions options;
    options.redactor = &redactor;
    auto contents = core::read_result_stream(
        (fs::path(GOLIVE_TEST_DATA) / "results" / (stream + ".jsonl")).string());
    return render_all(contents, options, (dir_ / stream).string()).index_html;
  }

  std::string browser(const std::string& flags, const std::string& html_path) {
    return chromium_ + " --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run " +
           flags + " 'file://" + html_path + "' 2>/dev/null";
  }

  std::string chromium_;
  fs::path dir_;
};

TEST_F(HtmlInBrowser, BuildsTheVerdictAndChartsAsDom) {
  std::string index = render("failing_run_with_load");
  std::string dom = capture("timeout 90 " + browser("--dump-dom", index));
  ASSERT_FALSE(dom.empty()) << "chromium produced no DOM";
  EXPECT_NE(dom.find("GO-LIVE GATE: FAIL"), std::string::npos);
  EXPECT_EQ(count_of(dom, "<svg"), 9u) << "three charts for each of the three scenarios";
  // health's latencies (0.4 to 46 ms) get a log axis, and its 500 ms SLO,
  // far above them, is named in the legend instead of flattening the lines.
  EXPECT_NE(dom.find("latency (ms) (log scale)"), std::string::npos);
  EXPECT_NE(dom.find("health p99 latency SLO 500 ms: above the axis"), std::string::npos);
  EXPECT_GE(count_of(dom, "<polyline"), 4u);
  EXPECT_NE(dom.find("browse: latency histogram"), std::string::npos);
  EXPECT_EQ(dom.find("<script>alert"), std::string::npos) << "evidence must stay text";
}

TEST_F(HtmlInBrowser, ShowsTheInterruptionBanner) {
  std::string index = render("interrupted_run");
  std::string dom = capture("timeout 90 " + browser("--dump-dom", index));
  ASSERT_FALSE(dom.empty());
  EXPECT_NE(dom.find("class=\"banner\""), std::string::npos);
  EXPECT_NE(dom.find("This run was interrupted"), std::string::npos);
}

TEST_F(HtmlInBrowser, RendersAScreenshot) {
  std::string index = render("failing_run_with_load");
  fs::path png = dir_ / "report.png";
  capture("timeout 90 " +
          browser("--window-size=1280,2000 --screenshot='" + png.string() + "'", index));
  ASSERT_TRUE(fs::exists(png));
  // A blank 1280x2000 page compresses to a few KB; the report with charts is far larger.
  EXPECT_GT(fs::file_size(png), 50'000u);
}

}  // namespace
}  // namespace golive::report
