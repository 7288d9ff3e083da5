// TestHttpServer: a scripted HTTP/1.1 server on 127.0.0.1 (a free port) for
// tests of the HTTP engine and of anything that sends traffic. It runs its own
// io_context on a background thread; the path of each request picks the
// behaviour:
//
//   /ok              200 "ok"
//   /echo            200, JSON {"method","target","headers":{lowercase name: value},"body"}
//   /delay/<ms>      200 "ok" after <ms> milliseconds
//   /status/<code>   status <code>, body "status <code>"
//   /large/<bytes>   200 with a <bytes>-long body and Content-Length
//   /chunked/<bytes> 200 with a <bytes>-long chunked body (no Content-Length)
//   /close           200 "ok" with Connection: close
//   /reset           reads the request, then resets the connection (RST)
//   /garbage         reads the request, answers bytes that are not HTTP, closes
//   /never           reads the request and never answers (until the server stops)
//   /hold            held unanswered until release_held(), then 200 "ok"
//   /huge-header/<bytes>  200 "ok" with one X-Padding header <bytes> long (oversized header)
//   /slowloris       trickles a 200 response one byte every 500 ms (headers included);
//                    the whole response takes minutes
//   /storm           a 5xx storm: 500, 502, 503, 504 in turn (each with a small body)
//   anything else    404
//
// behave_everywhere("/reset") makes every request behave as that built-in path
// (whatever its own path), so a whole suite can be pointed at one hostile behaviour.
//
// Tests can add behaviours with on(prefix, handler); the first matching
// added prefix wins over the built-in ones. Counters are safe to read from
// the test thread while the server runs.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace golive::testing {

struct TestRequest {
  std::string method;
  std::string target;                                        // path and query
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
};

struct TestReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class TestHttpServer {
 public:
  using Handler = std::function<TestReply(const TestRequest&)>;

  // Listening and serving when the constructor returns, on 127.0.0.1 or,
  // with `address` "::1", on the IPv6 loopback.
  explicit TestHttpServer(const std::string& address = "127.0.0.1");
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  unsigned short port() const { return port_; }
  const std::string& address() const { return address_; }
  // "http://127.0.0.1:<port>" + path ("http://[::1]:<port>" on IPv6)
  std::string url(const std::string& path) const;

  // Call before sending the requests that use it.
  void on(const std::string& path_prefix, Handler handler);
  // Every request is answered as the built-in `behaviour_path` ("/reset", "/slowloris",
  // "/delay/3000", ...); handlers added with on() still win. "" restores paths.
  void behave_everywhere(const std::string& behaviour_path);

  std::size_t connections_accepted() const { return connections_accepted_.load(); }
  std::size_t requests_received() const { return requests_received_.load(); }
  // Most requests read but not yet answered at any one moment.
  std::size_t peak_requests_in_flight() const { return peak_in_flight_.load(); }

  // /hold requests waiting for release_held(), which answers them all.
  std::size_t held_requests() const { return held_.load(); }
  void release_held();

  // Opaque server state, defined in the .cpp (Boost.Asio/Beast stay out of
  // test headers).
  struct Impl;

 private:
  std::string address_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  unsigned short port_ = 0;
  std::atomic<std::size_t> connections_accepted_{0};
  std::atomic<std::size_t> requests_received_{0};
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> peak_in_flight_{0};
  std::atomic<std::size_t> held_{0};
  friend struct Impl;
};

}  // namespace golive::testing
