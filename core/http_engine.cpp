#include "core/http_engine.hpp"

#include <boost/asio/post.hpp>
#include <utility>

#include "core/curl_multi_driver.hpp"
#include "core/curl_transfer.hpp"
#include "core/request_recorder.hpp"

namespace golive::core {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

CurlMultiLimits limits_from(const HttpEngineOptions& options) {
  CurlMultiLimits limits;
  limits.max_connections_per_host = options.max_connections_per_host;
  limits.max_connections_total = options.max_connections_total;
  limits.max_idle_connections = options.max_idle_connections;
  return limits;
}

}  // namespace

std::optional<std::string> http_url_host(std::string_view url) {
  std::size_t scheme_length = 0;
  if (starts_with_ignoring_case(url, "http://")) {
    scheme_length = 7;
  } else if (starts_with_ignoring_case(url, "https://")) {
    scheme_length = 8;
  } else {
    return std::nullopt;
  }
  std::string_view authority = url.substr(scheme_length);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  if (host.empty()) return std::nullopt;
  std::string lowered;
  lowered.reserve(host.size());
  for (char c : host) lowered.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  return lowered;
}

HttpEngine::HttpEngine(boost::asio::io_context& io, HttpEngineOptions options)
    : io_(io),
      options_(std::move(options)),
      driver_(std::make_unique<CurlMultiDriver>(
          io, limits_from(options_),
          [this](CURL* easy, CURLcode result) { on_transfer_done(easy, result); })) {}

HttpEngine::~HttpEngine() {
  // Easy handles leave the multi before it is cleaned up; the multi's
  // cleanup closes the cached connections; only then do the easies go.
  for (CurlTransfer* transfer : in_flight_) driver_->remove(transfer->easy());
  in_flight_.clear();
  driver_.reset();
  idle_.clear();
  transfers_.clear();
}

boost::asio::any_io_executor HttpEngine::executor() { return io_.get_executor(); }

std::size_t HttpEngine::open_connections() const { return driver_->open_connection_count(); }

void HttpEngine::send(HttpRequest request, ResponseCallback on_complete) {
  const std::optional<std::string> host = http_url_host(request.url);
  if (!host) {
    HttpResponse refused;
    refused.error = HttpErrorCategory::kNotAllowed;
    refused.error_message = "only http:// and https:// URLs are sent: " + request.url;
    complete_later(std::move(on_complete), std::move(refused));
    return;
  }
  if (options_.host_allowed && !options_.host_allowed(*host)) {
    HttpResponse refused;
    refused.error = HttpErrorCategory::kNotAllowed;
    refused.error_message = "host '" + *host + "' is not in the allowed hosts";
    complete_later(std::move(on_complete), std::move(refused));
    return;
  }
  if (RequestRecorder::global().enabled()) [[unlikely]] {
    RequestRecorder::global().record(request.method, request.url);
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

void HttpEngine::cancel_all() {
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

void HttpEngine::on_transfer_done(CURL* easy, CURLcode result) {
  CurlTransfer& transfer = CurlTransfer::from_easy(easy);
  untrack(transfer);
  HttpResponse response = transfer.finish(result);
  ResponseCallback callback = transfer.take_callback();
  idle_.push_back(&transfer);  // free before the callback, so its next send() reuses it
  if (callback) callback(std::move(response));
}

void HttpEngine::complete_later(ResponseCallback on_complete, HttpResponse response) {
  if (!on_complete) return;
  boost::asio::post(io_, [callback = std::move(on_complete), response = std::move(response)]() mutable {
    callback(std::move(response));
  });
}

CurlTransfer& HttpEngine::acquire_transfer() {
  if (!idle_.empty()) {
    CurlTransfer* transfer = idle_.back();
    idle_.pop_back();
    return *transfer;
  }
  transfers_.push_back(std::make_unique<CurlTransfer>(options_, *driver_));
  return *transfers_.back();
}

void HttpEngine::track(CurlTransfer& transfer) {
  transfer.in_flight_slot = in_flight_.size();
  in_flight_.push_back(&transfer);
}

void HttpEngine::untrack(CurlTransfer& transfer) {
  // Swap-remove: O(1), order of in_flight_ carries no meaning.
  const std::size_t slot = transfer.in_flight_slot;
  CurlTransfer* last = in_flight_.back();
  in_flight_[slot] = last;
  last->in_flight_slot = slot;
  in_flight_.pop_back();
}

HttpResponse fetch(HttpRequest request, const HttpEngineOptions& options) {
  boost::asio::io_context io{1};
  HttpEngine engine(io, options);
  HttpResponse result;
  engine.send(std::move(request), [&](HttpResponse&& response) {
    result = std::move(response);
    io.stop();  // idle keep-alive connections must not keep run() waiting
  });
  io.run();
  return result;
}

std::vector<HttpResponse> fetch_all(std::vector<HttpRequest> requests, std::size_t concurrency,
                                    const HttpEngineOptions& options) {
  std::vector<HttpResponse> results(requests.size());
  if (requests.empty()) return results;
  if (concurrency == 0) concurrency = 1;

  boost::asio::io_context io{1};
  HttpEngine engine(io, options);
  std::size_t next = 0;
  std::size_t completed = 0;
  std::function<void()> send_next = [&] {
    const std::size_t index = next++;
    engine.send(std::move(requests[index]), [&, index](HttpResponse&& response) {
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

}  // namespace golive::core
