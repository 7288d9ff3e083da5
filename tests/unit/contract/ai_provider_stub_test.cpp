// AiProviderStub on its own (no target): scripted faults are served in order
// to the requests carrying their marker, others get healthy answers (and the
// built-in mock's MOCK_AI_FAIL 503), every arrival is recorded, a silent
// answer makes the caller time out, and a slow body arrives whole but late.
#include "contract/ai_provider_stub.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "http/curl/curl_http_client.hpp"
#include "http/loopback_server.hpp"

namespace golive::contract {
namespace {

http::HttpResponse call(const AiProviderStub& stub, const std::string& input,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  http::HttpRequest request;
  request.method = "POST";
  request.url = stub.url();
  request.headers = {{"Content-Type", "application/json"}};
  request.body = nlohmann::json{{"input", input}, {"job_id", "job-1"}}.dump();
  request.timeout = timeout;
  return http::fetch(request);
}

TEST(AiProviderStub, ServesScriptedFaultsInOrderThenHealthyAnswers) {
  AiProviderStub stub;
  EXPECT_GT(stub.port(), 0);
  EXPECT_EQ(AiProviderStub::running_at(stub.address()), &stub);
  stub.script("MARK", {StubFault::server_error(503), StubFault::server_error(500)});
  EXPECT_EQ(call(stub, "x MARK y").status, 503);
  EXPECT_EQ(call(stub, "unrelated: Vectors").status, 200);
  EXPECT_EQ(call(stub, "x MARK y").status, 500);
  const http::HttpResponse healthy = call(stub, "Week 1: vectors. Week 2: MARK matrices");
  ASSERT_EQ(healthy.status, 200) << healthy.body;
  const auto body = nlohmann::json::parse(healthy.body);
  EXPECT_EQ(body["topics"][0], "Vectors");
  EXPECT_EQ(body["model"], "golive-stub-1");

  const auto marked = stub.arrivals("MARK");
  ASSERT_EQ(marked.size(), 3u);
  EXPECT_EQ(marked[0].action, "503");
  EXPECT_EQ(marked[1].action, "500");
  EXPECT_EQ(marked[2].action, "200");
  EXPECT_EQ(marked[0].job_id, "job-1");
  EXPECT_LE(marked[0].at, marked[1].at);
  EXPECT_EQ(stub.all_arrivals().size(), 4u);
}

TEST(AiProviderStub, HonoursTheMockFailureSwitch) {
  AiProviderStub stub;
  EXPECT_EQ(call(stub, "MOCK_AI_FAIL please").status, 503);
}

TEST(AiProviderStub, ASilentAnswerTimesTheCallerOut) {
  AiProviderStub stub;
  stub.script("SILENT", {StubFault::no_answer()});
  const auto started = std::chrono::steady_clock::now();
  const http::HttpResponse response = call(stub, "SILENT", std::chrono::milliseconds(300));
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTimeout) << response.error_message;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_EQ(call(stub, "SILENT again").status, 200);
}

TEST(AiProviderStub, ASlowBodyArrivesWholeButLate) {
  AiProviderStub stub;
  stub.script("SLOW", {StubFault::slow_body(400)});
  const auto started = std::chrono::steady_clock::now();
  const http::HttpResponse response = call(stub, "Topic one. SLOW");
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(response.status, 200) << response.error_message;
  EXPECT_TRUE(nlohmann::json::parse(response.body)["topics"].is_array());
  EXPECT_GE(waited, std::chrono::milliseconds(350));
}

TEST(AiProviderStub, ListenAddressesParseAndTheStubUnregistersWhenStopped) {
  std::string host;
  std::uint16_t port = 0;
  EXPECT_TRUE(http::split_listen_address("127.0.0.1:8080", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  EXPECT_FALSE(http::split_listen_address("127.0.0.1", host, port));
  EXPECT_FALSE(http::split_listen_address("127.0.0.1:0", host, port));
  EXPECT_FALSE(http::split_listen_address("127.0.0.1:http", host, port));
  std::string address;
  {
    AiProviderStub stub;
    address = stub.address();
    EXPECT_NE(AiProviderStub::running_at(address), nullptr);
  }
  EXPECT_EQ(AiProviderStub::running_at(address), nullptr);
}

}  // namespace
}  // namespace golive::contract
