// The Sentry ingest sink and the event rules on their own (no target):
// envelopes with and without item lengths, the key from X-Sentry-Auth, the
// query and the envelope's dsn, gzip bodies, the legacy store endpoint,
// refusals (wrong key, corrupt gzip, not an ingest path), and the context,
// stack trace and PII rules over hand-written events.
#include "observability/sentry_sink.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/curl/curl_http_client.hpp"
#include "core/input_error.hpp"
#include "observability/sentry_api.hpp"
#include "observability/sentry_checks.hpp"
#include "observability/sentry_envelope.hpp"
#include "observability/sentry_event_checks.hpp"

namespace golive::observability {
namespace {

const nlohmann::json kEvent = {
    {"event_id", "0123456789abcdef0123456789abcdef"},
    {"environment", "staging"},
    {"release", "app@1.2.3"},
    {"user", {{"id", "u-1"}}},
    {"tags", {{"course_id", "c-1"}}},
    {"exception",
     {{"values",
       {{{"type", "Error"},
         {"value", "boom"},
         {"stacktrace", {{"frames", {{{"function", "f"}, {"lineno", 3}}}}}}}}}}}};

std::string envelope_of(const nlohmann::json& event, bool with_length = true) {
  const std::string payload = event.dump();
  nlohmann::json item = {{"type", "event"}};
  if (with_length) item["length"] = payload.size();
  return nlohmann::json{{"event_id", event.value("event_id", "")}}.dump() + "\n" +
         nlohmann::json{{"type", "client_report"}}.dump() + "\n{}\n" + item.dump() + "\n" +
         payload + "\n";
}

http::HttpResponse post(const std::string& url, const std::string& body, http::HeaderList headers) {
  http::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.body = body;
  request.headers = std::move(headers);
  request.timeout = std::chrono::milliseconds(5000);
  return http::fetch(request);
}

TEST(SentryEnvelope, ParsesItemsWithAndWithoutLength) {
  for (const bool with_length : {true, false}) {
    std::string error;
    const auto envelope = parse_envelope(envelope_of(kEvent, with_length), error);
    ASSERT_TRUE(envelope) << error;
    ASSERT_EQ(envelope->items.size(), 2u);
    EXPECT_EQ(envelope->items[0].type(), "client_report");
    const auto events = envelope_events(*envelope, error);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["user"]["id"], "u-1");
  }
}

TEST(SentryEnvelope, RefusesALengthPastTheEnd) {
  std::string error;
  EXPECT_FALSE(parse_envelope("{}\n{\"type\":\"event\",\"length\":500}\n{}\n", error));
  EXPECT_NE(error.find("runs past"), std::string::npos) << error;
  EXPECT_FALSE(parse_envelope("not json\n", error));
}

TEST(SentryEnvelope, FindsTheKeyWhereverSdksPutIt) {
  EXPECT_EQ(sentry_key_from_auth_header(
                "Sentry sentry_version=7, sentry_client=raven/1.0, sentry_key=abc123"),
            "abc123");
  EXPECT_EQ(sentry_key_from_query("sentry_version=7&sentry_key=k%2Dey&sentry_client=x"), "k-ey");
  EXPECT_EQ(sentry_key_from_dsn("https://pub:secret@o1.ingest.sentry.io/42"), "pub");
  EXPECT_EQ(sentry_project_from_dsn("https://pub@o1.ingest.sentry.io/42"), "42");
  EXPECT_EQ(sentry_key_from_dsn("https://o1.ingest.sentry.io/42"), "");
}

TEST(SentryEnvelope, GzipRoundTripsAndCorruptionIsAnError) {
  const std::string body(100000, 'x');
  std::string error;
  const auto inflated = inflate_body(gzip_body(body), 1 << 20, error);
  ASSERT_TRUE(inflated) << error;
  EXPECT_EQ(*inflated, body);
  EXPECT_FALSE(inflate_body(gzip_body(body), 1000, error));  // inflates past the cap
  EXPECT_FALSE(inflate_body("\x1f\x8b garbage", 1 << 20, error));
}

TEST(SentrySink, AcceptsEnvelopesAndStoreWithTheDsnKey) {
  SentrySink sink("127.0.0.1", 0, "pubkey");
  EXPECT_EQ(SentrySink::running_at(sink.address()), &sink);
  EXPECT_EQ(sink.dsn("7"), "http://pubkey@" + sink.address() + "/7");
  const std::string base = "http://" + sink.address() + "/api/7/";

  const auto envelope = post(base + "envelope/", envelope_of(kEvent),
                             {{"X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=pubkey"}});
  ASSERT_EQ(envelope.status, 200) << envelope.body;
  EXPECT_EQ(nlohmann::json::parse(envelope.body)["id"], kEvent["event_id"]);

  const auto gzipped = post(base + "envelope/?sentry_key=pubkey&sentry_version=7",
                            gzip_body(envelope_of(kEvent)), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(gzipped.status, 200) << gzipped.body;

  const auto store = post(base + "store/", kEvent.dump(),
                          {{"X-Sentry-Auth", "Sentry sentry_key=pubkey, sentry_version=7"}});
  EXPECT_EQ(store.status, 200) << store.body;

  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 3u);
  EXPECT_EQ(deliveries[0].endpoint, "envelope");
  EXPECT_EQ(deliveries[1].content_encoding, "gzip");
  EXPECT_EQ(deliveries[2].endpoint, "store");
  for (const auto& delivery : deliveries) {
    EXPECT_TRUE(delivery.accepted()) << delivery.error;
    EXPECT_EQ(delivery.project_id, "7");
    ASSERT_EQ(delivery.events.size(), 1u);
    EXPECT_EQ(delivery.events[0]["tags"]["course_id"], "c-1");
  }
}

// An event as Sentry's web API documents it (GET .../events/{id}/): tags as
// key/value pairs with the environment among them, the release as an object,
// the exception as an entry. Written for this test from the API's reference.
TEST(SentryApi, AnApiEventTakesTheShapeTheSdksSend) {
  const nlohmann::json api_event = nlohmann::json::parse(R"({
    "eventID": "9999aaaaca8b46d797c23c6077c6ff01", "id": "9999aaafcc8b46d797c23c6077c6ff01",
    "groupID": "1341191803", "title": "AiJobDeadLettered: AI job j-1 failed", "platform": "node",
    "dateCreated": "2026-12-06T12:00:00.000000Z",
    "tags": [{"key": "environment", "value": "staging"}, {"key": "course_id", "value": "c-1"},
             {"key": "level", "value": "error"}],
    "user": {"id": "u-1"},
    "release": {"version": "app@1.2.3", "dateCreated": "2026-12-01T00:00:00Z"},
    "entries": [{"type": "breadcrumbs", "data": {"values": []}},
                {"type": "exception", "data": {"values": [{"type": "Error", "value": "boom",
                  "stacktrace": {"frames": [{"function": "f", "lineNo": 3}]}}]}}]})");
  const nlohmann::json event = sdk_shape_of_api_event(api_event);
  EXPECT_EQ(event["event_id"], "9999aaaaca8b46d797c23c6077c6ff01");
  EXPECT_EQ(event["environment"], "staging");
  EXPECT_EQ(event["release"], "app@1.2.3");
  EXPECT_EQ(event["tags"]["course_id"], "c-1");
  EXPECT_EQ(sentry_frame_count(event), 1);
  EXPECT_TRUE(sentry_context_failures(event, {"staging", "u-1", "c-1"}).empty());
  // A release Sentry does not know is null: no release.
  EXPECT_EQ(sdk_shape_of_api_event(nlohmann::json{{"release", nullptr}})["release"], "");
}

TEST(SentrySink, AnswersSentrysEventsApiForWhatItAccepted) {
  SentrySink sink("127.0.0.1", 0, "pubkey");
  ASSERT_EQ(post("http://" + sink.address() + "/api/7/envelope/", envelope_of(kEvent),
                 {{"X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=pubkey"}})
                .status,
            200);
  const std::string events = "http://" + sink.address() + "/api/0/projects/acme/api/events/";
  http::HttpRequest request;
  request.url = events + "?full=true&query=u-1";
  request.headers = {{"Authorization", "Bearer token"}};
  request.timeout = std::chrono::milliseconds(5000);
  const auto found = http::fetch(request);
  ASSERT_EQ(found.status, 200) << found.body;
  const nlohmann::json list = nlohmann::json::parse(found.body);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["eventID"], kEvent["event_id"]);
  EXPECT_EQ(sdk_shape_of_api_event(list[0])["environment"], "staging");
  request.url = events + "?query=nobody";
  EXPECT_EQ(nlohmann::json::parse(http::fetch(request).body).size(), 0u);
  request.headers.clear();
  EXPECT_EQ(http::fetch(request).status, 401);
}

config::Environment env_with_sentry(const nlohmann::json& sentry) {
  config::Environment env;
  env.source_file = "staging.json";
  env.sections["observability"] = {{"sentry", sentry}};
  return env;
}

TEST(SentryApi, SettingsNeedAUrlOrgProjectAndToken) {
  const SentrySettings settings = read_sentry_settings(env_with_sentry(
      {{"api", {{"url", "https://sentry.io/"}, {"org", "acme"}, {"project", "api"}, {"token", "t"}}}}));
  EXPECT_TRUE(settings.configured());
  EXPECT_EQ(settings.api.url, "https://sentry.io");
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {{{"api", {{"url", "sentry.io"}, {"org", "a"}, {"project", "p"}, {"token", "t"}}}}, "/observability/sentry/api/url"},
      {{{"api", {{"url", "https://sentry.io"}, {"org", "a"}, {"project", "p"}}}}, "/observability/sentry/api"},
      {{{"api", {{"url", "https://sentry.io"}, {"org", "a"}, {"project", "p"}, {"token", "t"}, {"x", 1}}}},
       "/observability/sentry/api/x"},
  };
  for (const auto& [sentry, pointer] : cases) {
    try {
      read_sentry_settings(env_with_sentry(sentry));
      ADD_FAILURE() << "accepted " << sentry.dump();
    } catch (const core::InputError& error) {
      EXPECT_EQ(error.file(), "staging.json");
      EXPECT_EQ(error.location(), pointer) << error.what();
    }
  }
}

TEST(SentrySink, RefusesWrongKeysCorruptBodiesAndOtherPaths) {
  SentrySink sink("127.0.0.1", 0, "pubkey");
  const std::string base = "http://" + sink.address();
  EXPECT_EQ(post(base + "/api/1/envelope/", envelope_of(kEvent),
                 {{"X-Sentry-Auth", "Sentry sentry_key=other"}})
                .status,
            401);
  EXPECT_EQ(post(base + "/api/1/envelope/", envelope_of(kEvent), {}).status, 401);
  EXPECT_EQ(post(base + "/api/1/envelope/?sentry_key=pubkey", "\x1f\x8b not gzip",
                 {{"Content-Encoding", "gzip"}})
                .status,
            400);
  EXPECT_EQ(post(base + "/api/1/other/", "{}", {}).status, 404);
  const auto deliveries = sink.deliveries();
  ASSERT_EQ(deliveries.size(), 4u);
  EXPECT_NE(deliveries[0].error.find("not the DSN's key"), std::string::npos) << deliveries[0].error;
  EXPECT_FALSE(deliveries[0].accepted());
  // A key in the envelope header's dsn counts when no other is given.
  const std::string with_dsn = nlohmann::json{{"dsn", "http://pubkey@x/1"}}.dump() + "\n" +
                               nlohmann::json{{"type", "event"}}.dump() + "\n" + kEvent.dump();
  EXPECT_EQ(post(base + "/api/1/envelope/", with_dsn, {}).status, 200);
}

TEST(SentrySink, APortInUseIsAClearError) {
  SentrySink first;
  try {
    SentrySink second("127.0.0.1", first.port());
    FAIL() << "bound a port already in use";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(first.address()), std::string::npos) << error.what();
  }
}

TEST(SentryEventChecks, ContextNeedsEnvironmentUserCourseAndRelease) {
  EXPECT_TRUE(sentry_context_failures(kEvent, {"staging", "u-1", "c-1"}).empty());
  nlohmann::json bare = kEvent;
  bare.erase("user");
  bare.erase("tags");
  bare.erase("release");
  bare["environment"] = "production";
  const auto failures = sentry_context_failures(bare, {"staging", "u-1", "c-1"});
  ASSERT_EQ(failures.size(), 4u);
  EXPECT_NE(failures[0].find("\"production\""), std::string::npos);
  EXPECT_NE(failures[1].find("user.id"), std::string::npos);
  EXPECT_NE(failures[2].find("course_id"), std::string::npos);
  EXPECT_NE(failures[3].find("release"), std::string::npos);
  // course_id as a context counts as much as a tag.
  bare = kEvent;
  bare.erase("tags");
  bare["contexts"] = {{"course", {{"id", "c-1"}}}};
  EXPECT_TRUE(sentry_context_failures(bare, {"staging", "u-1", "c-1"}).empty());
}

TEST(SentryEventChecks, StackTraceNeedsFrames) {
  EXPECT_EQ(sentry_stacktrace_failure(kEvent), "");
  EXPECT_EQ(sentry_frame_count(kEvent), 1u);
  nlohmann::json no_frames = kEvent;
  no_frames["exception"]["values"][0]["stacktrace"]["frames"] = nlohmann::json::array();
  EXPECT_NE(sentry_stacktrace_failure(no_frames), "");
  EXPECT_NE(sentry_stacktrace_failure({{"message", "only text"}}).find("no exception"),
            std::string::npos);
}

TEST(SentryEventChecks, PiiFindingsNameWhatAndWhereNeverTheValue) {
  nlohmann::json leaky = kEvent;
  leaky["user"]["email"] = "golive-obs-1@example.test";
  leaky["extra"] = {{"config", {{"webhook_secret", "whsec_abcdefghijkl"}}}};
  const std::vector<SensitiveValue> sensitive = {{"golive-obs-1@example.test", "the test user's email"},
                                                 {"p4ssw0rd-long", "the test user's password"}};
  const auto findings = sentry_pii_findings(leaky.dump(), leaky, sensitive);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0], "the test user's email is at /user/email");
  EXPECT_EQ(findings[1], "a whsec_... secret is at /extra/config/webhook_secret");
  EXPECT_TRUE(sentry_pii_findings(kEvent.dump(), kEvent, sensitive).empty());
  // The word alone is not a secret.
  nlohmann::json word = kEvent;
  word["extra"] = {{"note", "rotate whsec_ keys yearly"}};
  EXPECT_TRUE(sentry_pii_findings(word.dump(), word, sensitive).empty());
}

}  // namespace
}  // namespace golive::observability
