// What the tests of failing checks assert about a check's curl reproduction
// (http/request_evidence.hpp): the command the evidence carries is parsed by a
// real POSIX shell, with `curl` a shell function that prints its arguments and
// every variable the reproduction names set to the text "${NAME}", so a test
// sees exactly the method, URL, headers and body curl would get, and the
// variables where secrets would go. Any secret value of the reference target
// (anon and service keys, JWT and webhook secrets) or a literal JWT in the
// command or its variables is a problem.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace golive::testing {

class ReferenceEnv;

struct CurlReproduction {
  std::string method;  // "GET" when the command has no -X (and no body)
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // as curl gets them (-H)
  std::string body;                                          // --data-binary, "" when none
  // The first header of that name (ASCII case-insensitive), nullopt when absent.
  std::optional<std::string> header(const std::string& name) const;
};

// The reference target's secret values (state.env): none may appear.
std::vector<std::string> reference_secret_values(const ReferenceEnv& target);

// evidence["reproduction"] parsed as above, or nullopt with `problems` saying
// why (no reproduction, not a curl command, a shell syntax error). Problems
// found in a parsed command (a secret value or a literal JWT in the command or
// reproduction_env, a method other than `method`, a URL that does not start
// with `url_prefix`) are appended to `problems` too, one per line; "" means
// the reproduction is right.
std::optional<CurlReproduction> parse_curl_reproduction(const nlohmann::json& evidence,
                                                        const std::string& method,
                                                        const std::string& url_prefix,
                                                        const std::vector<std::string>& secrets,
                                                        std::string* problems);

}  // namespace golive::testing
