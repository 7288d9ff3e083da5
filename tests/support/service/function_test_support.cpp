#include "tests/support/service/function_test_support.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "target/stripe_signature.hpp"
#include "fixtures/service/service_crypto.hpp"
#include "target/crypto.hpp"
#include "target/jwt.hpp"

namespace golive::testing {

namespace {

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t on_body(char* data, size_t size, size_t count, void* sink) {
  static_cast<std::string*>(sink)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* sink) {
  std::string line(data, size * count);
  const std::size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    const std::size_t first = value.find_first_not_of(" \t");
    const std::size_t last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
    (*static_cast<std::map<std::string, std::string>*>(sink))[name] = value;
  }
  return size * count;
}

}  // namespace

nlohmann::json HttpReply::json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string HttpReply::header(const std::string& name) const {
  const auto found = headers.find(name);
  return found == headers.end() ? "" : found->second;
}

HttpReply http_request(const std::string& method, const std::string& url, const std::string& body,
                       const std::vector<std::string>& headers) {
  HttpReply reply;
  std::unique_ptr<CURL, CurlDeleter> easy(curl_easy_init());
  std::unique_ptr<curl_slist, HeaderListDeleter> header_list;
  for (const auto& header : headers) {
    curl_slist* appended = curl_slist_append(header_list.get(), header.c_str());
    if (appended == nullptr) {
      reply.error = "curl_slist_append failed";
      return reply;
    }
    if (!header_list) header_list.reset(appended);
  }
  // Without this curl adds "Expect: 100-continue" to large bodies.
  curl_slist* no_expect = curl_slist_append(header_list.get(), "Expect:");
  if (!header_list) header_list.reset(no_expect);

  char error_text[CURL_ERROR_SIZE] = {0};
  CURL* handle = easy.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    reply.error = error_text[0] ? error_text : curl_easy_strerror(code);
    return reply;
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

std::string sql_value(pqxx::connection& admin, const std::string& sql) {
  pqxx::work txn(admin);
  const pqxx::result result = txn.exec(sql);
  txn.commit();
  if (result.empty() || result[0][0].is_null()) return "";
  return result[0][0].as<std::string>();
}

void use_service_binary_of_this_build() {
#ifdef GOLIVE_REFERENCE_TARGET_BIN
  if (std::getenv("GOLIVE_REFERENCE_TARGET_BIN") == nullptr) {
    ::setenv("GOLIVE_REFERENCE_TARGET_BIN", GOLIVE_REFERENCE_TARGET_BIN, 1);
  }
#endif
}

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count() %
                        1000000000);
}

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json stripe_event(const std::string& id, const std::string& type, std::int64_t created,
                            const nlohmann::json& object) {
  return {{"id", id},           {"object", "event"}, {"type", type},
          {"created", created}, {"livemode", false}, {"data", {{"object", object}}}};
}

ReferenceEnv::Options& ReferenceServiceTest::env_options() {
  static ReferenceEnv::Options options;  // with_service = true, no defects
  return options;
}

ReferenceEnv& ReferenceServiceTest::env() {
  use_service_binary_of_this_build();
  return shared_reference_env(env_options());
}

std::vector<std::string>& ReferenceServiceTest::running_defects() {
  static std::vector<std::string> defects;  // the shared service starts clean
  return defects;
}

void ReferenceServiceTest::SetUp() {
  if (!running_defects().empty()) use_defects({});
}

pqxx::connection& ReferenceServiceTest::admin() {
  if (!admin_) admin_ = std::make_unique<pqxx::connection>(env().database_url());
  return *admin_;
}

TestUser ReferenceServiceTest::create_user(const std::string& label) {
  TestUser user;
  user.email = label + "-" + unique_suffix() + "@functions.test";
  {
    pqxx::work txn(admin());
    user.id =
        txn.exec_params1(
               "INSERT INTO auth.users (email, encrypted_password) VALUES ($1, $2) RETURNING id",
               user.email, reference::hash_password("functions-test-password"))[0]
            .as<std::string>();
    txn.exec_params("INSERT INTO public.profiles (user_id, display_name) VALUES ($1, $2)", user.id,
                    label);
    txn.commit();
  }
  user.token = target::jwt_sign_hs256({{"sub", user.id},
                                     {"role", "authenticated"},
                                     {"email", user.email},
                                     {"aud", "authenticated"},
                                     {"exp", now_unix() + 3600}},
                                    env().var("GOLIVE_REF_JWT_SECRET"));
  return user;
}

void ReferenceServiceTest::use_defects(const std::vector<std::string>& defects) {
  env().restart_service(defects);
  running_defects() = defects;
}

HttpReply ReferenceServiceTest::get(const std::string& path, const TestUser* user,
                                    const std::vector<std::string>& headers) {
  std::vector<std::string> all = headers;
  if (user) all.push_back(user->bearer());
  return http_request("GET", url(path), "", all);
}

HttpReply ReferenceServiceTest::post_json(const std::string& path, const nlohmann::json& body,
                                          const TestUser* user) {
  std::vector<std::string> headers{"Content-Type: application/json"};
  if (user) headers.push_back(user->bearer());
  return http_request("POST", url(path), body.dump(), headers);
}

HttpReply ReferenceServiceTest::deliver_event(const nlohmann::json& event, std::int64_t timestamp) {
  const std::string payload = event.dump();
  const std::string signature = target::stripe_signature_header(
      payload, timestamp == 0 ? now_unix() : timestamp, {env().var("GOLIVE_REF_WEBHOOK_SECRET")});
  return http_request("POST", url("/functions/v1/stripe-webhook"), payload,
                      {"Content-Type: application/json", "Stripe-Signature: " + signature});
}

std::vector<nlohmann::json> ReferenceServiceTest::service_log_events(
    const std::string& event_name) const {
  std::ifstream in(env().state_dir() + "/service.log");
  std::vector<nlohmann::json> events;
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object() && parsed.value("event", "") == event_name)
      events.push_back(std::move(parsed));
  }
  return events;
}

}  // namespace golive::testing
