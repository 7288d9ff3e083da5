#include "http/curl/curl_http_client.hpp"

#include <boost/asio/post.hpp>
#include <utility>

#include "http/curl/curl_multi_driver.hpp"
#include "http/curl/curl_transfer.hpp"
#include "core/url.hpp"
#include "http/observing_client.hpp"

namespace golive::http {
namespace {

CurlMultiLimits limits_from(const ClientOptions& options) {
  CurlMultiLimits limits;
  limits.max_connections_per_host = options.max_connections_per_host;
  limits.max_connections_total = options.max_connections_total;
  limits.max_idle_connections = options.max_idle_connections;
  return limits;
}

}  // namespace

CurlHttpClient::CurlHttpClient(boost::asio::io_context& io, ClientOptions options)
    : io_(io),
      options_(std::move(options)),
      driver_(std::make_unique<CurlMultiDriver>(
          io, limits_from(options_),
          [this](CURL* easy, CURLcode result) { on_transfer_done(easy, result); })) {}

CurlHttpClient::~CurlHttpClient() {
  // Easy handles leave the multi before it is cleaned up; the multi's
  // cleanup closes the cached connections; only then do the easies go.
  for (CurlTransfer* transfer : in_flight_) driver_->remove(transfer->easy());
  in_flight_.clear();
  driver_.reset();
  idle_.clear();
  transfers_.clear();
}

boost::asio::any_io_executor CurlHttpClient::executor() { return io_.get_executor(); }

std::size_t CurlHttpClient::open_connections() const { return driver_->open_connection_count(); }

void CurlHttpClient::send(HttpRequest request, ResponseCallback on_complete) {
  if (std::optional<std::string> refusal = refusal_for(request.url)) [[unlikely]] {
    HttpResponse refused;
    refused.error = HttpErrorCategory::kNotAllowed;
    refused.error_message = std::move(*refusal);
    complete_later(std::move(on_complete), std::move(refused));
    return;
  }
  CurlTransfer& transfer = acquire_transfer();
  transfer.start(std::move(request), std::move(on_complete));
  track(transfer);
  if (const CURLMcode code = driver_->add(transfer.easy()); code != CURLM_OK) {
    untrack(transfer);
    HttpResponse failed = transfer.abandon(HttpErrorCategory::kOther, curl_multi_strerror(code));
    ResponseCallback callback = transfer.take_callback();
    idle_.push_back(&transfer);
    complete_later(std::move(callback), std::move(failed));
  }
}

std::optional<std::string> CurlHttpClient::refusal_for(std::string& url_text) {
  const std::optional<core::Url> url = core::parse_url(url_text);
  if (!url) return "only absolute http:// and https:// URLs are sent: " + url_text;
  // "localhost." is "localhost" (an absolute name); the system resolver only
  // knows the second spelling, so curl is given the normalised URL.
  if (url->trailing_dot) {
    url_text = url->scheme + "://" +
               (url->explicit_port ? url->authority() : (url->ipv6 ? "[" + url->host + "]" : url->host)) +
               url->target;
  }
  if (!options_.host_policy) return std::nullopt;
  std::string authority = url->authority();
  auto decision = host_decisions_.find(authority);
  if (decision == host_decisions_.end()) {
    decision = host_decisions_.emplace(std::move(authority), options_.host_policy->allows(*url)).first;
  }
  if (decision->second) return std::nullopt;
  return "host '" + url->host + "' is not in the allowed hosts";
}

void CurlHttpClient::cancel_all() {
  std::vector<CurlTransfer*> cancelled;
  cancelled.swap(in_flight_);
  for (CurlTransfer* transfer : cancelled) {
    driver_->remove(transfer->easy());
    HttpResponse response = transfer->abandon(HttpErrorCategory::kCancelled, "cancelled before completion");
    ResponseCallback callback = transfer->take_callback();
    idle_.push_back(transfer);
    complete_later(std::move(callback), std::move(response));
  }
}

void CurlHttpClient::on_transfer_done(CURL* easy, CURLcode result) {
  CurlTransfer& transfer = CurlTransfer::from_easy(easy);
  untrack(transfer);
  HttpResponse response = transfer.finish(result);
  ResponseCallback callback = transfer.take_callback();
  idle_.push_back(&transfer);  // free before the callback, so its next send() reuses it
  if (callback) callback(std::move(response));
}

void CurlHttpClient::complete_later(ResponseCallback on_complete, HttpResponse response) {
  if (!on_complete) return;
  boost::asio::post(io_, [callback = std::move(on_complete), response = std::move(response)]() mutable {
    callback(std::move(response));
  });
}

CurlTransfer& CurlHttpClient::acquire_transfer() {
  if (!idle_.empty()) {
    CurlTransfer* transfer = idle_.back();
    idle_.pop_back();
    return *transfer;
  }
  transfers_.push_back(std::make_unique<CurlTransfer>(options_, *driver_));
  return *transfers_.back();
}

void CurlHttpClient::track(CurlTransfer& transfer) {
  transfer.in_flight_slot = in_flight_.size();
  in_flight_.push_back(&transfer);
}

void CurlHttpClient::untrack(CurlTransfer& transfer) {
  // Swap-remove: O(1), order of in_flight_ carries no meaning.
  const std::size_t slot = transfer.in_flight_slot;
  CurlTransfer* last = in_flight_.back();
  in_flight_[slot] = last;
  last->in_flight_slot = slot;
  in_flight_.pop_back();
}

HttpResponse fetch(HttpRequest request, const ClientOptions& options) {
  boost::asio::io_context io{1};
  CurlHttpClient engine(io, options);
  ObservingClient client(engine, options.observer);
  HttpResponse result;
  client.send(std::move(request), [&](HttpResponse&& response) {
    result = std::move(response);
    io.stop();  // idle keep-alive connections must not keep run() waiting
  });
  io.run();
  return result;
}

std::vector<HttpResponse> fetch_all(std::vector<HttpRequest> requests, std::size_t concurrency,
                                    const ClientOptions& options) {
  std::vector<HttpResponse> results(requests.size());
  if (requests.empty()) return results;
  if (concurrency == 0) concurrency = 1;

  boost::asio::io_context io{1};
  CurlHttpClient engine(io, options);
  ObservingClient client(engine, options.observer);
  std::size_t next = 0;
  std::size_t completed = 0;
  std::function<void()> send_next = [&] {
    const std::size_t index = next++;
    client.send(std::move(requests[index]), [&, index](HttpResponse&& response) {
      results[index] = std::move(response);
      if (++completed == results.size()) {
        io.stop();
      } else if (next < requests.size()) {
        send_next();
      }
    });
  };
  while (next < requests.size() && next < concurrency) send_next();
  io.run();
  return results;
}

}  // namespace golive::http
