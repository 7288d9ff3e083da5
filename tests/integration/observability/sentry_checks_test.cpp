// The Sentry checks against the real reference target: the service is
// started with a DSN on golive's Sentry sink (its built-in mock AI provider
// answers MOCK_AI_FAIL with 503 until the job is dead-lettered). Every observability.sentry.* check passes on the clean
// service; sentry-no-context fails the context check and sentry-leaks-pii the
// no_pii check. Plus the settings' validation and the skip without a sink,
// and the whole suite with the metrics scraped around it (clean, and the
// metrics-missing-business defect), with the embedded alert rules,
// Alertmanager configuration and dashboard judged against the real scrape,
// and the structured log lines of the provoked events (clean, and the
// log-missing-payment-failed defect), and the uptime checks over golive's own
// watch of the target (clean, and the version-down defect).
#include "observability/sentry_checks.hpp"
#include "observability/observability_suite.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdlib>
#include <map>

#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "observability/metrics_checks.hpp"
#include "observability/sentry_sink.hpp"
#include "observability/uptime_checks.hpp"
#include "tests/support/curl_reproduction.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::observability {
namespace {

// Started before the target (the service needs its DSN) and outliving it.
SentrySink& sentry() {
  static SentrySink instance("127.0.0.1", 0, "5f0c6a1d2e3b4c5d6e7f8091a2b3c4d5");
  return instance;
}

testing::ReferenceEnv& target() {
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  testing::ReferenceEnv::Options options;
  options.sentry_dsn = sentry().dsn();
  return testing::shared_reference_env(options);
}

config::Environment load_env(core::Redactor& redactor, const std::string& listen,
                             const std::string& dsn) {
  ::setenv("GOLIVE_SENTRY_SINK_ADDRESS", listen.c_str(), 1);
  ::setenv("GOLIVE_SENTRY_DSN", dsn.c_str(), 1);
  return config::load_environment(target().write_env_file(), config::process_variables(), redactor);
}

std::map<std::string, core::CheckResult> run_checks(const std::string& listen,
                                                    const std::string& dsn) {
  core::Redactor redactor;
  const config::Environment env = load_env(redactor, listen, dsn);
  core::CollectingSink sink;
  run_sentry_checks(env, false, sink);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  return by_id;
}

std::string describe(const core::CheckResult& result) {
  return result.id + ": " + core::to_string(result.status) + ": " + result.message + "\n" +
         result.evidence.dump();
}

TEST(SentryChecks, EveryCheckPassesOnTheCleanTarget) {
  const auto results = run_checks(sentry().address(), sentry().dsn());
  ASSERT_EQ(results.size(), 4u);
  for (const auto& [id, result] : results) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << describe(result);
  }
  const auto& context = results.at("observability.sentry.context");
  ASSERT_EQ(context.status, core::CheckStatus::kPass) << describe(context);
  EXPECT_EQ(context.evidence["event"]["environment"], "local") << describe(context);
  EXPECT_FALSE(context.evidence["event"]["user"]["id"].get<std::string>().empty());
  std::cout << "[ measure ] error to Sentry event: "
            << results.at("observability.sentry.delivered").evidence["after_ms"] << " ms\n";
}

// The same checks when the target's DSN points at a real Sentry: golive finds
// the event through Sentry's web API (here the sink's, which answers it for
// what it accepted), and the no-context defect still fails the context check.
TEST(SentryChecks, ThroughTheSentryApiTheEventIsFoundAndJudgedAlike) {
  const auto through_api = [] {
    core::Redactor redactor;
    config::Environment env = load_env(redactor, sentry().address(), sentry().dsn());
    env.sections["observability"]["sentry"] = {
        {"api", {{"url", "http://" + sentry().address()}, {"org", "golive"}, {"project", "1"}, {"token", "t"}}},
        {"dsn", sentry().dsn()}};
    core::CollectingSink sink;
    run_sentry_checks(env, false, sink);
    std::map<std::string, core::CheckResult> by_id;
    for (const auto& result : sink.results()) by_id[result.id] = result;
    return by_id;
  };
  auto results = through_api();
  ASSERT_EQ(results.size(), 4u);
  for (const auto& [id, result] : results) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << describe(result);
  }
  EXPECT_EQ(results.at("observability.sentry.delivered").evidence["provoked"]["sink"],
            "http://" + sentry().address());

  target().restart_service({"sentry-no-context"});
  results = through_api();
  target().restart_service({});
  EXPECT_EQ(results.at("observability.sentry.delivered").status, core::CheckStatus::kPass);
  EXPECT_EQ(results.at("observability.sentry.context").status, core::CheckStatus::kFail)
      << describe(results.at("observability.sentry.context"));
}

TEST(SentryChecks, TheNoContextDefectIsCaught) {
  target().restart_service({"sentry-no-context"});
  const auto results = run_checks(sentry().address(), sentry().dsn());
  target().restart_service({});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results.at("observability.sentry.delivered").status, core::CheckStatus::kPass)
      << describe(results.at("observability.sentry.delivered"));
  const auto& context = results.at("observability.sentry.context");
  EXPECT_EQ(context.status, core::CheckStatus::kFail) << describe(context);
  EXPECT_NE(context.message.find("no user.id"), std::string::npos) << context.message;
  EXPECT_NE(context.message.find("no course_id"), std::string::npos) << context.message;
  EXPECT_EQ(results.at("observability.sentry.no_pii").status, core::CheckStatus::kPass);
}

TEST(SentryChecks, ThePiiLeakDefectIsCaught) {
  target().restart_service({"sentry-leaks-pii"});
  const auto results = run_checks(sentry().address(), sentry().dsn());
  target().restart_service({});
  ASSERT_EQ(results.size(), 4u);
  const auto& pii = results.at("observability.sentry.no_pii");
  EXPECT_EQ(pii.status, core::CheckStatus::kFail) << describe(pii);
  EXPECT_NE(pii.message.find("the test user's email is at /extra/user_email"), std::string::npos)
      << pii.message;
  EXPECT_NE(pii.message.find("webhook secret"), std::string::npos) << pii.message;
  EXPECT_EQ(results.at("observability.sentry.context").status, core::CheckStatus::kPass);
}

TEST(SentryChecks, AWrongDsnKeyFailsDelivery) {
  // golive expects another key than the one the target sends with.
  const std::string address = sentry().address();
  const auto results = run_checks(address, "http://not-the-targets-key@" + address + "/1");
  const auto& delivered = results.at("observability.sentry.delivered");
  EXPECT_EQ(delivered.status, core::CheckStatus::kFail) << describe(delivered);
  EXPECT_NE(delivered.message.find("not the key of observability.sentry.dsn"), std::string::npos)
      << delivered.message;
}

TEST(SentryChecks, SkipsWithoutASinkAndRefusesMalformedSettings) {
  const auto results = run_checks("", "");
  ASSERT_EQ(results.size(), 4u);
  for (const auto& [id, result] : results) {
    EXPECT_EQ(result.status, core::CheckStatus::kSkip) << describe(result);
    EXPECT_NE(result.message.find("observability.sentry.sink_listen"), std::string::npos);
  }
  core::Redactor redactor;
  const config::Environment env = load_env(redactor, "localhost-no-port", "");
  try {
    read_sentry_settings(env);
    FAIL() << "accepted a malformed sink_listen";
  } catch (const core::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("/observability/sentry/sink_listen"),
              std::string::npos)
        << error.what();
  }
}

// The whole stage; `logs` replaces observability.logs when it is not null.
std::map<std::string, core::CheckResult> run_suite(const nlohmann::json& logs = nullptr) {
  core::Redactor redactor;
  config::Environment env = load_env(redactor, sentry().address(), sentry().dsn());
  if (!logs.is_null()) env.sections["observability"]["logs"] = logs;
  core::CollectingSink sink;
  run_observability_suite(env, false, sink);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  return by_id;
}

TEST(ObservabilitySuite, MetricsMoveOnTheCleanTargetAndMissingBusinessMetricsAreCaught) {
  auto results = run_suite();
  ASSERT_EQ(results.size(), 26u);  // Sentry 5, metrics 4, alerts 6, Alertmanager 2, dashboards 3, logs 4, uptime 2
  for (const auto& [id, result] : results) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << describe(result);
  }
  const auto& correlated = results.at("observability.logs.correlated");
  EXPECT_EQ(correlated.evidence["logged_request_id"], correlated.evidence["x_request_id_sent"])
      << describe(correlated);
  const auto& moves = results.at("observability.metrics.moves");
  EXPECT_GE(moves.evidence["request_counter_delta"].get<double>(), 20.0) << describe(moves);
  EXPECT_GE(moves.evidence["ai_duration_count_delta"].get<double>(), 1.0) << describe(moves);

  target().restart_service({"metrics-missing-business"});
  results = run_suite();
  target().restart_service({});
  const auto& required = results.at("observability.metrics.required");
  EXPECT_EQ(required.status, core::CheckStatus::kFail) << describe(required);
  EXPECT_NE(required.message.find("business metric"), std::string::npos) << required.message;
  EXPECT_EQ(results.at("observability.metrics.moves").status, core::CheckStatus::kPass);
}

// A scrape the target refuses fails the scrape check with the request as curl:
// the bearer token of observability.metrics stays a variable.
TEST(ObservabilitySuite, AFailedScrapeCarriesItsCurlReproduction) {
  core::Redactor redactor;
  const config::Environment env = load_env(redactor, sentry().address(), sentry().dsn());
  MetricsSettings settings;
  settings.urls = {env.url("/no-such-metrics")};
  settings.token = env.service_role_key;
  const MetricsScrape scrape = scrape_metrics(env, settings);
  ASSERT_FALSE(scrape.error.empty());
  core::CollectingSink sink;
  record_metrics_checks(settings, scrape, scrape, StageTraffic{}, sink);
  const std::vector<core::CheckResult> results = sink.results();
  ASSERT_FALSE(results.empty());
  const core::CheckResult& check = results.front();
  ASSERT_EQ(check.id, "observability.metrics.scrape");
  EXPECT_EQ(check.status, core::CheckStatus::kFail) << describe(check);
  std::string problems;
  const auto curl = testing::parse_curl_reproduction(check.evidence, "GET", env.url("/no-such-metrics"),
                                                     testing::reference_secret_values(target()), &problems);
  ASSERT_TRUE(curl.has_value()) << problems << describe(check);
  EXPECT_EQ(problems, "") << describe(check);
  ASSERT_TRUE(curl->header("Authorization").has_value()) << describe(check);
  EXPECT_EQ(curl->header("Authorization")->find(env.service_role_key), std::string::npos) << describe(check);
}

TEST(ObservabilitySuite, TheMissingPaymentFailedLogIsCaught) {
  target().restart_service({"log-missing-payment-failed"});
  const auto results = run_suite();
  target().restart_service({});
  const auto& events = results.at("observability.logs.critical_events");
  EXPECT_EQ(events.status, core::CheckStatus::kFail) << describe(events);
  EXPECT_NE(events.message.find("PAYMENT_FAILED"), std::string::npos) << events.message;
  EXPECT_EQ(events.message.find("AI_RUN_START"), std::string::npos) << events.message;
  EXPECT_EQ(results.at("observability.logs.fields").status, core::CheckStatus::kPass);
  EXPECT_EQ(results.at("observability.logs.no_pii").status, core::CheckStatus::kPass);
}

// The failed payment golive sends carries its own X-Request-Id; a target that
// makes up its own id logs PAYMENT_FAILED under that one, and only the
// correlation check fails. The same target never reports the payment to
// Sentry, which only the Sentry payment check sees.
TEST(ObservabilitySuite, AnIgnoredRequestIdAndAnUnreportedPaymentAreEachCaught) {
  target().restart_service({"request-id-ignored", "sentry-payment-failed-unreported"});
  const auto results = run_suite();
  target().restart_service({});
  const auto& correlated = results.at("observability.logs.correlated");
  EXPECT_EQ(correlated.status, core::CheckStatus::kFail) << describe(correlated);
  EXPECT_NE(correlated.message.find("req_"), std::string::npos) << correlated.message;
  EXPECT_EQ(results.at("observability.logs.critical_events").status, core::CheckStatus::kPass);
  EXPECT_EQ(results.at("observability.logs.fields").status, core::CheckStatus::kPass);
  const auto& payment = results.at("observability.sentry.payment_failed");
  EXPECT_EQ(payment.status, core::CheckStatus::kFail) << describe(payment);
  EXPECT_NE(payment.message.find("no Sentry event naming the failed payment"), std::string::npos) << payment.message;
  EXPECT_EQ(results.at("observability.sentry.delivered").status, core::CheckStatus::kPass);
}

std::uint16_t free_loopback_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// The same log checks through the two other sources: the service's log read
// by a log command (`tail -F`, as a platform's `logs --tail` CLI does), and
// POSTed to golive's HTTP drain by the service itself (--log-drain, NDJSON
// batches, as a platform's log drain forwards them).
TEST(ObservabilitySuite, LogChecksPassThroughALogCommandAndAnHttpDrain) {
  const std::string log = target().state_dir() + "/service.log";
  const auto expect_logs_pass = [](const std::map<std::string, core::CheckResult>& results,
                                   const std::string& source) {
    for (const char* id : {"observability.logs.critical_events", "observability.logs.fields",
                           "observability.logs.no_pii", "observability.logs.correlated"}) {
      EXPECT_EQ(results.at(id).status, core::CheckStatus::kPass) << describe(results.at(id));
    }
    const auto& events = results.at("observability.logs.critical_events");
    EXPECT_NE(events.evidence["source"].get<std::string>().find(source), std::string::npos)
        << describe(events);
  };
  expect_logs_pass(run_suite({{"command", "exec tail -n 0 -F " + log}}), "command `exec tail");

  const std::string drain = "127.0.0.1:" + std::to_string(free_loopback_port());
  ::setenv("GOLIVE_REF_LOG_DRAIN", ("http://" + drain + "/drain").c_str(), 1);
  target().restart_service({});
  ::unsetenv("GOLIVE_REF_LOG_DRAIN");
  const auto results = run_suite({{"drain_listen", drain}});
  target().restart_service({});
  expect_logs_pass(results, "HTTP drain on " + drain);
  EXPECT_EQ(results.at("observability.logs.critical_events").evidence["source"].get<std::string>().find("(0 deliveries)"),
            std::string::npos);
}

TEST(UptimeChecks, TheWatchOfTheCleanTargetPassesAndTheVersionDownDefectIsCaught) {
  const auto uptime = [] {
    core::Redactor redactor;
    const config::Environment env = load_env(redactor, sentry().address(), sentry().dsn());
    const WatchSettings settings = read_watch_settings(env);
    EXPECT_EQ(settings.probes.size(), 2u);  // envs/local.json: health and version
    core::CollectingSink sink;
    run_uptime_checks(env, settings, sink);
    std::map<std::string, core::CheckResult> by_id;
    for (const auto& result : sink.results()) by_id[result.id] = result;
    return by_id;
  };
  auto results = uptime();
  ASSERT_EQ(results.size(), 2u);
  for (const auto& [id, result] : results) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << describe(result);
  }
  EXPECT_EQ(results.at("observability.uptime.probes_succeed").evidence["probes"]["version"]["success"], 3.0)
      << describe(results.at("observability.uptime.probes_succeed"));

  target().restart_service({"version-down"});
  results = uptime();
  const std::string base_url = target().base_url();
  target().restart_service({});
  EXPECT_EQ(results.at("observability.uptime.monitor_active").status, core::CheckStatus::kPass)
      << describe(results.at("observability.uptime.monitor_active"));
  const auto& succeed = results.at("observability.uptime.probes_succeed");
  EXPECT_EQ(succeed.status, core::CheckStatus::kFail) << describe(succeed);
  EXPECT_NE(succeed.message.find("version: its last run failed"), std::string::npos) << succeed.message;
  EXPECT_EQ(succeed.message.find("health"), std::string::npos) << succeed.message;
  // The failing probe's own request as curl (not the healthy one's).
  std::string problems;
  const auto curl = testing::parse_curl_reproduction(succeed.evidence, "GET", base_url + "/version",
                                                     testing::reference_secret_values(target()),
                                                     &problems);
  EXPECT_EQ(problems, "");
  ASSERT_TRUE(curl);
  EXPECT_EQ(curl->header("User-Agent"), "golive-watch");
  EXPECT_FALSE(results.at("observability.uptime.monitor_active").evidence.contains("reproduction"));
}

}  // namespace
}  // namespace golive::observability
