// The curl importer: shell words split as a POSIX shell would, curl's options
// read into a step, a file of commands with continuations and comments, and
// bad input named by file and line.
#include <gtest/gtest.h>

#include <fstream>

#include "core/input_error.hpp"
#include "import/curl_reader.hpp"
#include "import/importer.hpp"

namespace golive::imports {
namespace {

std::vector<std::string> words(const std::string& command) { return split_shell_words(command, "test", 1); }

TEST(CurlImport, SplitsShellWordsLikeAShell) {
  EXPECT_EQ(words(R"(curl 'a b' "c \"d\" \$e" f\ g $'h\ti\'' "")"),
            (std::vector<std::string>{"curl", "a b", "c \"d\" $e", "f g", "h\ti'", ""}));
  EXPECT_EQ(words(R"(curl -H 'X: it'"'"'s')"), (std::vector<std::string>{"curl", "-H", "X: it's"}));
  EXPECT_THROW(words("curl 'open"), core::InputError);
  EXPECT_THROW(words("curl \"open"), core::InputError);
}

TEST(CurlImport, OneCommandBecomesOneStep) {
  ImportOptions options;
  options.hosts = {"api.example.test"};
  ImportResult result = import_input(
      "curl",
      R"(curl -sS -X PUT 'https://api.example.test/v1/notes/42?draft=true' -H 'Content-Type: application/json' )"
      R"(-H "Authorization: Bearer $API_TOKEN" -H 'Cookie: sid=abc123456' --data-raw '{"text": "it'"'"'s done"}' -L -m 5)",
      options);
  const auto& step = result.workflow["steps"][0];
  EXPECT_EQ(step["name"], "put_notes");
  EXPECT_EQ(step["method"], "PUT");
  EXPECT_EQ(step["url"], "/v1/notes/42");
  EXPECT_EQ(step["query"]["draft"], "true");
  EXPECT_EQ(step["headers"]["Authorization"], "Bearer {{api_token}}");
  EXPECT_FALSE(step["headers"].contains("Cookie"));
  EXPECT_EQ(step["body"]["text"], "it's done");
  EXPECT_EQ(step["follow_redirects"], true);
  EXPECT_EQ(step["timeout_ms"], 5000);
  EXPECT_EQ(step["assert"][0]["status"], nlohmann::ordered_json({200, 201, 202, 204}));
  EXPECT_EQ(result.workflow["variables"]["api_token"], "");
  EXPECT_EQ(result.summary.not_converted.size(), 1u);  // the variable to set
}

TEST(CurlImport, DataFormsAuthAndMultipart) {
  ImportResult form = import_input("curl", "curl https://x.test/login -d email=a%40b.test -d 'next=/home page'", {});
  EXPECT_EQ(form.workflow["steps"][0]["method"], "POST");
  EXPECT_EQ(form.workflow["steps"][0]["form"]["email"], "a@b.test");
  EXPECT_EQ(form.workflow["steps"][0]["form"]["next"], "/home page");

  ImportResult get = import_input("curl", "curl -G https://x.test/search --data-urlencode 'q=a b'", {});
  EXPECT_FALSE(get.workflow["steps"][0].contains("method"));
  EXPECT_EQ(get.workflow["steps"][0]["query"]["q"], "a b");

  ImportResult basic = import_input("curl", "curl -u ops:s3cret-pass https://x.test/admin", {});
  EXPECT_EQ(basic.workflow["steps"][0]["auth"]["basic"]["username"], "ops");
  EXPECT_EQ(basic.workflow["steps"][0]["auth"]["basic"]["password"], "{{basic_password}}");
  EXPECT_EQ(format_workflow(basic.workflow).find("s3cret-pass"), std::string::npos);

  ImportResult upload = import_input("curl", "curl -F title=Notes -F kind=pdf https://x.test/upload", {});
  EXPECT_EQ(upload.workflow["steps"][0]["multipart"][0]["name"], "title");
  EXPECT_EQ(upload.workflow["steps"][0]["multipart"][1]["value"], "pdf");
}

TEST(CurlImport, AFileOfCommandsWithContinuationsAndComments) {
  const std::string path = ::testing::TempDir() + "commands.sh";
  std::ofstream(path) << "# the API walk-through from the docs\n"
                         "curl https://api.example.test/health\n"
                         "\n"
                         "curl -X POST https://api.example.test/v1/notes \\\n"
                         "  -H 'Content-Type: application/json' \\\n"
                         "  -d '{\"text\": \"two\\nlines\"}'\n"
                         "curl -X DELETE https://api.example.test/v1/notes/1; curl https://api.example.test/v1/notes\n";
  ImportResult result = import_input("curl", path, {});
  const auto& steps = result.workflow["steps"];
  ASSERT_EQ(steps.size(), 4u) << format_workflow(result.workflow);
  EXPECT_EQ(steps[0]["name"], "get_health");
  EXPECT_EQ(steps[1]["body"]["text"], "two\nlines");
  EXPECT_EQ(steps[2]["method"], "DELETE");
  EXPECT_EQ(steps[2]["name"], "delete_notes");
  EXPECT_EQ(steps[3]["name"], "get_notes");
}

TEST(CurlImport, BadCommandsNameTheFileAndLine) {
  const std::string path = ::testing::TempDir() + "bad_commands.sh";
  std::ofstream(path) << "curl https://x.test/\n\ncurl --proxy http://p:3128 https://x.test/\n";
  try {
    import_input("curl", path, {});
    FAIL() << "accepted";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), path);
    EXPECT_EQ(error.location(), "line 3");
    EXPECT_NE(error.problem().find("--proxy"), std::string::npos);
  }
  EXPECT_THROW(import_input("curl", "curl -X POST", {}), core::InputError);
  EXPECT_THROW(import_input("curl", "curl -d @body.json https://x.test/", {}), core::InputError);
  EXPECT_THROW(import_input("curl", ::testing::TempDir() + "absent.sh", {}), core::InputError);
}

}  // namespace
}  // namespace golive::imports
