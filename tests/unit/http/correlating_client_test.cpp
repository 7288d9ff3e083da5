// CorrelatingClient against a real HTTP server (TestHttpServer's /echo
// returns the request's headers): traceparent and X-Request-Id arrive, well
// formed and sharing the trace id, different on every request; the
// environment's request_id_header = false leaves X-Request-Id out; a request
// that brings its own ids keeps them.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "http/correlating_client.hpp"
#include "http/native/native_http_client.hpp"
#include "tests/support/http_client_test_helpers.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::core {
namespace {

using golive::testing::get;
using golive::testing::send_and_wait;

nlohmann::json echoed_headers(const http::HttpResponse& response) {
  EXPECT_EQ(response.status, 200) << response.error_message;
  const nlohmann::json echo = nlohmann::json::parse(response.body, nullptr, false);
  return echo.is_object() && echo.contains("headers") ? echo["headers"] : nlohmann::json::object();
}

std::string header(const nlohmann::json& headers, const std::string& lowercase_name) {
  for (const auto& [name, value] : headers.items()) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == lowercase_name) return value.get<std::string>();
  }
  return "";
}

TEST(CorrelatingClientTest, EveryRequestCarriesAFreshTraceparentAndMatchingRequestId) {
  golive::testing::TestHttpServer server;
  boost::asio::io_context io{1};
  http::NativeHttpClient native(io);
  http::CorrelatingClient client(native, true);
  std::set<std::string> trace_ids;
  for (int i = 0; i < 3; ++i) {
    const nlohmann::json headers = echoed_headers(send_and_wait(io, client, get(server.url("/echo"))));
    const std::string traceparent = header(headers, "traceparent");
    ASSERT_TRUE(http::CorrelatingClient::valid_traceparent(traceparent)) << traceparent;
    const std::string trace_id = traceparent.substr(3, 32);
    EXPECT_EQ(header(headers, "x-request-id"), trace_id);
    trace_ids.insert(trace_id);
  }
  EXPECT_EQ(trace_ids.size(), 3u);
}

TEST(CorrelatingClientTest, RequestIdHeaderCanBeTurnedOffAndOwnIdsAreKept) {
  golive::testing::TestHttpServer server;
  boost::asio::io_context io{1};
  http::NativeHttpClient native(io);
  http::CorrelatingClient without_id(native, false);
  const nlohmann::json plain = echoed_headers(send_and_wait(io, without_id, get(server.url("/echo"))));
  EXPECT_TRUE(http::CorrelatingClient::valid_traceparent(header(plain, "traceparent")));
  EXPECT_EQ(header(plain, "x-request-id"), "");

  http::CorrelatingClient with_id(native, true);
  http::HttpRequest own = get(server.url("/echo"));
  const std::string mine = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  own.headers = {{"traceparent", mine}, {"X-Request-Id", "incident-42"}};
  const nlohmann::json kept = echoed_headers(send_and_wait(io, with_id, own));
  EXPECT_EQ(header(kept, "traceparent"), mine);
  EXPECT_EQ(header(kept, "x-request-id"), "incident-42");
}

// The ids stamp reports are the ones on the wire: an own
// traceparent lends its trace id to the X-Request-Id added for it, a
// malformed one leaves the trace unknown and a fresh request id; an own
// X-Request-Id is reported as it was sent.
TEST(CorrelatingClientTest, ReportedIdsMatchTheHeadersSent) {
  golive::testing::TestHttpServer server;
  boost::asio::io_context io{1};
  http::NativeHttpClient native(io);
  http::CorrelatingClient client(native, true);
  const auto value_of = [](const http::HttpRequest& request, const std::string& name) {
    std::string found;
    for (const auto& [header_name, value] : request.headers) {
      if (header_name == name) found = value;
    }
    return found;
  };

  http::HttpRequest fresh = get(server.url("/echo"));
  const http::CorrelationIds fresh_ids = client.stamp(fresh);
  ASSERT_TRUE(fresh_ids.trace_known);
  EXPECT_TRUE(fresh_ids.request_id_is_trace);
  EXPECT_EQ(value_of(fresh, "traceparent").substr(3, 32), fresh_ids.trace_id_text());
  EXPECT_EQ(value_of(fresh, "X-Request-Id"), fresh_ids.request_id_text());
  const nlohmann::json sent = echoed_headers(send_and_wait(io, native, fresh));
  EXPECT_EQ(header(sent, "x-request-id"), fresh_ids.trace_id_text());

  http::HttpRequest own_trace = get(server.url("/echo"));
  own_trace.headers = {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  const http::CorrelationIds own_trace_ids = client.stamp(own_trace);
  EXPECT_EQ(own_trace_ids.trace_id_text(), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(value_of(own_trace, "X-Request-Id"), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(own_trace.headers.size(), 2u);

  http::HttpRequest malformed = get(server.url("/echo"));
  malformed.headers = {{"traceparent", "not-a-trace"}};
  const http::CorrelationIds malformed_ids = client.stamp(malformed);
  EXPECT_FALSE(malformed_ids.trace_known);
  EXPECT_EQ(malformed_ids.trace_id_text(), "");
  EXPECT_EQ(malformed_ids.request_id_text().size(), 32u);
  EXPECT_EQ(value_of(malformed, "X-Request-Id"), malformed_ids.request_id_text());
  EXPECT_EQ(value_of(malformed, "traceparent"), "not-a-trace");

  http::HttpRequest own_id = get(server.url("/echo"));
  own_id.headers = {{"x-request-id", "incident-42"}};
  const http::CorrelationIds own_id_ids = client.stamp(own_id);
  EXPECT_TRUE(own_id_ids.trace_known);
  EXPECT_FALSE(own_id_ids.request_id_is_trace);
  EXPECT_EQ(own_id_ids.request_id_text(), "incident-42");
  EXPECT_EQ(own_id.headers.size(), 2u);  // a traceparent added, the id kept
}

TEST(CorrelatingClientTest, TraceparentValidationRejectsMalformedValues) {
  EXPECT_TRUE(http::CorrelatingClient::valid_traceparent(
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
  EXPECT_FALSE(http::CorrelatingClient::valid_traceparent(
      "00-00000000000000000000000000000000-b7ad6b7169203331-01"));
  EXPECT_FALSE(http::CorrelatingClient::valid_traceparent(
      "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01"));
  EXPECT_FALSE(http::CorrelatingClient::valid_traceparent("00-abc-def-01"));
}

}  // namespace
}  // namespace golive::core
