#include "run/release_identity.hpp"

#include <fstream>
#include <sstream>

#include "http/curl/curl_http_client.hpp"
#include "target/crypto.hpp"

namespace golive::run {

namespace {

constexpr std::size_t kMaxVersionChars = 120;

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return target::sha256_hex(bytes.str());
}

std::string trimmed(std::string text) {
  const char* space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(space);
  return text.substr(first, last - first + 1);
}

std::string string_member(const nlohmann::json& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = object.find(key);
    if (it == object.end()) continue;
    if (it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
    if (it->is_number()) return it->dump();
  }
  return "";
}

}  // namespace

std::string version_from_body(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string version;
  if (json.is_object()) {
    version = string_member(json, {"version", "release"});
    std::string commit = string_member(json, {"commit", "git_sha", "sha"});
    if (version.empty()) version = commit;
    else if (!commit.empty()) version += " (commit " + commit + ")";
  } else if (json.is_string()) {
    version = json.get<std::string>();
  } else if (!json.is_discarded()) {
    return "";  // a number, array or null names no release
  } else {
    version = body.substr(0, body.find('\n'));
  }
  version = trimmed(version);
  if (version.size() > kMaxVersionChars) version = version.substr(0, kMaxVersionChars) + "...";
  return version;
}

ReleaseIdentity identify_release(const config::Environment& env, const std::string& release_flag,
                                 http::RequestObserver* observer) {
  ReleaseIdentity identity;
  identity.env_file = env.source_file;
  identity.env_sha256 = file_sha256(env.source_file);
  if (!release_flag.empty()) {
    identity.version = release_flag;
    identity.source = "--release";
    return identity;
  }
  const std::string& path = env.release.version_url;
  if (path.empty()) return identity;
  http::HttpRequest request;
  request.url = path.front() == '/' ? env.url(path) : path;
  request.timeout = std::chrono::milliseconds(10000);
  request.max_response_bytes = 64 * 1024;
  identity.source = request.url;
  http::ClientOptions options = http::client_options_for(env);
  options.observer = observer;
  const http::HttpResponse response = http::fetch(request, options);
  if (!response.transport_ok()) {
    identity.problem = std::string("GET failed (") + http::to_string(response.error) +
                       "): " + response.error_message;
  } else if (response.status != 200) {
    identity.problem = "GET answered HTTP " + std::to_string(response.status);
  } else {
    identity.version = version_from_body(response.body);
    if (identity.version.empty()) identity.problem = "the response names no version";
  }
  return identity;
}

nlohmann::json release_run_start_fields(const ReleaseIdentity& identity) {
  nlohmann::json release = nlohmann::json::object();
  if (!identity.version.empty()) release["version"] = identity.version;
  if (!identity.source.empty()) release["source"] = identity.source;
  nlohmann::json environment = {{"file", identity.env_file}};
  if (!identity.env_sha256.empty()) environment["sha256"] = identity.env_sha256;
  return {{"release", release}, {"environment", environment}};
}

core::CheckResult release_check(const ReleaseIdentity& identity) {
  core::CheckResult check;
  check.id = "env.release_identified";
  check.suite = "env";
  check.title = "The release under test is identified";
  check.severity = core::Severity::kMedium;
  check.evidence = {{"source", identity.source}, {"env_sha256", identity.env_sha256}};
  if (!identity.version.empty()) {
    check.status = core::CheckStatus::kPass;
    check.message = "release " + identity.version + " (from " + identity.source + ")";
    check.evidence["version"] = identity.version;
  } else if (!identity.problem.empty()) {
    check.status = core::CheckStatus::kFail;
    check.message = "release.version_url " + identity.source + ": " + identity.problem;
  } else {
    check.status = core::CheckStatus::kSkip;
    check.message =
        "the release under test is unknown: set release.version_url in the environment or pass "
        "--release";
  }
  return check;
}

}  // namespace golive::run
