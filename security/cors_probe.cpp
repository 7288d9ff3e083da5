#include "security/cors_probe.hpp"

#include <algorithm>
#include <cctype>

#include "core/interrupt.hpp"

namespace golive::security {

namespace {

constexpr int kReflectWithCredentialsPenalty = 50;  // Observatory: universal access with credentials
constexpr int kNullOriginPenalty = 20;

struct CorsAnswer {
  std::string allow_origin;  // Access-Control-Allow-Origin ("" when absent)
  bool allow_credentials = false;
};

CorsAnswer read_cors(const core::HttpResponse& response) {
  CorsAnswer answer;
  answer.allow_origin = response.header("access-control-allow-origin").value_or("");
  std::string credentials = response.header("access-control-allow-credentials").value_or("");
  std::transform(credentials.begin(), credentials.end(), credentials.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  answer.allow_credentials = credentials.find("true") != std::string::npos;
  return answer;
}

// Sends a simple GET and a preflight OPTIONS from `origin` to every probed
// path; returns the evidence entries and whether any answer trusted it.
struct CorsSweep {
  nlohmann::json entries = nlohmann::json::array();
  bool trusted = false;           // origin echoed (or "*") in Allow-Origin
  bool trusted_with_credentials = false;
  std::size_t answered = 0;
};

CorsSweep sweep(const ProbeClient& client, const HttpSecuritySettings& settings,
                const std::string& origin) {
  CorsSweep result;
  for (const auto& path : settings.header_paths) {
    for (const char* method : {"GET", "OPTIONS"}) {
      if (core::interrupted()) return result;
      core::HttpRequest request = client.request(method, path);
      request.headers.emplace_back("Origin", origin);
      if (std::string(method) == "OPTIONS") {
        request.headers.emplace_back("Access-Control-Request-Method", "GET");
        request.headers.emplace_back("Access-Control-Request-Headers", "authorization");
      }
      const core::HttpResponse response = client.send(std::move(request));
      // A target that lets a request time out (slowloris, a hung server) would make every
      // remaining request of the sweep wait the whole budget too: 12 x 15 s for the two
      // sweeps. One timeout ends the sweep (issue 10, hostile targets).
      if (response.error == core::HttpErrorCategory::kTimeout) return result;
      if (!response.transport_ok()) continue;
      ++result.answered;
      const CorsAnswer answer = read_cors(response);
      const bool trusted = answer.allow_origin == origin || answer.allow_origin == "*";
      result.trusted = result.trusted || trusted;
      result.trusted_with_credentials =
          result.trusted_with_credentials || (trusted && answer.allow_credentials);
      result.entries.push_back({{"method", method},
                                {"path", path},
                                {"status", response.status},
                                {"access_control_allow_origin", answer.allow_origin},
                                {"access_control_allow_credentials", answer.allow_credentials}});
    }
  }
  return result;
}

core::CheckResult judge(CheckBuilder check, const CorsSweep& result, const std::string& origin,
                        ScoreCard& score, const std::string& id, int penalty) {
  const nlohmann::json evidence = {{"zap_rule", "40040"}, {"origin", origin},
                                   {"responses", result.entries}};
  if (result.answered == 0) return check.error("no probed URL answered", evidence);
  if (result.trusted_with_credentials) {
    score.deduct(id, penalty);
    return check.fail("Origin " + origin +
                          " is allowed with Access-Control-Allow-Credentials: true: any site "
                          "can read users' authenticated responses",
                      evidence);
  }
  if (result.trusted) {
    score.deduct(id, penalty / 2);
    return check.with(core::CheckStatus::kFail,
                      "Origin " + origin + " is allowed (without credentials)", evidence);
  }
  return check.pass("Origin " + origin + " is not trusted on any probed URL", evidence);
}

}  // namespace

void run_cors_probe(const ProbeClient& client, const HttpSecuritySettings& settings,
                    core::ResultSink& sink, ScoreCard& score) {
  const CorsSweep evil = sweep(client, settings, settings.evil_origin);
  if (core::interrupted()) return;
  sink.record(judge(CheckBuilder("security.cors.reflect_origin",
                                 "CORS does not trust an arbitrary Origin with credentials",
                                 core::Severity::kHigh),
                    evil, settings.evil_origin, score, "security.cors.reflect_origin",
                    kReflectWithCredentialsPenalty));
  // Sandboxed iframes and file:// pages send "Origin: null"; trusting it is
  // as good as trusting everyone.
  const CorsSweep null_origin = sweep(client, settings, "null");
  if (core::interrupted()) return;
  sink.record(judge(CheckBuilder("security.cors.null_origin",
                                 "CORS does not trust the null Origin", core::Severity::kMedium),
                    null_origin, "null", score, "security.cors.null_origin", kNullOriginPenalty));
}

}  // namespace golive::security
