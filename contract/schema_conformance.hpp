// SchemaConformance: API schema conformance. Observes responses
// (every E2E step's, through e2e's ExchangeObserver hook), validates each
// JSON body against the schema of its endpoint (ResponseSchemas) and turns
// the tally into one CheckResult per endpoint seen:
//
//   contract.schema.<endpoint>   pass: every response conformed
//                                fail: each violation with its JSON pointer
//                                      and keyword, status and E2E step
//
// Responses no endpoint describes are counted, not judged. Bodies never go
// into the evidence (they may hold tokens): only the pointer, the keyword,
// valijson's message and the JSON type found there.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "contract/response_schemas.hpp"
#include "http/http_types.hpp"
#include "core/result_stream.hpp"

namespace golive::contract {

class SchemaConformance {
 public:
  // `base_url`: stripped from observed URLs before matching endpoint paths.
  SchemaConformance(ResponseSchemas schemas, std::string base_url);

  // Validates one response; `where` names its origin (e.g. "e2e.ai_job.submit").
  // Thread-safe.
  // `reproduction` (optional) renders the request as curl
  // (http::reproduction_of); the first violating response's becomes its
  // failed check's reproduction.
  void observe(std::string_view method, std::string_view url, const http::HttpResponse& response,
               std::string_view where,
               const std::function<nlohmann::json()>& reproduction = {});

  // One CheckResult per endpoint that received at least one response.
  void record_results(core::ResultSink& sink) const;

  std::size_t validated() const;                     // responses that had a schema
  std::size_t unmatched() const;                     // JSON responses no endpoint described
  std::set<std::string> unmatched_examples() const;  // "<METHOD> <path> <status>", first few

 private:
  struct Tally {
    std::string origin;                                 // the schema source(s), for messages
    std::size_t validated = 0;                          // responses checked
    std::size_t conforming = 0;                         // ... that had no violation
    std::set<int> statuses;                             // HTTP statuses seen
    nlohmann::json failures = nlohmann::json::array();  // first kMaxFailures violations
    std::size_t failures_total = 0;
    // Error answers in GoTrue's legacy shape {"code": <status>, "error_code",
    // "msg"} (sent when a request lacks X-Supabase-Api-Version): recognised as
    // GoTrue's, counted as conforming, and named in the message.
    std::size_t legacy_gotrue_errors = 0;
    nlohmann::json reproduction;  // the first violating response's request, as curl
  };

  ResponseSchemas schemas_;
  std::string base_url_;
  mutable std::mutex mutex_;              // guards everything below
  std::map<std::string, Tally> tallies_;  // by endpoint name
  std::size_t unmatched_ = 0;
  std::set<std::string> unmatched_paths_;  // "<METHOD> <path>" (first few, for the evidence)
};

// Where the schemas shipped with golive live: <golive home>/contract/schemas.
std::string default_schemas_dir(const std::string& golive_home);

}  // namespace golive::contract
