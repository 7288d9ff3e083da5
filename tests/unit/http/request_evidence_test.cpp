// The curl reproduction of a request: shell quoting that survives a real
// shell, and secrets written as variables, never as values.
#include "http/request_evidence.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

namespace golive::http {
namespace {

const std::string kAnonKey = "anon-key-value-123456";
const std::string kUserToken = "eyJ.user-token-value.sig";

// What a POSIX shell makes of `word` (printf '%s' WORD), variables unset.
std::string shell_echo(const std::string& word) {
  const std::string command = "sh -c " + shell_quote("printf '%s' " + word);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  std::array<char, 256> buffer{};
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get())) out.append(buffer.data(), n);
  return out;
}

TEST(ShellQuote, RoundTripsAwkwardTextThroughARealShell) {
  for (const std::string text : {"plain", "it's", "a b\tc", "$HOME `id` \"q\" \\ !x", "",
                                 "line1\nline2", "{\"a\": [1, 'x']}"}) {
    EXPECT_EQ(shell_echo(shell_quote(text)), text) << text;
  }
  EXPECT_EQ(shell_quote("https://h.test/a?b=1"), "'https://h.test/a?b=1'");
  EXPECT_EQ(shell_quote("/path-1.json"), "/path-1.json");
}

class RenderCurl : public ::testing::Test {
 protected:
  RenderCurl() {
    redactor_.add_secret(kAnonKey);
    redactor_.add_secret(kUserToken);
    env_.source_file = "envs/test.json";
    env_.secret_variables.emplace_back(kAnonKey, "MY_ANON_KEY");
  }
  core::Redactor redactor_;
  config::Environment env_;
};

TEST_F(RenderCurl, WritesMethodUrlHeadersAndBody) {
  HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:8080/rest/v1/notes?select=*";
  request.headers = {{"Content-Type", "application/json"}, {"Content-Length", "12"}};
  request.body = R"({"t":"it's"})";
  Reproduction r = render_curl(request, ReproductionSecrets(env_, redactor_));
  EXPECT_EQ(r.command,
            "curl -sS -i -X POST 'http://127.0.0.1:8080/rest/v1/notes?select=*' \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            "  --data-binary '{\"t\":\"it'\\''s\"}'");
  EXPECT_TRUE(r.variables.empty());
}

TEST_F(RenderCurl, GetHasNoMethodFlagAndHeadUsesDashI) {
  HttpRequest get;
  get.url = "http://h.test/x";
  EXPECT_EQ(render_curl(get, ReproductionSecrets(redactor_)).command, "curl -sS -i http://h.test/x");
  HttpRequest head = get;
  head.method = "HEAD";
  EXPECT_EQ(render_curl(head, ReproductionSecrets(redactor_)).command, "curl -sS -I http://h.test/x");
}

TEST_F(RenderCurl, SecretsBecomeVariablesNamedAsInTheEnvironmentFile) {
  HttpRequest request;
  request.url = "http://h.test/rest/v1/courses?key=" + kAnonKey;
  request.headers = {{"apikey", kAnonKey},
                     {"Authorization", "Bearer " + kUserToken},
                     {"X-Note", "has $dollar and " + kAnonKey}};
  request.body = "{\"token\":\"" + kUserToken + "\"}";
  request.method = "POST";
  Reproduction r = render_curl(request, ReproductionSecrets(env_, redactor_));
  EXPECT_EQ(r.command.find(kAnonKey), std::string::npos) << r.command;
  EXPECT_EQ(r.command.find(kUserToken), std::string::npos) << r.command;
  EXPECT_NE(r.command.find("-H \"apikey: ${MY_ANON_KEY}\""), std::string::npos) << r.command;
  EXPECT_NE(r.command.find("-H \"Authorization: Bearer ${GOLIVE_TOKEN}\""), std::string::npos)
      << r.command;
  EXPECT_NE(r.command.find("\"http://h.test/rest/v1/courses?key=${MY_ANON_KEY}\""),
            std::string::npos) << r.command;
  EXPECT_NE(r.command.find("-H \"X-Note: has \\$dollar and ${MY_ANON_KEY}\""), std::string::npos)
      << r.command;
  EXPECT_NE(r.command.find("--data-binary \"{\\\"token\\\":\\\"${GOLIVE_REDACTED}\\\"}\""),
            std::string::npos) << r.command;
  EXPECT_TRUE(r.variables.contains("MY_ANON_KEY"));
  EXPECT_TRUE(r.variables.contains("GOLIVE_TOKEN"));
  EXPECT_TRUE(r.variables.contains("GOLIVE_REDACTED"));
  EXPECT_EQ(r.variables.dump().find(kAnonKey), std::string::npos);

  // The shell expands the variables back to the values.
  const std::string word = "\"X-Note: has \\$dollar and ${MY_ANON_KEY}\"";
  const std::string expanded = [&] {
    const std::string command =
        "MY_ANON_KEY=" + shell_quote(kAnonKey) + " sh -c " + shell_quote("printf '%s' " + word);
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    std::array<char, 256> buffer{};
    std::string out;
    while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get())) out.append(buffer.data(), n);
    return out;
  }();
  EXPECT_EQ(expanded, "X-Note: has $dollar and " + kAnonKey);
}

TEST_F(RenderCurl, UnnamedApiKeyAndCookieGetConventionalNames) {
  HttpRequest request;
  request.url = "http://h.test/";
  request.headers = {{"apikey", kUserToken}, {"Cookie", "sid=" + kUserToken}};
  Reproduction r = render_curl(request, ReproductionSecrets(redactor_));
  EXPECT_NE(r.command.find("-H \"apikey: ${SUPABASE_ANON_KEY}\""), std::string::npos) << r.command;
  EXPECT_NE(r.command.find("-H \"Cookie: ${GOLIVE_COOKIE}\""), std::string::npos) << r.command;
  EXPECT_EQ(r.command.find(kUserToken), std::string::npos);
}

TEST_F(RenderCurl, AnUnnamedCredentialIsAVariableUnlessTheProbeKeepsItLiteral) {
  // A token golive signed itself is not registered with the redactor, yet it
  // is a working credential: a variable by default.
  HttpRequest request;
  request.url = "http://h.test/";
  request.headers = {{"Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmVk"}};
  ReproductionSecrets secrets(redactor_);
  Reproduction r = render_curl(request, secrets);
  EXPECT_NE(r.command.find("-H \"Authorization: Bearer ${GOLIVE_TOKEN}\""), std::string::npos) << r.command;
  EXPECT_EQ(r.command.find("c2lnbmVk"), std::string::npos);
  request.headers = {{"Authorization", "Basic dXNlcjpwYXNzd29yZA=="}};
  r = render_curl(request, secrets);
  EXPECT_NE(r.command.find("-H \"Authorization: Basic ${GOLIVE_AUTHORIZATION}\""), std::string::npos) << r.command;
  // A token the target must refuse (alg none) is what reproduces the probe.
  request.headers = {{"Authorization", "Bearer eyJhbGciOiJub25lIn0.e30."}};
  secrets.keep_authorization_literal(true);
  r = render_curl(request, secrets);
  EXPECT_NE(r.command.find("-H 'Authorization: Bearer eyJhbGciOiJub25lIn0.e30.'"),
            std::string::npos) << r.command;
  // ... but never a secret one.
  request.headers = {{"Authorization", "Bearer " + kUserToken}};
  r = render_curl(request, secrets);
  EXPECT_EQ(r.command.find(kUserToken), std::string::npos) << r.command;
}

TEST_F(RenderCurl, StripeSignatureIsAVariableWithHowToComputeIt) {
  HttpRequest request;
  request.method = "POST";
  request.url = "http://h.test/functions/v1/stripe-webhook";
  request.headers = {{"Stripe-Signature", "t=1700000000,v1=abcdef"}};
  request.body = "{}";
  Reproduction r = render_curl(request, ReproductionSecrets(redactor_));
  EXPECT_NE(r.command.find("-H \"Stripe-Signature: ${STRIPE_SIGNATURE}\""), std::string::npos)
      << r.command;
  const std::string holds = r.variables.at("STRIPE_SIGNATURE").get<std::string>();
  EXPECT_NE(holds.find("openssl dgst -sha256 -hmac"), std::string::npos);
  // The value sent is not written: a signature must not be replayable from evidence.
  EXPECT_EQ(r.command.find("abcdef"), std::string::npos);
  EXPECT_EQ(holds.find("abcdef"), std::string::npos);
}

TEST_F(RenderCurl, BinaryBodyIsLeftOutAndSaid) {
  HttpRequest request;
  request.method = "PUT";
  request.url = "http://h.test/upload";
  request.body = std::string("\x89PNG\r\n\x1a\n\0", 9);
  Reproduction r = render_curl(request, ReproductionSecrets(redactor_));
  EXPECT_NE(r.command.find("--data-binary @request-body.bin"), std::string::npos);
  EXPECT_NE(r.variables.at("request-body.bin").get<std::string>().find("9-byte"), std::string::npos);
}

TEST_F(RenderCurl, AddReproductionFillsTheEvidence) {
  HttpRequest request;
  request.url = "http://h.test/";
  request.headers = {{"apikey", kAnonKey}};
  nlohmann::json evidence = nlohmann::json::object();
  add_reproduction(evidence, request, ReproductionSecrets(env_, redactor_));
  EXPECT_EQ(evidence["reproduction"], "curl -sS -i http://h.test/ \\\n  -H \"apikey: ${MY_ANON_KEY}\"");
  EXPECT_TRUE(evidence["reproduction_env"].contains("MY_ANON_KEY"));
}

}  // namespace
}  // namespace golive::http
