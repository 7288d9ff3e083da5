#include "contract/ai_fault_checks.hpp"

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <thread>

#include "contract/ai_provider_stub.hpp"
#include "target/test_users.hpp"
#include "target/crypto.hpp"
#include "http/curl/curl_http_client.hpp"
#include "http/loopback_server.hpp"
#include "http/request_evidence.hpp"
#include "core/input_error.hpp"
#include "target/postgres.hpp"

namespace golive::contract {

namespace {

using Clock = std::chrono::steady_clock;

// The seed's policy: at most this many retries after the first call.
constexpr std::size_t kMaxRetries = 3;
// Exponential backoff: every gap between two calls is at least this many
// times the gap before it (2x nominal, with room for call latency jitter),
// less kSchedulingAllowance_ms, and the whole sequence grows by this factor
// per step.
constexpr double kMinBackoffGrowth = 1.5;
// How much later than scheduled a loaded machine may deliver one call (ms).
constexpr double kSchedulingAllowance_ms = 50;
// The first retry must not be immediate (ms).
constexpr double kMinFirstGap_ms = 10;
// Persistent failure: more 503s than any sane policy uses.
constexpr int kPersistentFailures = 12;
// Polling interval of GET /functions/v1/jobs/{id} (ms).
constexpr int kPollInterval_ms = 100;
// The slow body of the timeout check: trickled over this long (ms).
constexpr int kSlowBody_ms = 600;

constexpr const char* kIds[] = {"contract.ai_retry.backoff", "contract.ai_retry.dead_letter",
                                "contract.ai_retry.recovers", "contract.ai_retry.timeout", nullptr};

core::CheckResult base_result(const char* id, const char* title, core::Severity severity) {
  core::CheckResult result;
  result.id = id;
  result.suite = "contract";
  result.title = title;
  result.severity = severity;
  return result;
}

const char* title_of(const std::string& id) {
  if (id == kIds[0]) return "AI provider 5xx: at most 3 retries with exponential backoff";
  if (id == kIds[1]) return "A job that exhausts its retries is dead-lettered with error details";
  if (id == kIds[2]) return "A job whose provider recovers after two 5xx completes";
  return "A provider that never answers is timed out and retried";
}

// One AI job submitted for a fault script, followed to its end state.
struct JobRun {
  std::string marker;
  std::string job_id;
  nlohmann::json job;              // GET /functions/v1/jobs/{id} at the end (or last seen)
  std::vector<StubArrival> calls;  // the stub's view of the provider calls
  std::string error;               // why the job could not be submitted or followed
  double duration_ms = 0;
  http::HttpRequest submitted;     // the submit request: a failed check's reproduction
};

class FaultRunner {
 public:
  FaultRunner(const config::Environment& env, const target::TestUser& user, AiProviderStub& stub,
              std::int64_t job_timeout_ms)
      : env_(env), user_(user), stub_(stub), job_timeout_ms_(job_timeout_ms) {}

  JobRun run(std::vector<StubFault> faults) {
    JobRun run;
    const auto started = Clock::now();
    run.marker = "golive-fault-" + core::random_hex(8);
    stub_.script(run.marker, std::move(faults));
    submit(run);
    if (run.error.empty()) follow(run);
    run.calls = stub_.arrivals(run.marker);
    run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return run;
  }

 private:
  http::HeaderList headers() const {
    return {{"apikey", env_.anon_key},
            {"Authorization", "Bearer " + user_.access_token},
            {"Content-Type", "application/json"}};
  }

  void submit(JobRun& run) {
    http::HttpRequest request;
    request.method = "POST";
    request.url = env_.url(env_.paths.functions) + "/extract-topics";
    request.headers = headers();
    request.body =
        nlohmann::json{{"text", "Week 1: " + run.marker + " retries. Week 2: backoff."}}.dump();
    run.submitted = request;
    const http::HttpResponse response = http::fetch(request, http::client_options_for(env_));
    const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    if (!response.transport_ok() || response.status != 200 || !body.is_object() ||
        !body.contains("job_id") || !body["job_id"].is_string()) {
      run.error = "POST /functions/v1/extract-topics answered " + std::to_string(response.status) +
                  " " + response.error_message + " " + response.body.substr(0, 200);
      return;
    }
    run.job_id = body["job_id"].get<std::string>();
  }

  void follow(JobRun& run) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(job_timeout_ms_);
    http::HttpRequest request;
    request.url = env_.url(env_.paths.functions) + "/jobs/" + run.job_id;
    request.headers = headers();
    while (true) {
      const http::HttpResponse response = http::fetch(request, http::client_options_for(env_));
      const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
      if (response.transport_ok() && response.status == 200 && body.is_object()) {
        run.job = body;
        const std::string status = body.value("status", "");
        if (status == "completed" || status == "failed") return;
      }
      if (Clock::now() >= deadline) {
        run.error = "job " + run.job_id + " did not finish within " +
                    std::to_string(job_timeout_ms_) + " ms (last status \"" +
                    (run.job.is_object() ? run.job.value("status", "") : std::string()) + "\")";
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollInterval_ms));
    }
  }

  const config::Environment& env_;
  const target::TestUser& user_;
  AiProviderStub& stub_;
  std::int64_t job_timeout_ms_;
};

// Gaps between consecutive arrivals (ms).
std::vector<double> gaps_ms(const std::vector<StubArrival>& calls) {
  std::vector<double> gaps;
  for (std::size_t i = 1; i < calls.size(); ++i) {
    gaps.push_back(
        std::chrono::duration<double, std::milli>(calls[i].at - calls[i - 1].at).count());
  }
  return gaps;
}

nlohmann::json calls_evidence(const JobRun& run) {
  nlohmann::json calls = nlohmann::json::array();
  for (const auto& call : run.calls) {
    calls.push_back(
        {{"at_ms",
          std::chrono::duration<double, std::milli>(call.at - run.calls.front().at).count()},
         {"answer", call.action}});
  }
  return {{"job_id", run.job_id},
          {"marker", run.marker},
          {"provider_calls", calls},
          {"gaps_ms", gaps_ms(run.calls)},
          {"job", run.job}};
}

std::string join(const std::vector<std::string>& failures) {
  std::string text;
  for (const auto& failure : failures) text += (text.empty() ? "" : "; ") + failure;
  return text;
}

void settle(core::CheckResult& result, const std::vector<std::string>& failures,
            const std::string& pass_message) {
  result.status = failures.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  result.message = failures.empty() ? pass_message : join(failures);
}

std::string job_status(const JobRun& run) {
  return run.job.is_object() ? run.job.value("status", "") : "";
}

}  // namespace

std::vector<std::string> backoff_shortfalls(const std::vector<double>& gaps) {
  std::vector<std::string> failures;
  if (!gaps.empty() && gaps.front() < kMinFirstGap_ms) {
    failures.push_back("the first retry came " + std::to_string(gaps.front()) +
                       " ms after the failure: no backoff");
  }
  for (std::size_t i = 1; i < gaps.size(); ++i) {
    if (gaps[i] < kMinBackoffGrowth * gaps[i - 1] - kSchedulingAllowance_ms) {
      failures.push_back("gap " + std::to_string(i + 1) + " is " + std::to_string(gaps[i]) +
                         " ms after a gap of " + std::to_string(gaps[i - 1]) +
                         " ms: the backoff does not grow exponentially");
    }
  }
  if (gaps.size() >= 2) {
    const double growth = std::pow(kMinBackoffGrowth, static_cast<double>(gaps.size() - 1));
    if (gaps.back() < growth * gaps.front()) {
      failures.push_back("the last gap (" + std::to_string(gaps.back()) + " ms) is under " +
                         std::to_string(growth) + "x the first (" + std::to_string(gaps.front()) +
                         " ms): the backoff does not grow exponentially");
    }
  }
  return failures;
}

namespace {

core::CheckResult check_backoff(const JobRun& run) {
  core::CheckResult result = base_result(kIds[0], title_of(kIds[0]), core::Severity::kHigh);
  result.evidence = calls_evidence(run);
  std::vector<std::string> failures;
  const std::size_t calls = run.calls.size();
  if (calls < 2)
    failures.push_back("the provider was called " + std::to_string(calls) +
                       " time(s) for a 503: the job was not retried");
  if (calls > 1 + kMaxRetries)
    failures.push_back("the provider was called " + std::to_string(calls) +
                       " times: more than 3 retries");
  for (std::string& shortfall : backoff_shortfalls(gaps_ms(run.calls))) failures.push_back(std::move(shortfall));
  settle(result, failures,
         std::to_string(calls - 1) + " retries with growing gaps, then the job stopped calling");
  return result;
}

// The dead-lettered job, as the database holds it (when database_url is set).
std::optional<nlohmann::json> job_row(const config::Environment& env, const std::string& job_id) {
  if (env.database_url.empty()) return std::nullopt;
  target::DatabaseConnection connection = target::connect_database(env.database_url);
  if (!connection.ok()) return nlohmann::json{{"database_error", connection.error}};
  pqxx::work txn(*connection.connection);
  const pqxx::result row = txn.exec_params(
      "SELECT row_to_json(j)::text FROM (SELECT status, attempts, error FROM public.ai_jobs "
      "WHERE id = $1) j",
      job_id);
  txn.commit();
  if (row.empty()) return nlohmann::json(nullptr);
  return nlohmann::json::parse(row[0][0].as<std::string>(), nullptr, false);
}

core::CheckResult check_dead_letter(const config::Environment& env, const JobRun& run) {
  core::CheckResult result = base_result(kIds[1], title_of(kIds[1]), core::Severity::kHigh);
  result.evidence = {{"job_id", run.job_id}, {"job", run.job}};
  std::vector<std::string> failures;
  if (job_status(run) != "failed") {
    failures.push_back("after persistent 503s the job is \"" + job_status(run) +
                       "\", expected \"failed\"");
  }
  const nlohmann::json error =
      run.job.is_object() && run.job.contains("error") ? run.job["error"] : nlohmann::json(nullptr);
  if (!error.is_object()) {
    failures.push_back("the failed job carries no error object for admin review");
  } else {
    if (!error.contains("category") || !error["category"].is_string() ||
        error["category"].get<std::string>().empty()) {
      failures.push_back("error has no category");
    }
    if (!error.contains("message") || !error["message"].is_string()) {
      failures.push_back("error has no message");
    }
    if (!error.contains("attempts") || !error["attempts"].is_number_integer() ||
        error["attempts"].get<std::int64_t>() != static_cast<std::int64_t>(run.calls.size())) {
      failures.push_back("error.attempts is " +
                         (error.contains("attempts") ? error["attempts"].dump() : "missing") +
                         ", the provider saw " + std::to_string(run.calls.size()) + " calls");
    }
  }
  if (const auto row = job_row(env, run.job_id)) {
    result.evidence["database_row"] = *row;
    if (!row->is_object() || row->value("status", "") != "failed" || !(*row)["error"].is_object()) {
      failures.push_back("the ai_jobs row is not failed with an error in the database");
    }
  }
  settle(result, failures,
         "the exhausted job is failed with its error category, message and " +
             std::to_string(run.calls.size()) + " attempts recorded");
  return result;
}

core::CheckResult check_completes(const char* id, const JobRun& run, std::size_t expected_calls,
                                  const std::string& what) {
  core::CheckResult result = base_result(id, title_of(id), core::Severity::kHigh);
  result.evidence = calls_evidence(run);
  std::vector<std::string> failures;
  if (job_status(run) != "completed") {
    failures.push_back("after " + what + " the job is \"" + job_status(run) +
                       "\", expected \"completed\"");
  }
  if (run.calls.size() != expected_calls) {
    failures.push_back("the provider was called " + std::to_string(run.calls.size()) +
                       " time(s), expected " + std::to_string(expected_calls));
  }
  settle(result, failures,
         "after " + what + " the job completed on call " + std::to_string(expected_calls));
  return result;
}

}  // namespace

const char* const* ai_fault_check_ids() {
  return kIds;
}

AiStubConfig read_ai_stub_config(const config::Environment& env) {
  AiStubConfig config;
  const auto found = env.sections.find("contract");
  if (found == env.sections.end() || !found->second.contains("ai_provider_stub")) return config;
  const core::JsonReader reader =
      core::JsonReader(found->second, env.source_file, "/contract").at("ai_provider_stub");
  reader.as_object();
  reader.reject_unknown_keys({"listen", "job_timeout_ms"});
  config.listen = reader.string_or("listen", "");
  std::string host;
  std::uint16_t port = 0;
  if (!config.listen.empty() && !http::split_listen_address(config.listen, host, port)) {
    reader.at("listen").fail("must be HOST:PORT with a port 1..65535");
  }
  if (reader.has("job_timeout_ms")) {
    config.job_timeout_ms = reader.at("job_timeout_ms").as_integer();
    if (config.job_timeout_ms < 1000) reader.at("job_timeout_ms").fail("must be at least 1000");
  }
  return config;
}

void run_ai_fault_checks(const config::Environment& env, bool allow_production,
                         core::ResultSink& sink) {
  auto record_all = [&](core::CheckStatus status, const std::string& message) {
    for (const char* const* id = kIds; *id != nullptr; ++id) {
      core::CheckResult result = base_result(*id, title_of(*id), core::Severity::kHigh);
      result.status = status;
      result.message = message;
      sink.record(result);
    }
  };
  const AiStubConfig config = read_ai_stub_config(env);
  if (config.listen.empty()) {
    return record_all(core::CheckStatus::kSkip,
                      "no contract.ai_provider_stub.listen: the target's AI provider is not "
                      "pointed at golive's fault-injecting stub");
  }
  if (env.production && !allow_production) {
    return record_all(core::CheckStatus::kSkip,
                      "production environment: upstream fault injection needs --allow-production");
  }
  std::unique_ptr<AiProviderStub> own_stub;
  AiProviderStub* stub = AiProviderStub::running_at(config.listen);
  if (stub == nullptr) {
    std::string host;
    std::uint16_t port = 0;
    http::split_listen_address(config.listen, host, port);
    try {
      own_stub = std::make_unique<AiProviderStub>(host, port);
    } catch (const std::exception& error) {
      return record_all(core::CheckStatus::kError, error.what());
    }
    stub = own_stub.get();
  }
  const target::TestUsers users(env, http::client_options_for(env));
  target::TestUserOutcome user = users.acquire(0, "golive-contract");
  if (!user.user) return record_all(core::CheckStatus::kError, "no test user: " + user.error);

  FaultRunner runner(env, *user.user, *stub, config.job_timeout_ms);
  auto record = [&](core::CheckResult result, const JobRun& run) {
    if (!run.error.empty()) {
      result.status = core::CheckStatus::kError;
      result.message = run.error;
    }
    result.duration_ms = run.duration_ms;
    result.evidence["stub"] = stub->address();
    if (result.failed() && !run.submitted.url.empty()) {
      // The job's submission: the stub answers it with the same faults only
      // while its marker is scripted (evidence "marker").
      http::attach_reproduction(
          result, http::reproduction_of(run.submitted,
                                        http::ReproductionSecrets(env, core::Redactor::global())));
    }
    sink.record(result);
  };

  const JobRun persistent =
      runner.run(std::vector<StubFault>(kPersistentFailures, StubFault::server_error(503)));
  record(check_backoff(persistent), persistent);
  record(check_dead_letter(env, persistent), persistent);

  const JobRun recovering = runner.run(
      {StubFault::server_error(503), StubFault::server_error(502), StubFault::success()});
  record(check_completes(kIds[2], recovering, 3, "a 503 and a 502"), recovering);

  const JobRun silent = runner.run({StubFault::no_answer(), StubFault::slow_body(kSlowBody_ms)});
  record(check_completes(kIds[3], silent, 2, "an unanswered call and a slow body"), silent);

  users.release(*user.user);
}

}  // namespace golive::contract
