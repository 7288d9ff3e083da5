#include "infra/http_support.hpp"

#include "http/client_options.hpp"
#include "http/curl/curl_http_client.hpp"
#include "http/request_evidence.hpp"

namespace golive::infra {

http::HttpRequest infra_request(const config::Environment& env, const std::string& url) {
  http::HttpRequest request;
  request.url = url;
  request.timeout = std::chrono::seconds(10);
  request.max_response_bytes = 4 * 1024 * 1024;
  if (!env.anon_key.empty()) request.headers.emplace_back("apikey", env.anon_key);
  return request;
}

nlohmann::json infra_reproduction(const config::Environment& env, const http::HttpRequest& request) {
  return http::reproduction_of(request, http::ReproductionSecrets(env, core::Redactor::global()));
}

http::HttpResponse infra_fetch(const config::Environment& env, http::HttpRequest request) {
  return http::fetch(std::move(request), http::client_options_for(env));
}

std::vector<http::HttpResponse> infra_fetch_all(const config::Environment& env,
                                                std::vector<http::HttpRequest> requests,
                                                std::size_t concurrency) {
  return http::fetch_all(std::move(requests), concurrency, http::client_options_for(env));
}

std::string describe(const http::HttpResponse& response) {
  if (!response.transport_ok()) return std::string(http::to_string(response.error)) + ": " + response.error_message;
  return "HTTP " + std::to_string(response.status);
}

}  // namespace golive::infra
