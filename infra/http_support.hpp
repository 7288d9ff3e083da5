// Blocking HTTP for the infrastructure checks: requests to the environment's
// hosts only (its HostPolicy), carrying the anon key as supabase-js does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "http/http_types.hpp"

namespace golive::infra {

http::HttpRequest infra_request(const config::Environment& env, const std::string& url);
http::HttpResponse infra_fetch(const config::Environment& env, http::HttpRequest request);
std::vector<http::HttpResponse> infra_fetch_all(const config::Environment& env,
                                                std::vector<http::HttpRequest> requests,
                                                std::size_t concurrency);
// `request` as a runnable curl command, the environment's secrets as $VARS
// (http/request_evidence.hpp), for InfraCheck::reproduce.
nlohmann::json infra_reproduction(const config::Environment& env, const http::HttpRequest& request);
// "HTTP 200" or "connect: connection refused".
std::string describe(const http::HttpResponse& response);

}  // namespace golive::infra
