#include "contract/webhook_client.hpp"

#include <chrono>

#include "target/stripe_signature.hpp"
#include "target/crypto.hpp"

namespace golive::contract {

namespace {

// A secret the target cannot know: the whole string is the HMAC key, so any
// other value produces an unrelated signature.
constexpr const char* kWrongSecret = "whsec_golive_deliberately_wrong_secret_0000";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

http::HttpRequest make_webhook_request(const std::string& url, const std::string& secret,
                                       const WebhookDelivery& delivery) {
  http::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.timeout = std::chrono::milliseconds(15000);
  request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                     {"User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks) golive"}};
  const std::int64_t timestamp = delivery.timestamp != 0 ? delivery.timestamp : unix_now();
  request.body = delivery.body;
  switch (delivery.mode) {
    case SignatureMode::kValid:
      request.headers.emplace_back("Stripe-Signature",
                                   target::stripe_signature_header(delivery.body, timestamp, {secret}));
      break;
    case SignatureMode::kWrongSecret:
      request.headers.emplace_back("Stripe-Signature",
                                   target::stripe_signature_header(delivery.body, timestamp, {kWrongSecret}));
      break;
    case SignatureMode::kMissingHeader:
      break;
    case SignatureMode::kTamperedBody:
      request.headers.emplace_back("Stripe-Signature",
                                   target::stripe_signature_header(delivery.body, timestamp, {secret}));
      request.body = delivery.tampered_body;
      break;
    case SignatureMode::kV0Only:
      request.headers.emplace_back(
          "Stripe-Signature", "t=" + std::to_string(timestamp) +
                                  ",v0=" + target::stripe_signature_v1(delivery.body, secret, timestamp));
      break;
    case SignatureMode::kRotation:
      request.headers.emplace_back(
          "Stripe-Signature",
          target::stripe_signature_header(delivery.body, timestamp, {kWrongSecret, secret}));
      break;
  }
  return request;
}

nlohmann::json signature_evidence(const http::HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (name != "Stripe-Signature") continue;
    const auto parsed = target::parse_stripe_signature(value);
    if (!parsed) return {{"header", "unparsable"}};
    nlohmann::json fingerprints = nlohmann::json::array();
    for (const auto& v1 : parsed->v1) fingerprints.push_back(target::sha256_hex(v1).substr(0, 12));
    return {{"t", parsed->timestamp}, {"v1_fingerprint", fingerprints}};
  }
  return {{"header", "absent"}};
}

nlohmann::json response_evidence(const http::HttpResponse& response) {
  nlohmann::json evidence = {{"status", response.status},
                             {"total_ms", response.timing.total_ms}};
  if (!response.transport_ok()) {
    evidence["error"] = http::to_string(response.error);
    evidence["error_message"] = response.error_message;
  }
  evidence["body"] = response.body.size() > 300 ? response.body.substr(0, 300) + "..." : response.body;
  return evidence;
}

WebhookClient::WebhookClient(std::string url, std::string secret, http::ClientOptions options)
    : url_(std::move(url)),
      secret_(std::move(secret)),
      engine_(std::make_unique<http::CurlHttpClient>(io_, std::move(options))) {}

WebhookClient::~WebhookClient() {
  engine_->cancel_all();
  io_.restart();
  io_.run();
  engine_.reset();
}

http::HttpResponse WebhookClient::deliver(const WebhookDelivery& delivery) {
  return send_all({request_for(delivery)}, 1).front();
}

std::vector<http::HttpResponse> WebhookClient::deliver_concurrently(
    const std::vector<WebhookDelivery>& deliveries) {
  std::vector<http::HttpRequest> requests;
  requests.reserve(deliveries.size());
  for (const auto& delivery : deliveries) requests.push_back(request_for(delivery));
  const std::size_t all = requests.size();
  return send_all(std::move(requests), all);
}

std::vector<http::HttpResponse> WebhookClient::send_all(std::vector<http::HttpRequest> requests,
                                                        std::size_t concurrency) {
  std::vector<http::HttpResponse> responses(requests.size());
  if (requests.empty()) return responses;
  if (concurrency == 0) concurrency = 1;
  std::size_t next = 0;
  // on_response_complete refills the window, so at most `concurrency` are in flight.
  std::function<void(std::size_t)> start = [&](std::size_t index) {
    engine_->send(std::move(requests[index]), [&, index](http::HttpResponse&& response) {
      responses[index] = std::move(response);
      if (next < requests.size()) start(next++);
    });
  };
  while (next < requests.size() && next < concurrency) start(next++);
  io_.restart();
  io_.run();
  return responses;
}

bool is_2xx(const http::HttpResponse& response) {
  return response.transport_ok() && response.status >= 200 && response.status < 300;
}
bool is_4xx(const http::HttpResponse& response) {
  return response.transport_ok() && response.status >= 400 && response.status < 500;
}

}  // namespace golive::contract
