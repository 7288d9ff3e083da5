#include "http/native/native_http_client.hpp"

#include <boost/asio/post.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "http/native/native_connection.hpp"
#include "http/native/native_host_pool.hpp"
#include "http/native/native_http_request.hpp"
#include "http/native/native_tls.hpp"
#include "core/url.hpp"

namespace golive::http {

using Clock = NativeClock;

NativeHttpClient::NativeHttpClient(boost::asio::io_context& io, ClientOptions options)
    : io_(io), options_(std::move(options)), readiness_(io) {}

NativeHttpClient::~NativeHttpClient() {
  for (auto& [key, pool] : pools_) {
    pool->waiting.clear();
    pool->waiting_timer.reset();  // its pending wait completes as cancelled and touches nothing
    pool->idle.clear();
    for (auto& connection : pool->connections) connection->detach();
    pool->connections.clear();
    pool->h2_idle.clear();
    for (auto& connection : pool->h2_connections) connection->detach();
    pool->h2_connections.clear();
  }
}

boost::asio::any_io_executor NativeHttpClient::executor() {
  return io_.get_executor();
}

std::size_t NativeHttpClient::open_connections() const {
  std::size_t count = 0;
  for (const auto& [key, pool] : pools_) count += pool->open_count();
  return count;
}

void NativeHttpClient::send(HttpRequest request, ResponseCallback on_complete) {
  const Clock::time_point started = Clock::now();
  NativeHostPool* pool = last_pool_;
  std::string target;
  if (pool != nullptr && request.url == last_url_) {
    target = last_target_;
  } else {
    std::optional<core::Url> url = core::parse_url(request.url);
    if (!url) {
      HttpResponse refused;
      refused.error = HttpErrorCategory::kNotAllowed;
      refused.error_message = "the native client sends http:// and https:// URLs only: " + request.url;
      complete_later(std::move(on_complete), std::move(refused));
      return;
    }
    pool = pool_for(*url);
    last_pool_ = pool;
    last_url_ = request.url;
    last_target_ = url->target;
    target = std::move(url->target);
  }
  if (std::optional<std::string> unsafe = unsafe_request_text(request, target)) [[unlikely]] {
    HttpResponse refused;
    refused.error = HttpErrorCategory::kOther;
    refused.error_message = "request not sent: " + *unsafe;
    complete_later(std::move(on_complete), std::move(refused));
    return;
  }
  if (!pool->allowed) [[unlikely]] {
    HttpResponse refused;
    refused.error = HttpErrorCategory::kNotAllowed;
    refused.error_message = "host '" + pool->host + "' is not in the allowed hosts";
    complete_later(std::move(on_complete), std::move(refused));
    return;
  }

  NativeExchange exchange;
  exchange.target = std::move(target);
  exchange.request = std::move(request);
  exchange.on_complete = std::move(on_complete);
  exchange.started = started;
  // As with curl, a timeout of 0 (or less) means none: a year stands in for "never".
  exchange.deadline =
      started + (exchange.request.timeout.count() > 0
                     ? std::chrono::duration_cast<Clock::duration>(exchange.request.timeout)
                     : std::chrono::duration_cast<Clock::duration>(std::chrono::hours(24 * 365)));
  ++in_flight_;
  ++send_depth_;
  pool->dispatch(std::move(exchange));
  --send_depth_;
}

NativeHostPool* NativeHttpClient::pool_for(const core::Url& url) {
  NativeHostPool* pool = last_pool_;
  if (pool != nullptr && pool->port == url.port && pool->host == url.host && pool->tls == url.tls()) return pool;
  std::string key = url.authority();
  auto [it, inserted] = pools_.try_emplace(url.tls() ? "https://" + key : key);
  if (inserted) {
    it->second = std::make_unique<NativeHostPool>();
    it->second->client = this;
    it->second->key = key;
    it->second->host = url.host;
    // The policy decides once per host:port, when its pool is made.
    it->second->allowed = !options_.host_policy || options_.host_policy->allows(url);
    it->second->host_header = url.explicit_port ? key : (url.ipv6 ? "[" + url.host + "]" : url.host);
    it->second->port = url.port;
    it->second->tls = url.tls();
    it->second->h2_prior_knowledge = !url.tls() && options_.http_version == HttpVersion::kHttp2PriorKnowledge;
    it->second->h2 = it->second->h2_prior_knowledge ||
                     (url.tls() && options_.http_version != HttpVersion::kHttp1_1);
    it->second->max_connections = static_cast<std::size_t>(
        options_.max_connections_per_host > 0 ? options_.max_connections_per_host : kDefaultMaxConnectionsPerHost);
  }
  return it->second.get();
}

void NativeHttpClient::cancel_all() {
  ++send_depth_;
  for (auto& [key, pool] : pools_) {
    while (!pool->waiting.empty()) {
      NativeExchange exchange = std::move(pool->waiting.front());
      pool->waiting.pop_front();
      HttpResponse cancelled;
      cancelled.error = HttpErrorCategory::kCancelled;
      cancelled.error_message = "cancelled before completion";
      --in_flight_;
      complete_later(std::move(exchange.on_complete), std::move(cancelled));
    }
    std::vector<std::shared_ptr<NativeConnection>> busy;
    for (auto& connection : pool->connections) {
      if (connection->busy()) busy.push_back(connection);
    }
    for (auto& connection : busy) connection->cancel();
    std::vector<std::shared_ptr<NativeH2Connection>> multiplexed = pool->h2_connections;
    for (auto& connection : multiplexed) connection->cancel();
  }
  --send_depth_;
}

const NativeTlsContext* NativeHttpClient::tls_context() {
  if (!tls_context_) tls_context_ = std::make_unique<NativeTlsContext>(
      options_.tls, options_.http_version != HttpVersion::kHttp1_1);
  return tls_context_->ok() ? tls_context_.get() : nullptr;
}

std::string NativeHttpClient::tls_context_error() const {
  return tls_context_ ? tls_context_->error() : std::string("no TLS context");
}

void NativeHttpClient::complete_later(ResponseCallback on_complete, HttpResponse response) {
  if (!on_complete) return;
  boost::asio::post(io_,
                    [callback = std::move(on_complete), response = std::move(response)]() mutable {
                      callback(std::move(response));
                    });
}

}  // namespace golive::http
