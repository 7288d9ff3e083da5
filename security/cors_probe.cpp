#include "security/cors_probe.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "core/ascii_case.hpp"
#include "core/interrupt.hpp"
#include "core/url.hpp"

namespace golive::security {

namespace {

constexpr int kReflectWithCredentialsPenalty = 50;  // Observatory: universal access with credentials
constexpr int kNullOriginPenalty = 20;

struct CorsAnswer {
  std::string allow_origin;  // Access-Control-Allow-Origin ("" when absent)
  bool allow_credentials = false;
};

CorsAnswer read_cors(const http::HttpResponse& response) {
  CorsAnswer answer;
  answer.allow_origin = response.header("access-control-allow-origin").value_or("");
  const std::string credentials =
      core::ascii_lower(response.header("access-control-allow-credentials").value_or(""));
  answer.allow_credentials = credentials.find("true") != std::string::npos;
  return answer;
}

// "host:port" of an absolute URL ("" when it does not parse).
std::string host_of(const std::string& url) {
  const auto parsed = core::parse_url(url);
  if (!parsed) return "";
  return parsed->authority();
}

// Sends a simple GET and a preflight OPTIONS from each origin to every probed
// path; returns, per origin, the evidence entries and whether any answer trusted it.
struct CorsSweep {
  nlohmann::json entries = nlohmann::json::array();
  bool trusted = false;           // origin echoed in Allow-Origin
  bool trusted_with_credentials = false;
  bool wildcard = false;          // Allow-Origin "*" somewhere
  std::string where;              // "<host><path>" of the first answer that trusted it
  nlohmann::json reproduction;    // that answer's request as a curl command
  std::size_t answered = 0;
};

std::vector<CorsSweep> sweep(const ProbeClient& client, const HttpSecuritySettings& settings,
                             const std::vector<std::string>& origins) {
  // Every request of every sweep is sent together, so a target that lets
  // requests time out (slowloris, a hung server) costs one request budget.
  struct Sent {
    std::size_t origin;
    std::string path;
    const char* method;
    std::string host;  // the host that serves `path`
  };
  std::vector<http::HttpRequest> requests;
  std::vector<Sent> sent;  // parallel to requests
  std::vector<http::HttpRequest> copies;  // parallel to requests: for the reproduction
  for (std::size_t o = 0; o < origins.size(); ++o) {
    for (const auto& path : settings.header_paths) {
      for (const char* method : {"GET", "OPTIONS"}) {
        http::HttpRequest request = client.request(method, path);
        request.headers.emplace_back("Origin", origins[o]);
        if (std::string(method) == "OPTIONS") {
          request.headers.emplace_back("Access-Control-Request-Method", "GET");
          request.headers.emplace_back("Access-Control-Request-Headers", "authorization");
        }
        sent.push_back({o, path, method, host_of(request.url)});
        copies.push_back(request);
        requests.push_back(std::move(request));
      }
    }
  }
  const std::vector<http::HttpResponse> responses = client.send_all(std::move(requests));
  std::vector<CorsSweep> results(origins.size());
  for (std::size_t i = 0; i < responses.size(); ++i) {
    const http::HttpResponse& response = responses[i];
    if (!response.transport_ok()) continue;
    CorsSweep& result = results[sent[i].origin];
    const std::string& origin = origins[sent[i].origin];
    ++result.answered;
    const CorsAnswer answer = read_cors(response);
    // "*" is not trust in a user's session: browsers never send credentials
    // to a wildcard (Supabase's API gateway answers "*" for every origin and
    // authenticates by bearer token). An echoed origin is judged by whether
    // credentials are allowed with it.
    const bool trusted = answer.allow_origin == origin;
    result.wildcard = result.wildcard || answer.allow_origin == "*";
    if (trusted && (result.where.empty() ||
                    (answer.allow_credentials && !result.trusted_with_credentials))) {
      result.where = sent[i].host + sent[i].path;
      result.reproduction = client.reproduction(copies[i]);
    }
    result.trusted = result.trusted || trusted;
    result.trusted_with_credentials = result.trusted_with_credentials || (trusted && answer.allow_credentials);
    result.entries.push_back({{"method", sent[i].method},
                              {"host", sent[i].host},
                              {"path", sent[i].path},
                              {"status", response.status},
                              {"access_control_allow_origin", answer.allow_origin},
                              {"access_control_allow_credentials", answer.allow_credentials}});
  }
  return results;
}

core::CheckResult judge(CheckBuilder check, const CorsSweep& result, const std::string& origin,
                        ScoreCard& score, const std::string& id, int penalty) {
  const nlohmann::json evidence = {{"zap_rule", "40040"}, {"origin", origin},
                                   {"responses", result.entries}};
  if (result.answered == 0) return check.error("no probed URL answered", evidence);
  check.reproduce(result.reproduction);
  if (result.trusted_with_credentials) {
    score.deduct(id, penalty);
    return check.fail(result.where + " allows Origin " + origin +
                          " with Access-Control-Allow-Credentials: true: any site "
                          "can read users' authenticated responses",
                      evidence);
  }
  if (result.trusted) {
    score.deduct(id, penalty / 2);
    return check.with(core::CheckStatus::kFail,
                      result.where + " allows Origin " + origin + " (without credentials)",
                      evidence);
  }
  if (result.wildcard) {
    return check.pass("Origin " + origin +
                          " is not echoed; Access-Control-Allow-Origin: * (seen) never carries "
                          "credentials, so no user's session is exposed",
                      evidence);
  }
  return check.pass("Origin " + origin + " is not trusted on any probed URL", evidence);
}

}  // namespace

void run_cors_probe(const ProbeClient& client, const HttpSecuritySettings& settings,
                    core::ResultSink& sink, ScoreCard& score) {
  // Sandboxed iframes and file:// pages send "Origin: null"; trusting it is
  // as good as trusting everyone.
  const std::vector<CorsSweep> sweeps = sweep(client, settings, {settings.evil_origin, "null"});
  if (core::interrupted()) return;
  sink.record(judge(CheckBuilder("security.cors.reflect_origin",
                                 "CORS does not trust an arbitrary Origin with credentials",
                                 core::Severity::kHigh),
                    sweeps[0], settings.evil_origin, score, "security.cors.reflect_origin",
                    kReflectWithCredentialsPenalty));
  sink.record(judge(CheckBuilder("security.cors.null_origin",
                                 "CORS does not trust the null Origin", core::Severity::kMedium),
                    sweeps[1], "null", score, "security.cors.null_origin", kNullOriginPenalty));
}

}  // namespace golive::security
