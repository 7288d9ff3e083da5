// The http::HttpClient contract, asserted for every implementation from one
// body (a typed test over CurlHttpClient and NativeHttpClient) against a real HTTP
// server on 127.0.0.1 (TestHttpServer): methods, bodies and headers,
// keep-alive reuse counted on the server side, connection limits, 1000
// requests in flight, every error category both clients produce, a response
// that never ends, a 1 GB body capped with bounded memory, cancel_all,
// the host allowlist, the timing breakdown and descriptor hygiene.
// The https:// half of the contract is http_client_tls_contract_test.cpp.
// What only one client does (curl error mapping, native's stale-connection
// retry, queue timeouts, request-text validation) stays in
// curl_http_client_test.cpp and native_http_client_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <string_view>

#include "http/curl/curl_http_client.hpp"
#include "http/native/native_http_client.hpp"
#include "tests/support/http_client_test_helpers.hpp"
#include "tests/support/http_client_traits.hpp"
#include "tests/support/process_memory.hpp"
#include "tests/support/streaming_server.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::core {
namespace {

using namespace std::chrono_literals;
using golive::testing::closed_port;
using golive::testing::eventually;
using golive::testing::get;
using golive::testing::open_descriptor_count;
using golive::testing::run_until;
using golive::testing::send_and_wait;
using golive::testing::TestHttpServer;

using golive::testing::ClientName;
using golive::testing::ClientTraits;

template <typename Client>
class HttpClientContractTest : public ::testing::Test {
 protected:
  using Traits = ClientTraits<Client>;

  // Checks the server connections a burst of concurrent requests opened:
  // exactly `expected` (the burst size, or the connection limit when lower) for
  // clients that open one per waiting request, at most `expected` otherwise.
  void expect_burst_connections(std::size_t accepted, std::size_t expected) {
    if constexpr (Traits::kOpensOneConnectionPerConcurrentRequest) {
      EXPECT_EQ(accepted, expected);
    } else {
      EXPECT_LE(accepted, expected);
    }
  }

  // Descriptors open once the io_context's reactor and the client's globals
  // exist and every earlier connection is closed: the baseline for leak checks.
  std::size_t settled_descriptor_count() {
    {
      Client warm_up(io);
      EXPECT_EQ(send_and_wait(io, warm_up, get(server.url("/close"))).status, 200);
    }
    std::size_t count = open_descriptor_count();
    for (int i = 0; i < 100; ++i) {  // the server closes its side asynchronously
      std::this_thread::sleep_for(10ms);
      const std::size_t now = open_descriptor_count();
      if (now == count) break;
      count = now;
    }
    return count;
  }

  TestHttpServer server;
  boost::asio::io_context io{1};
};

using Clients = ::testing::Types<http::CurlHttpClient, http::NativeHttpClient>;
TYPED_TEST_SUITE(HttpClientContractTest, Clients, ClientName);

TYPED_TEST(HttpClientContractTest, GetReturnsStatusBodyAndLowercaseHeaders) {
  TypeParam client(this->io);
  const http::HttpResponse response = send_and_wait(this->io, client, get(this->server.url("/ok")));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kNone) << response.error_message;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(response.header("Content-Type"), "text/plain");
  ASSERT_FALSE(response.headers.empty());
  for (const auto& [name, value] : response.headers) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
  }
  EXPECT_EQ(response.header("server"), "golive-test");
}

TYPED_TEST(HttpClientContractTest, PostSendsBodyHeadersAndUserAgent) {
  TypeParam client(this->io);
  http::HttpRequest request = get(this->server.url("/echo?x=1"));
  request.method = "POST";
  request.headers = {{"Content-Type", "application/json"}, {"X-Test", "forty two"}};
  request.body = R"({"hello":"world"})";
  const http::HttpResponse response = send_and_wait(this->io, client, request);
  ASSERT_EQ(response.status, 200) << response.error_message;
  const auto echo = nlohmann::json::parse(response.body);
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["target"], "/echo?x=1");
  EXPECT_EQ(echo["body"], R"({"hello":"world"})");
  EXPECT_EQ(echo["headers"]["x-test"], "forty two");
  EXPECT_EQ(echo["headers"]["content-type"], "application/json");
  EXPECT_EQ(echo["headers"]["user-agent"], http::default_user_agent());
  EXPECT_EQ(echo["headers"]["host"], "127.0.0.1:" + std::to_string(this->server.port()));
  EXPECT_FALSE(echo["headers"].contains("expect"));
}

TYPED_TEST(HttpClientContractTest, RequestUserAgentReplacesTheDefault) {
  TypeParam client(this->io);
  http::HttpRequest request = get(this->server.url("/echo"));
  request.headers = {{"user-agent", "probe/1"}};
  const http::HttpResponse response = send_and_wait(this->io, client, request);
  ASSERT_EQ(response.status, 200) << response.error_message;
  EXPECT_EQ(nlohmann::json::parse(response.body)["headers"]["user-agent"], "probe/1");
}

TYPED_TEST(HttpClientContractTest, MethodsAndHeadersChangeCleanlyOnOneConnection) {
  TypeParam client(this->io);
  http::HttpRequest put = get(this->server.url("/echo"));
  put.method = "PUT";
  put.body = "replacement";
  put.headers = {{"X-Only-First", "1"}};
  auto echo = nlohmann::json::parse(send_and_wait(this->io, client, put).body);
  EXPECT_EQ(echo["method"], "PUT");
  EXPECT_EQ(echo["body"], "replacement");
  EXPECT_EQ(echo["headers"]["x-only-first"], "1");

  http::HttpRequest head = get(this->server.url("/ok"));
  head.method = "HEAD";
  const http::HttpResponse head_response = send_and_wait(this->io, client, head);
  EXPECT_EQ(head_response.status, 200);
  EXPECT_TRUE(head_response.body.empty());

  http::HttpRequest remove = get(this->server.url("/echo"));
  remove.method = "DELETE";
  echo = nlohmann::json::parse(send_and_wait(this->io, client, remove).body);
  EXPECT_EQ(echo["method"], "DELETE");
  EXPECT_EQ(echo["body"], "");
  EXPECT_FALSE(echo["headers"].contains("x-only-first"));  // the old header list is gone

  echo = nlohmann::json::parse(send_and_wait(this->io, client, get(this->server.url("/echo"))).body);
  EXPECT_EQ(echo["method"], "GET");

  http::HttpRequest patch = get(this->server.url("/echo"));
  patch.method = "PATCH";
  echo = nlohmann::json::parse(send_and_wait(this->io, client, patch).body);
  EXPECT_EQ(echo["method"], "PATCH");
  EXPECT_EQ(echo["headers"]["content-length"], "0");
  EXPECT_LE(this->server.connections_accepted(), 2u);  // at most the HEAD's connection is replaced
}

TYPED_TEST(HttpClientContractTest, LargeUploadAndDownloadArriveWhole) {
  TypeParam client(this->io);
  http::HttpRequest upload = get(this->server.url("/echo"));
  upload.method = "POST";
  upload.body = std::string(3 * 1024 * 1024, 'u');  // above curl's 1 MiB Expect threshold
  const http::HttpResponse echoed = send_and_wait(this->io, client, upload);
  ASSERT_EQ(echoed.status, 200) << echoed.error_message;
  EXPECT_EQ(nlohmann::json::parse(echoed.body)["body"].get<std::string>().size(), upload.body.size());

  const http::HttpResponse download = send_and_wait(this->io, client, get(this->server.url("/large/8388608")));
  EXPECT_EQ(download.error, http::HttpErrorCategory::kNone) << download.error_message;
  EXPECT_EQ(download.body.size(), 8388608u);
  const http::HttpResponse chunked = send_and_wait(this->io, client, get(this->server.url("/chunked/5000000")));
  EXPECT_EQ(chunked.error, http::HttpErrorCategory::kNone) << chunked.error_message;
  EXPECT_EQ(chunked.body.size(), 5000000u);
  EXPECT_EQ(chunked.body, std::string(5000000, 'x'));
  EXPECT_EQ(this->server.connections_accepted(), 1u);
}

TYPED_TEST(HttpClientContractTest, HttpErrorStatusIsNotATransportError) {
  TypeParam client(this->io);
  const http::HttpResponse response = send_and_wait(this->io, client, get(this->server.url("/status/503")));
  EXPECT_EQ(response.status, 503);
  EXPECT_TRUE(response.transport_ok());
  EXPECT_EQ(response.body, "status 503");
}

TYPED_TEST(HttpClientContractTest, SequentialRequestsReuseOneKeepAliveConnection) {
  TypeParam client(this->io);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(send_and_wait(this->io, client, get(this->server.url("/ok"))).status, 200);
  }
  EXPECT_EQ(this->server.connections_accepted(), 1u);
  EXPECT_EQ(this->server.requests_received(), 200u);
  EXPECT_EQ(client.open_connections(), 1u);
}

TYPED_TEST(HttpClientContractTest, ConcurrentBatchesReuseTheirConnections) {
  TypeParam client(this->io);
  for (int batch = 0; batch < 5; ++batch) {
    int done = 0;
    for (int i = 0; i < 10; ++i) {
      client.send(get(this->server.url("/delay/20")), [&](http::HttpResponse&& response) {
        EXPECT_EQ(response.status, 200);
        ++done;
      });
    }
    ASSERT_TRUE(run_until(this->io, [&] { return done == 10; }));
  }
  EXPECT_EQ(this->server.requests_received(), 50u);
  this->expect_burst_connections(this->server.connections_accepted(), 10u);
}

TYPED_TEST(HttpClientContractTest, ConnectionLimitQueuesInsteadOfOpening) {
  http::ClientOptions options;
  options.max_connections_per_host = 2;
  TypeParam client(this->io, options);
  int done = 0;
  for (int i = 0; i < 10; ++i) {
    client.send(get(this->server.url("/delay/10")), [&](http::HttpResponse&& response) {
      EXPECT_EQ(response.status, 200);
      ++done;
    });
  }
  EXPECT_EQ(client.in_flight(), 10u);
  ASSERT_TRUE(run_until(this->io, [&] { return done == 10; }));
  this->expect_burst_connections(this->server.connections_accepted(), 2u);
  EXPECT_LE(this->server.peak_requests_in_flight(), 2u);
  EXPECT_EQ(client.in_flight(), 0u);
}

TYPED_TEST(HttpClientContractTest, ThousandRequestsInFlightOnOneClient) {
  TypeParam client(this->io);
  constexpr int kRequests = 1000;
  int ok = 0;
  int done = 0;
  for (int i = 0; i < kRequests; ++i) {
    client.send(get(this->server.url("/hold")), [&](http::HttpResponse&& response) {
      if (response.status == 200 && response.transport_ok()) ++ok;
      ++done;
    });
  }
  EXPECT_EQ(client.in_flight(), static_cast<std::size_t>(kRequests));
  // The server answers nothing until all 1000 are waiting on it at once.
  ASSERT_TRUE(run_until(this->io, [&] { return this->server.held_requests() == kRequests; }, 120s))
      << this->server.held_requests() << " held";
  EXPECT_EQ(done, 0);
  this->server.release_held();
  ASSERT_TRUE(run_until(this->io, [&] { return done == kRequests; }, 120s));
  EXPECT_EQ(ok, kRequests);
  EXPECT_EQ(this->server.peak_requests_in_flight(), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(this->server.connections_accepted(), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(client.in_flight(), 0u);
  // A second wave rides the same 1000 keep-alive connections.
  done = 0;
  for (int i = 0; i < kRequests; ++i) {
    client.send(get(this->server.url("/ok")), [&](http::HttpResponse&&) { ++done; });
  }
  ASSERT_TRUE(run_until(this->io, [&] { return done == kRequests; }, 120s));
  EXPECT_EQ(this->server.connections_accepted(), static_cast<std::size_t>(kRequests));
}

TYPED_TEST(HttpClientContractTest, ConnectionCloseRetiresTheConnection) {
  TypeParam client(this->io);
  for (int i = 0; i < 5; ++i) {
    const http::HttpResponse response = send_and_wait(this->io, client, get(this->server.url("/close")));
    ASSERT_EQ(response.status, 200) << response.error_message;
    EXPECT_EQ(response.body, "ok");
  }
  EXPECT_EQ(this->server.connections_accepted(), 5u);
  EXPECT_EQ(client.open_connections(), 0u);
}

TYPED_TEST(HttpClientContractTest, RefusedConnectionIsConnectError) {
  TypeParam client(this->io);
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/ok";
  const http::HttpResponse response = send_and_wait(this->io, client, get(url));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kConnect) << response.error_message;
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.error_message.empty());
  EXPECT_EQ(client.open_connections(), 0u);
}

TYPED_TEST(HttpClientContractTest, StormAnswersRotateThrough5xxAndSlowlorisTimesOut) {
  TypeParam client(this->io);
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) {
    const http::HttpResponse response = send_and_wait(this->io, client, get(this->server.url("/storm")));
    EXPECT_EQ(response.error, http::HttpErrorCategory::kNone) << response.error_message;
    statuses.push_back(response.status);
  }
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{500, 502, 503, 504}));

  http::HttpRequest trickle = get(this->server.url("/slowloris"));
  trickle.timeout = 1200ms;  // a few bytes arrive, the response never completes in time
  const http::HttpResponse slow = send_and_wait(this->io, client, trickle);
  EXPECT_EQ(slow.error, http::HttpErrorCategory::kTimeout) << slow.error_message;
}

TYPED_TEST(HttpClientContractTest, SlowAnswerIsTimeoutAtTheRequestBudget) {
  TypeParam client(this->io);
  http::HttpRequest request = get(this->server.url("/delay/3000"));
  request.timeout = 200ms;
  const auto started = std::chrono::steady_clock::now();
  const http::HttpResponse response = send_and_wait(this->io, client, request);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTimeout) << response.error_message;
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_GE(response.timing.total_ms, 190.0);
  EXPECT_EQ(client.open_connections(), 0u);  // the timed-out connection is closed
  EXPECT_EQ(send_and_wait(this->io, client, get(this->server.url("/ok"))).status, 200);
}

TYPED_TEST(HttpClientContractTest, NeverAnsweredRequestTimesOutAfterFastOnes) {
  TypeParam client(this->io);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(send_and_wait(this->io, client, get(this->server.url("/ok"))).status, 200);
  }
  http::HttpRequest request = get(this->server.url("/never"));
  request.timeout = 150ms;  // shorter than the default budget the connection's timer ran on
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(send_and_wait(this->io, client, request).error, http::HttpErrorCategory::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
}

TYPED_TEST(HttpClientContractTest, ResetConnectionIsReset) {
  TypeParam client(this->io);
  const http::HttpResponse response = send_and_wait(this->io, client, get(this->server.url("/reset")));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kReset) << response.error_message;
}

TYPED_TEST(HttpClientContractTest, GarbageReplyIsProtocolError) {
  TypeParam client(this->io);
  const http::HttpResponse response = send_and_wait(this->io, client, get(this->server.url("/garbage")));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kProtocol) << response.error_message;
}

// Hostile targets: a 1 MB response header was reported as "other (Out of memory)".
TYPED_TEST(HttpClientContractTest, OversizedResponseHeaderIsTooLarge) {
  TypeParam client(this->io);
  const http::HttpResponse response =
      send_and_wait(this->io, client, get(this->server.url("/huge-header/1048576")));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTooLarge) << response.error_message;
  EXPECT_EQ(send_and_wait(this->io, client, get(this->server.url("/ok"))).status, 200);  // still usable
}

TYPED_TEST(HttpClientContractTest, BodyOverTheCapIsTooLarge) {
  TypeParam client(this->io);
  http::HttpRequest declared = get(this->server.url("/large/100000"));  // Content-Length over the cap
  declared.max_response_bytes = 1000;
  const http::HttpResponse refused = send_and_wait(this->io, client, declared);
  EXPECT_EQ(refused.error, http::HttpErrorCategory::kTooLarge) << refused.error_message;

  http::HttpRequest chunked = get(this->server.url("/chunked/100000"));  // no length: the read path caps it
  chunked.max_response_bytes = 1000;
  const http::HttpResponse capped = send_and_wait(this->io, client, chunked);
  EXPECT_EQ(capped.error, http::HttpErrorCategory::kTooLarge) << capped.error_message;
  EXPECT_LE(capped.body.size(), 1000u);

  http::HttpRequest fits = get(this->server.url("/large/1000"));
  fits.max_response_bytes = 1000;
  EXPECT_EQ(send_and_wait(this->io, client, fits).body.size(), 1000u);
}

// discard_response: status and timing arrive, headers and body are read
// (the connection is reused) but not kept, and the body cap still holds.
TYPED_TEST(HttpClientContractTest, DiscardedResponseKeepsStatusAndTimingOnly) {
  TypeParam client(this->io);
  for (const std::string path : {"/large/100000", "/chunked/100000", "/status/404"}) {
    http::HttpRequest request = get(this->server.url(path));
    request.discard_response = true;
    const http::HttpResponse response = send_and_wait(this->io, client, request);
    EXPECT_EQ(response.error, http::HttpErrorCategory::kNone) << path << ": " << response.error_message;
    EXPECT_EQ(response.status, path == "/status/404" ? 404 : 200) << path;
    EXPECT_TRUE(response.headers.empty()) << path;
    EXPECT_TRUE(response.body.empty()) << path;
    EXPECT_GT(response.timing.total_ms, 0) << path;
  }
  EXPECT_EQ(this->server.connections_accepted(), 1u);  // every response was read to its end

  for (const std::string path : {"/large/100000", "/chunked/100000"}) {
    http::HttpRequest capped = get(this->server.url(path));
    capped.discard_response = true;
    capped.max_response_bytes = 1000;
    const http::HttpResponse refused = send_and_wait(this->io, client, capped);
    EXPECT_EQ(refused.error, http::HttpErrorCategory::kTooLarge) << path << ": " << refused.error_message;
  }
}

// A response that never ends (a chunk every 20 ms, forever) is a timeout at
// the request's budget, not a hang.
TYPED_TEST(HttpClientContractTest, AResponseThatNeverEndsTimesOut) {
  golive::testing::StreamingServer trickle("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "1\r\nx\r\n",
                                           UINT64_MAX, 20ms);
  TypeParam client(this->io);
  http::HttpRequest request = get(trickle.url());
  request.timeout = 1s;
  const auto started = std::chrono::steady_clock::now();
  const http::HttpResponse response = send_and_wait(this->io, client, request);
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTimeout) << response.error_message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  EXPECT_GT(trickle.body_bytes_written(), 0u);
}

// 1 GB offered, close-delimited, chunked and declared: the body stops at the
// cap as kTooLarge, the client stops reading, and memory stays bounded.
TYPED_TEST(HttpClientContractTest, AGigabyteBodyIsCappedWithBoundedMemory) {
  const std::uint64_t gigabyte = 1ull << 30;
  const std::string block(64 << 10, 'g');
  const std::string chunk = "10000\r\n" + block + "\r\n";  // 0x10000 = 64 KiB
  struct Variant {
    const char* name;
    std::string head;
    std::string piece;
  };
  for (const Variant& v : {Variant{"close-delimited", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", block},
                           Variant{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", chunk},
                           Variant{"declared", "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n", block}}) {
    golive::testing::StreamingServer server_1gb(v.head, v.piece, gigabyte, 0ms);
    TypeParam client(this->io);
    http::HttpRequest request = get(server_1gb.url());
    request.timeout = 20s;
    request.max_response_bytes = 16 << 20;
    const long before_kib = golive::testing::resident_kib();
    const http::HttpResponse response = send_and_wait(this->io, client, request);
    EXPECT_EQ(response.error, http::HttpErrorCategory::kTooLarge) << v.name << ": " << response.error_message;
    EXPECT_LE(response.body.size(), request.max_response_bytes) << v.name;
    EXPECT_LT(golive::testing::resident_kib() - before_kib, 96 * 1024) << v.name << ": memory grew past the cap";
    EXPECT_LT(server_1gb.body_bytes_written(), gigabyte / 4) << v.name << ": the client kept reading";
  }
}

TYPED_TEST(HttpClientContractTest, CancelAllCompletesEveryInFlightRequest) {
  TypeParam client(this->io);
  int cancelled = 0;
  for (int i = 0; i < 5; ++i) {
    client.send(get(this->server.url("/never")), [&](http::HttpResponse&& response) {
      if (response.error == http::HttpErrorCategory::kCancelled) ++cancelled;
    });
  }
  ASSERT_TRUE(run_until(this->io, [&] { return this->server.requests_received() == 5; }));
  client.cancel_all();
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ(cancelled, 0);  // posted, not run inside cancel_all()
  ASSERT_TRUE(run_until(this->io, [&] { return cancelled == 5; }));
  EXPECT_EQ(send_and_wait(this->io, client, get(this->server.url("/ok"))).status, 200);  // still usable
}

TYPED_TEST(HttpClientContractTest, CancelAllAlsoCompletesRequestsWaitingForAConnection) {
  http::ClientOptions options;
  options.max_connections_per_host = 3;  // two of the five wait in the queue
  TypeParam client(this->io, options);
  int cancelled = 0;
  for (int i = 0; i < 5; ++i) {
    client.send(get(this->server.url("/never")), [&](http::HttpResponse&& response) {
      if (response.error == http::HttpErrorCategory::kCancelled) ++cancelled;
    });
  }
  ASSERT_TRUE(run_until(this->io, [&] { return this->server.requests_received() == 3; }));
  client.cancel_all();
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ(client.open_connections(), 0u);
  EXPECT_EQ(cancelled, 0);  // posted, not run inside cancel_all()
  ASSERT_TRUE(run_until(this->io, [&] { return cancelled == 5; }));
  EXPECT_EQ(send_and_wait(this->io, client, get(this->server.url("/ok"))).status, 200);
}

TYPED_TEST(HttpClientContractTest, HostAllowlistRefusesOtherHostsWithoutConnecting) {
  http::ClientOptions options;
  options.host_policy = config::HostPolicy::for_target("http://127.0.0.1", {});
  TypeParam client(this->io, options);

  bool called = false;
  std::optional<http::HttpResponse> refused;
  client.send(get("http://LocalHost:" + std::to_string(this->server.port()) + "/ok"),
              [&](http::HttpResponse&& response) {
                called = true;
                refused = std::move(response);
              });
  EXPECT_FALSE(called);  // never inside send()
  ASSERT_TRUE(run_until(this->io, [&] { return refused.has_value(); }));
  EXPECT_EQ(refused->error, http::HttpErrorCategory::kNotAllowed);
  EXPECT_NE(refused->error_message.find("localhost"), std::string::npos);

  EXPECT_EQ(send_and_wait(this->io, client, get("file:///etc/passwd")).error, http::HttpErrorCategory::kNotAllowed);
  EXPECT_EQ(this->server.connections_accepted(), 0u);
  EXPECT_EQ(send_and_wait(this->io, client, get(this->server.url("/ok"))).status, 200);
}

TYPED_TEST(HttpClientContractTest, TimingBreakdownIsMonotonic) {
  TypeParam client(this->io);
  for (int i = 0; i < 2; ++i) {  // a fresh connection, then a reused one
    const http::HttpResponse response = send_and_wait(this->io, client, get(this->server.url("/delay/30")));
    ASSERT_EQ(response.status, 200);
    const http::HttpTiming& t = response.timing;
    EXPECT_GE(t.dns_ms, 0.0);
    EXPECT_LE(t.dns_ms, t.connect_ms);
    EXPECT_LE(t.connect_ms, t.tls_ms);
    EXPECT_LE(t.tls_ms, t.first_byte_ms);
    EXPECT_LE(t.first_byte_ms, t.total_ms);
    EXPECT_GE(t.first_byte_ms, 29.0);  // the server waited 30 ms before answering
    EXPECT_LT(t.total_ms, 2000.0);
    if (i == 0) {
      EXPECT_GT(t.connect_ms, 0.0);  // a fresh connection
    } else if constexpr (ClientTraits<TypeParam>::kReusedConnectionReportsZeroConnectTime) {
      EXPECT_EQ(t.connect_ms, 0.0);  // reused: no connect phase
    }
  }
}

TYPED_TEST(HttpClientContractTest, DestroyingWithRequestsInFlightLeavesNothingBehind) {
  const std::size_t descriptors_before = this->settled_descriptor_count();
  int called = 0;
  {
    TypeParam client(this->io);
    for (int i = 0; i < 20; ++i) {
      client.send(get(this->server.url(i % 2 ? "/never" : "/ok")), [&](http::HttpResponse&&) { ++called; });
    }
    ASSERT_TRUE(
        run_until(this->io, [&] { return this->server.requests_received() >= 20 && called == 10; }));
  }
  // Handlers queued for the dead client must be harmless no-ops.
  this->io.restart();
  this->io.run_for(50ms);
  EXPECT_EQ(called, 10);  // the /ok ones completed before; /never ones are dropped
  // Every client socket is closed; the in-process server still holds its 10
  // never-answered connections (it closes the others once it reads EOF).
  EXPECT_TRUE(eventually([&] { return open_descriptor_count() == descriptors_before + 10; }))
      << open_descriptor_count() << " descriptors, expected " << descriptors_before + 10;
}

TYPED_TEST(HttpClientContractTest, ClosedConnectionsReleaseTheirDescriptors) {
  using Traits = ClientTraits<TypeParam>;
  const std::size_t descriptors_before = this->settled_descriptor_count();
  TypeParam client(this->io);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(send_and_wait(this->io, client, get(this->server.url("/close"))).status, 200);
  }
  EXPECT_EQ(this->server.connections_accepted(), 21u);  // one of them was the warm-up's
  EXPECT_EQ(client.open_connections(), 0u);
  EXPECT_TRUE(eventually([&] { return open_descriptor_count() == descriptors_before + Traits::kIdleDescriptors; }))
      << open_descriptor_count() << " descriptors, " << descriptors_before + Traits::kIdleDescriptors
      << " expected";
}

}  // namespace
}  // namespace golive::core

namespace golive::core {
namespace {

template <typename Client>
class HostSpellingTest : public ::testing::Test {};
using BothClients = ::testing::Types<http::CurlHttpClient, http::NativeHttpClient>;
TYPED_TEST_SUITE(HostSpellingTest, BothClients, ClientName);

// A base URL spelled in capitals or with a trailing dot is the same host:
// the policy built from it allows every spelling, the request is sent and
// answered, and a host outside the policy is still refused unsent.
TYPED_TEST(HostSpellingTest, UpperCaseAndTrailingDotHostsAreOneHost) {
  boost::asio::io_context io{1};
  TestHttpServer server;
  const std::string port = std::to_string(server.port());
  http::ClientOptions options;
  options.host_policy = config::HostPolicy::for_target("http://LOCALHOST:" + port, {});
  TypeParam client(io, options);
  for (const std::string base : {"http://LOCALHOST:", "http://localhost.:", "http://LocalHost:"}) {
    const http::HttpResponse response = send_and_wait(io, client, get(base + port + "/ok"));
    EXPECT_EQ(response.error, http::HttpErrorCategory::kNone) << base << ": " << response.error_message;
    EXPECT_EQ(response.status, 200) << base;
  }
  const std::size_t accepted = server.connections_accepted();
  EXPECT_EQ(send_and_wait(io, client, get("http://127.0.0.1:" + port + "/ok")).error,
            http::HttpErrorCategory::kNotAllowed);
  EXPECT_EQ(server.connections_accepted(), accepted);  // refused unsent
}

TYPED_TEST(HostSpellingTest, Ipv6LoopbackInBrackets) {
  boost::asio::io_context io{1};
  TestHttpServer server("::1");
  http::ClientOptions options;
  options.host_policy = config::HostPolicy::for_target(server.url(""), {});
  TypeParam client(io, options);
  const http::HttpResponse response = send_and_wait(io, client, get(server.url("/ok")));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kNone) << response.error_message;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
}

}  // namespace
}  // namespace golive::core
