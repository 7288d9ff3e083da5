#include "observability/watch_metrics.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <optional>
#include <thread>

#include "core/input_error.hpp"

namespace golive::observability {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.15g", value);
  return text;
}

std::string label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

const std::vector<double>& watch_latency_buckets() {
  static const std::vector<double> buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1.0,  2.5,   5.0,  10.0};
  return buckets;
}

WatchMetrics::WatchMetrics(const std::vector<std::string>& probes, double availability_objective)
    : objective_(availability_objective) {
  for (const std::string& probe : probes) {
    series_[probe].buckets.assign(watch_latency_buckets().size(), 0);
  }
}

void WatchMetrics::record(const std::string& probe, bool success, double seconds,
                          double unix_seconds) {
  std::lock_guard lock(mutex_);
  Series& series = series_[probe];
  if (series.buckets.empty()) series.buckets.assign(watch_latency_buckets().size(), 0);
  (success ? series.success : series.failure) += 1;
  series.last_success = success ? 1 : 0;
  const std::vector<double>& bounds = watch_latency_buckets();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) {
      ++series.buckets[i];
      break;
    }
  }
  series.duration_sum += seconds;
  series.last_run_at = unix_seconds;
  if (success) series.last_success_at = unix_seconds;
}

std::string WatchMetrics::exposition() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP golive_watch_probes_total Synthetic probes run by golive watch, by result.\n";
  out += "# TYPE golive_watch_probes_total counter\n";
  for (const auto& [name, series] : series_) {
    const std::string probe = "probe=\"" + label_value(name) + "\"";
    out += "golive_watch_probes_total{" + probe + ",result=\"success\"} " +
           std::to_string(series.success) + "\n";
    out += "golive_watch_probes_total{" + probe + ",result=\"failure\"} " +
           std::to_string(series.failure) + "\n";
  }
  out += "# HELP golive_watch_probe_success Whether the probe's last run succeeded (1) or not (0).\n";
  out += "# TYPE golive_watch_probe_success gauge\n";
  for (const auto& [name, series] : series_) {
    out += "golive_watch_probe_success{probe=\"" + label_value(name) + "\"} " +
           std::to_string(series.last_success) + "\n";
  }
  out += "# HELP golive_watch_probe_duration_seconds Probe latency, request sent to response read.\n";
  out += "# TYPE golive_watch_probe_duration_seconds histogram\n";
  const std::vector<double>& bounds = watch_latency_buckets();
  for (const auto& [name, series] : series_) {
    const std::string probe = "probe=\"" + label_value(name) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += series.buckets[i];
      out += "golive_watch_probe_duration_seconds_bucket{" + probe + ",le=\"" + number(bounds[i]) +
             "\"} " + std::to_string(cumulative) + "\n";
    }
    const std::uint64_t count = series.success + series.failure;
    out += "golive_watch_probe_duration_seconds_bucket{" + probe + ",le=\"+Inf\"} " +
           std::to_string(count) + "\n";
    out += "golive_watch_probe_duration_seconds_sum{" + probe + "} " + number(series.duration_sum) + "\n";
    out += "golive_watch_probe_duration_seconds_count{" + probe + "} " + std::to_string(count) + "\n";
  }
  out += "# HELP golive_watch_last_success_timestamp_seconds Unix time of the probe's last success (0: never).\n";
  out += "# TYPE golive_watch_last_success_timestamp_seconds gauge\n";
  for (const auto& [name, series] : series_) {
    out += "golive_watch_last_success_timestamp_seconds{probe=\"" + label_value(name) + "\"} " +
           number(series.last_success_at) + "\n";
  }
  out += "# HELP golive_watch_last_run_timestamp_seconds Unix time of the probe's last run (0: never).\n";
  out += "# TYPE golive_watch_last_run_timestamp_seconds gauge\n";
  for (const auto& [name, series] : series_) {
    out += "golive_watch_last_run_timestamp_seconds{probe=\"" + label_value(name) + "\"} " +
           number(series.last_run_at) + "\n";
  }
  out += "# HELP golive_watch_availability_objective The availability SLO the burn rates are measured against.\n";
  out += "# TYPE golive_watch_availability_objective gauge\n";
  out += "golive_watch_availability_objective " + number(objective_) + "\n";
  return out;
}

struct WatchMetricsServer::State {
  asio::io_context io;  // first member: destroyed last
  tcp::acceptor acceptor{io};
  const WatchMetrics* metrics = nullptr;
  std::string host;
  std::uint16_t port = 0;
  std::thread thread;
};

namespace {

// One connection: one request, one response, then closed.
class MetricsConnection : public std::enable_shared_from_this<MetricsConnection> {
 public:
  MetricsConnection(tcp::socket socket, const WatchMetrics& metrics)
      : socket_(std::move(socket)), metrics_(metrics) {}

  void start() {
    bhttp::async_read(socket_, buffer_, request_,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (!error) self->respond();
                      });
  }

 private:
  void respond() {
    const std::string target(request_.target());
    const std::string path = target.substr(0, target.find('?'));
    int status = 200;
    std::string body;
    std::string type = "text/plain; version=0.0.4; charset=utf-8";
    if (request_.method() != bhttp::verb::get && request_.method() != bhttp::verb::head) {
      status = 405;
      body = "method not allowed\n";
    } else if (path != "/metrics") {
      status = 404;
      body = "not found: try /metrics\n";
    } else {
      body = metrics_.exposition();
    }
    if (status != 200) type = "text/plain; charset=utf-8";
    out_ = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Error") +
           "\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" +
           (request_.method() == bhttp::verb::head ? std::string() : body);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                        self->socket_.close(ignored);
                      });
  }

  tcp::socket socket_;
  const WatchMetrics& metrics_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  std::string out_;
};

void accept_next(WatchMetricsServer::State& state) {
  state.acceptor.async_accept([&state](beast::error_code error, tcp::socket socket) {
    if (error) return;  // closed: the server is stopping
    std::make_shared<MetricsConnection>(std::move(socket), *state.metrics)->start();
    accept_next(state);
  });
}

}  // namespace

WatchMetricsServer::WatchMetricsServer(const std::string& address, const WatchMetrics& metrics,
                                       const std::string& setting)
    : state_(std::make_unique<State>()) {
  // "HOST:PORT" with PORT 0..65535 (0: a free port).
  const std::size_t colon = address.rfind(':');
  const std::string digits = colon == std::string::npos ? "" : address.substr(colon + 1);
  if (colon == std::string::npos || colon == 0 || digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos || std::stoi(digits) > 65535) {
    throw core::InputError(setting, "", "\"" + address + "\" must be HOST:PORT (PORT 0: a free port)");
  }
  const std::string host = address.substr(0, colon);
  const auto port = static_cast<std::uint16_t>(std::stoi(digits));
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(host), port);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
  } catch (const std::exception& error) {
    throw core::InputError(setting, "", "cannot listen on " + address + ": " + error.what());
  }
  state_->metrics = &metrics;
  state_->host = host;
  state_->port = state_->acceptor.local_endpoint().port();
  accept_next(*state_);
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

WatchMetricsServer::~WatchMetricsServer() {
  asio::post(state_->io, [state = state_.get()] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::uint16_t WatchMetricsServer::port() const {
  return state_->port;
}

std::string WatchMetricsServer::url() const {
  return "http://" + state_->host + ":" + std::to_string(state_->port) + "/metrics";
}

}  // namespace golive::observability
