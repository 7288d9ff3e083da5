// Load balancing, seen from the client: the instance identity header
// (infra.instance_header) over a burst names at least min_instances
// instances; the failover drill stops one instance (infra.failover.
// stop_command) during a steady request rate and counts the errors clients
// see and how soon the balancer stops sending to it, then starts it again.
#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "core/external_tool.hpp"
#include "core/interrupt.hpp"
#include "infra/http_support.hpp"
#include "infra/infra_check.hpp"
#include "infra/infra_suite.hpp"

namespace golive::infra {

namespace {

const std::vector<std::string> kR64{"s001.R6.4", "s001.success.infrastructure_provisioned"};

core::ToolRun run_command(const std::string& command) {
  return core::run_tool({"/bin/sh", "-c", command}, {}, std::chrono::seconds(60));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void check_load_balancing(const config::Environment& env, const InfraSettings& settings, core::ResultSink& sink) {
  InfraCheck check(sink, "infra.lb.instances",
                   "At least " + std::to_string(settings.min_instances) + " API instances serve a burst",
                   core::Severity::kHigh, kR64);
  if (settings.instance_header.empty()) {
    check.skip("no infra.instance_header: instances cannot be told apart from the client side");
    return;
  }
  std::vector<http::HttpRequest> burst(static_cast<std::size_t>(settings.burst), infra_request(env, env.url("/health")));
  check.reproduce(infra_reproduction(env, burst.front()));  // one request of the burst
  const std::vector<http::HttpResponse> responses = infra_fetch_all(env, burst, 8);
  std::map<std::string, int> per_instance;
  int errors = 0, unnamed = 0;
  for (const auto& response : responses) {
    if (!response.transport_ok() || response.status >= 500) {
      ++errors;
      continue;
    }
    const auto name = response.header(settings.instance_header);
    if (!name || name->empty()) {
      ++unnamed;
      continue;
    }
    ++per_instance[*name];
  }
  int busiest = 0;
  for (const auto& [name, count] : per_instance) busiest = std::max(busiest, count);
  const int answered = settings.burst - errors - unnamed;
  const double share = answered > 0 ? static_cast<double>(busiest) / answered : 1.0;
  nlohmann::json evidence = {{"header", settings.instance_header}, {"burst", settings.burst},
                             {"per_instance", per_instance}, {"errors", errors}, {"without_header", unnamed},
                             {"busiest_share", share}, {"max_skew", settings.max_skew}};
  const int instances = static_cast<int>(per_instance.size());
  if (answered == 0) {
    check.fail("no response of the burst carried " + settings.instance_header + " (errors: " +
                   std::to_string(errors) + ")",
               evidence);
  } else if (instances < settings.min_instances) {
    check.fail(std::to_string(instances) + " instance(s) answered a burst of " + std::to_string(settings.burst) +
                   "; at least " + std::to_string(settings.min_instances) + " required",
               evidence);
  } else if (instances > 1 && share > settings.max_skew) {
    check.fail("the busiest instance took " + std::to_string(static_cast<int>(share * 100)) +
                   "% of the burst (bound " + std::to_string(static_cast<int>(settings.max_skew * 100)) + "%)",
               evidence);
  } else {
    check.pass(std::to_string(instances) + " instances answered the burst; the busiest took " +
                   std::to_string(static_cast<int>(share * 100)) + "%",
               evidence);
  }
}

void check_failover(const config::Environment& env, const InfraSettings& settings, bool drills_allowed,
                    core::ResultSink& sink) {
  InfraCheck check(sink, "infra.lb.failover",
                   "Stopping one instance under steady load costs (almost) no errors",
                   core::Severity::kHigh, kR64);
  if (settings.failover_stop_command.empty()) {
    check.skip("no infra.failover.stop_command/start_command: the failover drill needs a way to stop an instance");
    return;
  }
  if (!drills_allowed) {
    check.skip("refused on a production environment: set infra.allow_drills and pass --allow-production");
    return;
  }
  if (settings.instance_header.empty()) {
    check.skip("no infra.instance_header: the drill cannot see which instance stopped");
    return;
  }
  const int batch = std::max(1, settings.failover_rps / 10);  // every 100 ms
  const auto started = std::chrono::steady_clock::now();
  const double stop_at = settings.failover_duration_s / 3.0;
  bool stopped = false;
  core::ToolRun stop_run;
  std::map<std::string, double> last_seen;  // instance -> seconds since start
  std::map<std::string, int> per_instance;
  int sent = 0, errors = 0;
  double stop_time = 0;
  nlohmann::json error_samples = nlohmann::json::array();
  auto next = started;
  while (seconds_since(started) < settings.failover_duration_s && !core::interrupted()) {
    if (!stopped && seconds_since(started) >= stop_at) {
      // Never stop the only instance: that would take the API down.
      if (per_instance.size() < 2) break;
      stop_time = seconds_since(started);
      stop_run = run_command(settings.failover_stop_command);
      stopped = true;
      if (!stop_run.ok()) break;
    }
    std::vector<http::HttpRequest> requests(static_cast<std::size_t>(batch), infra_request(env, env.url("/health")));
    for (const auto& response : infra_fetch_all(env, requests, static_cast<std::size_t>(batch))) {
      ++sent;
      if (!response.transport_ok() || response.status >= 500) {
        ++errors;
        if (error_samples.size() < 5) error_samples.push_back(describe(response));
        continue;
      }
      const std::string name = response.header(settings.instance_header).value_or("");
      if (name.empty()) continue;
      ++per_instance[name];
      last_seen[name] = seconds_since(started);
    }
    next += std::chrono::milliseconds(100);
    std::this_thread::sleep_until(next);
  }
  if (!stopped) {
    check.fail(std::to_string(per_instance.size()) + " instance answered before the stop (" +
                   std::to_string(sent) + " requests): stopping it would take the API down, so the drill "
                   "did not stop anything; there is nothing to fail over to",
               {{"requests", sent}, {"errors", errors}, {"per_instance", per_instance}});
    return;
  }
  const core::ToolRun start_run = run_command(settings.failover_start_command);
  // Which instance stopped: the one last seen earliest after the stop.
  std::string stopped_instance;
  double stopped_last_seen = 1e9;
  for (const auto& [name, when] : last_seen) {
    if (when < stopped_last_seen) {
      stopped_last_seen = when;
      stopped_instance = name;
    }
  }
  const double error_rate = sent > 0 ? static_cast<double>(errors) / sent : 1.0;
  const double drain_s = stopped_instance.empty() ? -1 : std::max(0.0, stopped_last_seen - stop_time);
  nlohmann::json evidence = {{"requests", sent}, {"errors", errors}, {"error_rate", error_rate},
                             {"max_error_rate", settings.failover_max_error_rate},
                             {"rps", settings.failover_rps}, {"duration_s", settings.failover_duration_s},
                             {"stopped_at_s", stop_time}, {"per_instance", per_instance},
                             {"stopped_instance", stopped_instance}, {"last_response_after_stop_s", drain_s},
                             {"error_samples", error_samples}, {"stop_command_ok", stop_run.ok()},
                             {"start_command_ok", start_run.ok()}};
  const bool drained = !stopped_instance.empty() && per_instance.size() >= 2 && drain_s <= 2.0;
  if (!stop_run.ok()) {
    check.error("/infra/failover/stop_command failed: " + stop_run.describe(), evidence);
  } else if (!start_run.ok()) {
    check.error("/infra/failover/start_command failed: " + start_run.describe() +
                    " (the stopped instance may still be down)",
                evidence);
  } else if (per_instance.size() < 2) {
    check.fail("only " + std::to_string(per_instance.size()) +
                   " instance answered during the drill: stopping it leaves no instance to fail over to",
               evidence);
  } else if (error_rate > settings.failover_max_error_rate) {
    check.fail(std::to_string(errors) + " of " + std::to_string(sent) + " requests failed while " + stopped_instance +
                   " was stopped (budget " + std::to_string(settings.failover_max_error_rate * 100) + "%)",
               evidence);
  } else if (!drained) {
    check.fail("the balancer still sent to " + stopped_instance + " " + std::to_string(drain_s) +
                   " s after it was stopped",
               evidence);
  } else {
    check.pass(std::to_string(errors) + " error(s) in " + std::to_string(sent) + " requests at " +
                   std::to_string(settings.failover_rps) + " req/s while " + stopped_instance +
                   " was stopped; no response from it after the stop",
               evidence);
  }
}

}  // namespace golive::infra
