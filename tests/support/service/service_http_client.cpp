#include "tests/support/service/service_http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace golive::testing {
namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::size_t on_body_data(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t on_header_line(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<std::multimap<std::string, std::string>*>(user);
  const std::string line(data, size * count);
  const std::size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r\n") + 1);
    headers->emplace(std::move(name), std::move(value));
  } else if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a 100 Continue or redirect: keep only the final response's headers
  }
  return size * count;
}

}  // namespace

std::optional<std::string> ServiceReply::header(const std::string& lowercase_name) const {
  const auto it = headers.find(lowercase_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::size_t ServiceReply::header_count(const std::string& lowercase_name) const {
  return headers.count(lowercase_name);
}

nlohmann::json ServiceReply::json() const {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

ServiceReply call_service(const ServiceCall& call) {
  ServiceReply reply;
  std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
  std::unique_ptr<curl_slist, SlistDeleter> header_list;
  for (const std::string& line : call.headers) {
    header_list.reset(curl_slist_append(header_list.release(), line.c_str()));
  }
  // No "Expect: 100-continue" round trip unless a test asks for it.
  if (std::none_of(call.headers.begin(), call.headers.end(),
                   [](const std::string& line) { return line.rfind("Expect:", 0) == 0; })) {
    header_list.reset(curl_slist_append(header_list.release(), "Expect:"));
  }
  // Like supabase-js, ask GoTrue for its current error shape, unless a test
  // sets the header itself ("X-Supabase-Api-Version:" sends none).
  if (std::none_of(call.headers.begin(), call.headers.end(), [](const std::string& line) {
        return line.rfind("X-Supabase-Api-Version:", 0) == 0;
      })) {
    header_list.reset(
        curl_slist_append(header_list.release(), "X-Supabase-Api-Version: 2024-01-01"));
  }
  CURL* easy = handle.get();
  curl_easy_setopt(easy, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  if (call.method == "HEAD") curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  if (!call.body.empty() || call.method == "POST" || call.method == "PATCH") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body_data);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header_line);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, call.timeout_ms);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(easy);
  if (code != CURLE_OK) {
    reply.transport_error = curl_easy_strerror(code);
    return reply;
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply.status);
  double total_s = 0;
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &total_s);
  reply.total_ms = total_s * 1000.0;
  return reply;
}

ServiceReply http_get(const std::string& url, std::vector<std::string> headers) {
  return call_service({"GET", url, std::move(headers), "", 30000});
}

ServiceReply http_send_json(const std::string& method, const std::string& url,
                            const nlohmann::json& body, std::vector<std::string> headers) {
  headers.push_back("Content-Type: application/json");
  return call_service({method, url, std::move(headers), body.dump(), 30000});
}

std::string url_encode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace golive::testing
