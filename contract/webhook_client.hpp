// WebhookClient: delivers Stripe events to a target the way Stripe does
// (POST, JSON body, Stripe-Signature header) through one CurlHttpClient on its
// own io_context, so a storm of N deliveries is N requests in flight at once
// on one thread.
//
// Evidence never carries the v1 signature: only `t=` and a fingerprint
// (the first 12 hex digits of SHA-256 over the v1 value), which identifies a
// delivery without letting anyone replay it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "http/curl/curl_http_client.hpp"

namespace golive::contract {

// How a delivery's Stripe-Signature relates to its body.
enum class SignatureMode {
  kValid,          // v1 of the delivered body under the target's secret
  kWrongSecret,    // v1 under a different whsec_ secret
  kMissingHeader,  // no Stripe-Signature header at all
  kTamperedBody,   // v1 of `body`, but `tampered_body` is what is sent
  kV0Only,         // only a v0 value (the legacy scheme, same HMAC): never to be trusted
  kRotation,       // two v1 values as during a secret rotation: a stale secret's, then the valid one
};

struct WebhookDelivery {
  std::string body;               // the event JSON, exactly as signed
  std::int64_t timestamp = 0;     // unix s of t=; 0 = now
  SignatureMode mode = SignatureMode::kValid;
  std::string tampered_body;      // kTamperedBody only: the bytes actually delivered
};

// A validly signed delivery of `body`, timestamped when sent.
inline WebhookDelivery signed_now(std::string body) {
  WebhookDelivery delivery;
  delivery.body = std::move(body);
  return delivery;
}

// The request Stripe would send, signed with `secret`.
http::HttpRequest make_webhook_request(const std::string& url, const std::string& secret,
                                       const WebhookDelivery& delivery);

// {"t": <unix s>, "v1_fingerprint": "<12 hex>"} or {"header": "absent"}.
nlohmann::json signature_evidence(const http::HttpRequest& request);

// Status, error category, latency and the first 300 bytes of the body.
nlohmann::json response_evidence(const http::HttpResponse& response);

class WebhookClient {
 public:
  WebhookClient(std::string url, std::string secret, http::ClientOptions options = {});
  ~WebhookClient();
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;

  const std::string& url() const { return url_; }

  // One delivery, blocking until it completes.
  http::HttpResponse deliver(const WebhookDelivery& delivery);
  // Every delivery in flight at once; responses in delivery order.
  std::vector<http::HttpResponse> deliver_concurrently(const std::vector<WebhookDelivery>& deliveries);
  // Any prepared requests (e.g. with extra headers), `concurrency` at a time.
  std::vector<http::HttpResponse> send_all(std::vector<http::HttpRequest> requests,
                                           std::size_t concurrency);

  http::HttpRequest request_for(const WebhookDelivery& delivery) const {
    return make_webhook_request(url_, secret_, delivery);
  }

 private:
  std::string url_;
  std::string secret_;
  boost::asio::io_context io_{1};
  std::unique_ptr<http::CurlHttpClient> engine_;
};

bool is_2xx(const http::HttpResponse& response);
bool is_4xx(const http::HttpResponse& response);

}  // namespace golive::contract
