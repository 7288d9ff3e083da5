// golive_bench_http: the HTTP engine's closed-loop throughput, the figure
// scripts/bench-compare sets next to wrk's. Each of T threads runs one
// io_context and one CurlHttpClient and keeps C/T keep-alive GETs in flight (a new
// request leaves as soon as one completes), like `wrk -tT -cC`.
//
//   golive_bench_http --url http://127.0.0.1:8080/ --threads 2 --connections 100 --seconds 10
//   golive_bench_http --engine native ...   (http::NativeHttpClient instead of libcurl; http:// only)
//
// Prints one summary line: requests, errors, rps, p50_ms, p99_ms, max_ms.
// Latency is from send() to the completion callback, measured after a
// warm-up whose samples are discarded.
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/curl/curl_http_client.hpp"
#include "http/native/native_http_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using golive::http::HttpClient;
using golive::http::CurlHttpClient;
using golive::http::ClientOptions;
using golive::http::HttpRequest;
using golive::http::HttpResponse;
using golive::http::NativeHttpClient;

struct BenchSettings {
  std::string url = "http://127.0.0.1:8080/";
  int threads = 2;
  int connections = 100;     // in flight, across all threads
  double seconds = 10;       // measured duration
  double warmup_seconds = 1;  // discarded
  std::string engine = "curl";  // "curl" (CurlHttpClient) or "native" (NativeHttpClient)
};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// One thread's closed loop: an engine, its in-flight requests and its samples.
class LoadLoop {
 public:
  LoadLoop(const BenchSettings& settings, int in_flight)
      : settings_(settings), in_flight_target_(in_flight), phase_timer_(io_) {
    if (settings.engine == "native") {
      engine_ = std::make_unique<NativeHttpClient>(io_, engine_options(in_flight));
    } else {
      engine_ = std::make_unique<CurlHttpClient>(io_, engine_options(in_flight));
    }
    request_.url = settings.url;
    // Room for every sample at 200k req/s, so recording never allocates.
    latencies_us_.reserve(static_cast<std::size_t>(settings.seconds * 200000 / settings.threads) + 1024);
  }

  void run() {
    for (int i = 0; i < in_flight_target_; ++i) send_one();
    phase_timer_.expires_after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(settings_.warmup_seconds)));
    phase_timer_.async_wait([this](const boost::system::error_code&) { on_warmup_over(); });
    io_.run();
  }

  const std::vector<std::uint32_t>& latencies_us() const { return latencies_us_; }
  std::uint64_t errors() const { return errors_; }
  double measured_seconds() const { return static_cast<double>(measure_end_ns_ - measure_start_ns_) / 1e9; }

 private:
  static ClientOptions engine_options(int in_flight) {
    ClientOptions options;
    options.max_connections_total = in_flight;  // exactly one connection per in-flight request
    options.max_connections_per_host = in_flight;  // the native client's limit (it has no total)
    return options;
  }

  void send_one() {
    ++outstanding_;
    const std::int64_t sent_ns = now_ns();
    // [this, sent_ns] is 16 bytes: std::function stores it without allocating.
    engine_->send(request_, [this, sent_ns](HttpResponse&& response) { on_response(response, sent_ns); });
  }

  void on_response(const HttpResponse& response, std::int64_t sent_ns) {
    --outstanding_;
    if (measuring_) {
      const std::int64_t elapsed_us = (now_ns() - sent_ns) / 1000;
      latencies_us_.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(elapsed_us, UINT32_MAX)));
      if (!response.transport_ok() || response.status != 200) ++errors_;
    }
    if (!stopping_) {
      send_one();
    } else if (outstanding_ == 0) {
      io_.stop();
    }
  }

  void on_warmup_over() {
    measuring_ = true;
    measure_start_ns_ = now_ns();
    phase_timer_.expires_after(
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(settings_.seconds)));
    phase_timer_.async_wait([this](const boost::system::error_code&) { on_measurement_over(); });
  }

  void on_measurement_over() {
    measuring_ = false;
    stopping_ = true;
    measure_end_ns_ = now_ns();
    // Let in-flight requests finish, but never wait more than 5 s for them.
    phase_timer_.expires_after(std::chrono::seconds(5));
    phase_timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) io_.stop();
    });
  }

  const BenchSettings& settings_;
  const int in_flight_target_;
  boost::asio::io_context io_{1};
  std::unique_ptr<HttpClient> engine_;
  boost::asio::steady_timer phase_timer_;
  HttpRequest request_;
  std::vector<std::uint32_t> latencies_us_;  // microseconds, measured phase only
  std::uint64_t errors_ = 0;
  int outstanding_ = 0;
  bool measuring_ = false;
  bool stopping_ = false;
  std::int64_t measure_start_ns_ = 0;
  std::int64_t measure_end_ns_ = 0;
};

bool parse_arguments(int argc, char** argv, BenchSettings& settings) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return false;
    if (i + 1 >= argc) return false;
    const char* value = argv[++i];
    if (flag == "--url") {
      settings.url = value;
    } else if (flag == "--threads") {
      settings.threads = std::atoi(value);
    } else if (flag == "--connections") {
      settings.connections = std::atoi(value);
    } else if (flag == "--seconds") {
      settings.seconds = std::atof(value);
    } else if (flag == "--warmup-seconds") {
      settings.warmup_seconds = std::atof(value);
    } else if (flag == "--engine") {
      settings.engine = value;
    } else {
      return false;
    }
  }
  return (settings.engine == "curl" || settings.engine == "native") && settings.threads > 0 && settings.connections >= settings.threads && settings.seconds > 0 &&
         settings.seconds <= 600 && settings.warmup_seconds >= 0;
}

double percentile_ms(const std::vector<std::uint32_t>& sorted_us, double fraction) {
  if (sorted_us.empty()) return 0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted_us.size() - 1));
  return sorted_us[index] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  BenchSettings settings;
  if (!parse_arguments(argc, argv, settings)) {
    std::fprintf(stderr,
                 "usage: golive_bench_http [--url URL] [--threads T] [--connections C] "
                 "[--seconds S (<= 600)] [--warmup-seconds W] [--engine curl|native]\n");
    return 2;
  }

  std::vector<std::unique_ptr<LoadLoop>> loops;
  for (int t = 0; t < settings.threads; ++t) {
    const int share = settings.connections / settings.threads + (t < settings.connections % settings.threads ? 1 : 0);
    loops.push_back(std::make_unique<LoadLoop>(settings, share));
  }
  std::vector<std::thread> threads;
  for (auto& loop : loops) threads.emplace_back([&loop] { loop->run(); });
  for (auto& thread : threads) thread.join();

  std::vector<std::uint32_t> all;
  std::uint64_t errors = 0;
  double seconds = 0;
  for (const auto& loop : loops) {
    all.insert(all.end(), loop->latencies_us().begin(), loop->latencies_us().end());
    errors += loop->errors();
    seconds = std::max(seconds, loop->measured_seconds());
  }
  std::sort(all.begin(), all.end());
  const double rps = seconds > 0 ? static_cast<double>(all.size()) / seconds : 0;
  std::printf("golive_bench_http engine=%s url=%s threads=%d connections=%d seconds=%.1f\n",
              settings.engine.c_str(), settings.url.c_str(), settings.threads, settings.connections, seconds);
  std::printf("requests=%zu errors=%llu rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", all.size(),
              static_cast<unsigned long long>(errors), rps, percentile_ms(all, 0.50),
              percentile_ms(all, 0.99), all.empty() ? 0.0 : all.back() / 1000.0);
  return errors == 0 && !all.empty() ? 0 : 1;
}
