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
