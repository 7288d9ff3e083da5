#include "load/metrics_endpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <iomanip>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/input_error.hpp"

namespace golive::load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxRequestHeaderBytes = 8192;

std::string response(const std::string& status, const std::string& content_type,
                     const std::string& body) {
  return "HTTP/1.1 " + status + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// One request, one response, then close: enough for a scraper.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::function<std::string()> metrics)
      : socket_(std::move(socket)), request_(kMaxRequestHeaderBytes), metrics_(std::move(metrics)) {}

  void start() {
    asio::async_read_until(socket_, request_, "\r\n\r\n",
                           [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                             self->on_request(error);
                           });
  }

 private:
  void on_request(const boost::system::error_code& error) {
    if (error) return;  // closed, or a header over the limit: drop the connection
    std::istream stream(&request_);
    std::string method, target;
    stream >> method >> target;
    if (method != "GET" && method != "HEAD") {
      reply_ = response("405 Method Not Allowed", "text/plain", "GET /metrics\n");
    } else if (target == "/metrics" || target.rfind("/metrics?", 0) == 0) {
      std::string body = metrics_();
      reply_ = response("200 OK", "text/plain; version=0.0.4; charset=utf-8", method == "HEAD" ? "" : body);
    } else {
      reply_ = response("404 Not Found", "text/plain", "golive serves /metrics only\n");
    }
    asio::async_write(socket_, asio::buffer(reply_),
                      [self = shared_from_this()](const boost::system::error_code&, std::size_t) {
                        boost::system::error_code ignored;
                        self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  tcp::socket socket_;
  asio::streambuf request_;
  std::function<std::string()> metrics_;
  std::string reply_;
};

std::pair<std::string, std::uint16_t> split_address(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    throw core::InputError("--metrics-addr", "", "expected HOST:PORT, e.g. 127.0.0.1:9464, got \"" + address + "\"");
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1) throw std::invalid_argument("trailing text");
  } catch (const std::exception&) {
    throw core::InputError("--metrics-addr", "", "the port of \"" + address + "\" is not a number");
  }
  if (port > 65535) throw core::InputError("--metrics-addr", "", "port " + std::to_string(port) + " is above 65535");
  return {host, static_cast<std::uint16_t>(port)};
}

}  // namespace

struct MetricsEndpoint::Server {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::string host;
  std::string profile;
  std::mutex mutex;
  LoadProgress latest;  // guarded by mutex
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
      if (error) return;  // the acceptor was closed
      std::make_shared<Connection>(std::move(socket), [this] {
        std::lock_guard lock(mutex);
        return exposition(latest, profile);
      })->start();
      accept();
    });
  }
};

MetricsEndpoint::MetricsEndpoint(const std::string& address, std::string profile)
    : server_(std::make_unique<Server>()) {
  auto [host, port] = split_address(address);
  boost::system::error_code error;
  auto ip = asio::ip::make_address(host, error);
  if (error) throw core::InputError("--metrics-addr", "", "\"" + host + "\" is not an IP address");
  tcp::endpoint endpoint(ip, port);
  server_->acceptor.open(endpoint.protocol());
  server_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  server_->acceptor.bind(endpoint, error);
  if (error) throw core::InputError("--metrics-addr", "", "cannot listen on " + address + ": " + error.message());
  server_->acceptor.listen();
  server_->host = host;
  server_->profile = std::move(profile);
  server_->accept();
  server_->thread = std::thread([server = server_.get()] { server->io.run(); });
}

MetricsEndpoint::~MetricsEndpoint() {
  asio::post(server_->io, [server = server_.get()] {
    boost::system::error_code ignored;
    server->acceptor.close(ignored);
    server->io.stop();
  });
  if (server_->thread.joinable()) server_->thread.join();
}

std::uint16_t MetricsEndpoint::port() const { return server_->acceptor.local_endpoint().port(); }

std::string MetricsEndpoint::url() const {
  bool v6 = server_->host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + server_->host + "]" : server_->host) + ":" + std::to_string(port()) + "/metrics";
}

void MetricsEndpoint::update(const LoadProgress& progress) {
  std::lock_guard lock(server_->mutex);
  server_->latest = progress;
}

std::string MetricsEndpoint::exposition(const LoadProgress& p, const std::string& profile) {
  std::string label = profile;
  std::string escaped;
  for (char c : label) {
    if (c == '\\' || c == '"') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  const std::string labels = "{profile=\"" + escaped + "\"}";
  std::ostringstream out;
  out << std::setprecision(10);
  auto metric = [&](const char* name, const char* type, const char* help, double value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
        << name << labels << " " << value << "\n";
  };
  metric("golive_load_requests_total", "counter", "Requests completed since the end of warm-up.",
         static_cast<double>(p.requests));
  metric("golive_load_errors_total", "counter",
         "Failed requests and dropped iterations since the end of warm-up.", static_cast<double>(p.errors));
  metric("golive_load_active_vus", "gauge", "Virtual users or iterations in flight now.", p.active_vus);
  metric("golive_load_rps", "gauge", "Requests completed in the last full second.", p.rps);
  metric("golive_load_p95_seconds", "gauge",
         "95th percentile latency of the last full second, from the intended send time.", p.p95_ms / 1000);
  metric("golive_load_elapsed_seconds", "gauge", "Seconds since the scenarios started.", p.elapsed_s);
  metric("golive_load_planned_seconds", "gauge", "The run's planned length in seconds.", p.planned_s);
  metric("golive_load_warming_up", "gauge", "1 while warm-up samples are being discarded.", p.warming_up ? 1 : 0);
  return out.str();
}

}  // namespace golive::load
