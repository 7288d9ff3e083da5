#include "load/sla.hpp"

#include <cstdio>

namespace golive::load {

namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// Percent with enough digits to tell 99.9 from 99.95.
std::string percent(double fraction) {
  std::string text = fixed(fraction * 100.0, 3);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text + "%";
}

}  // namespace

SlaVerdict evaluate_sla(const MetricSnapshot& snapshot, const config::SlaTargets& targets) {
  SlaVerdict verdict;
  verdict.availability_target = targets.availability;
  verdict.intended = snapshot.requests + snapshot.dropped_iterations;
  verdict.successes = snapshot.errors < verdict.intended ? verdict.intended - snapshot.errors : 0;
  if (verdict.intended > 0) {
    const double availability =
        static_cast<double>(verdict.successes) / static_cast<double>(verdict.intended);
    verdict.availability = availability;
    verdict.availability_met = availability >= targets.availability;
    const double allowed = 1.0 - targets.availability;
    const double used = 1.0 - availability;
    if (allowed > 0) {
      verdict.error_budget_consumed_pct = used / allowed * 100.0;
    } else if (used == 0) {
      verdict.error_budget_consumed_pct = 0.0;
    }
  }
  const struct {
    const char* name;
    double percentile;
    double target_ms;
  } slos[] = {{"p95", 95, targets.p95_ms}, {"p99", 99, targets.p99_ms}};
  for (const auto& slo : slos) {
    LatencySloVerdict latency;
    latency.name = slo.name;
    latency.percentile = slo.percentile;
    latency.target_ms = slo.target_ms;
    if (snapshot.latency.count() > 0) {
      latency.observed_ms =
          static_cast<double>(snapshot.latency.value_at_percentile(slo.percentile)) / 1000.0;
      latency.met = *latency.observed_ms <= slo.target_ms;
    }
    verdict.latency.push_back(latency);
  }
  return verdict;
}

bool SlaVerdict::met() const {
  if (!availability_met) return false;
  for (const LatencySloVerdict& slo : latency) {
    if (!slo.met) return false;
  }
  return true;
}

std::string SlaVerdict::message() const {
  std::string text;
  if (availability) {
    text = "availability " + percent(*availability) + " (target " + percent(availability_target) + ")";
    text += error_budget_consumed_pct
                ? ", error budget consumed " + fixed(*error_budget_consumed_pct, 1) + "%"
                : ", error budget exhausted";
  } else {
    text = "no requests measured (target " + percent(availability_target) + ")";
  }
  for (const LatencySloVerdict& slo : latency) {
    text += "; " + slo.name + " ";
    text += slo.observed_ms ? fixed(*slo.observed_ms, 1) + "ms" : std::string("n/a");
    text += (slo.met ? " <= " : " > ") + fixed(slo.target_ms, 0) + "ms";
  }
  return text;
}

nlohmann::json SlaVerdict::to_json() const {
  auto optional_number = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json latency_json = nlohmann::json::array();
  for (const LatencySloVerdict& slo : latency) {
    latency_json.push_back({{"name", slo.name},
                            {"percentile", slo.percentile},
                            {"target_ms", slo.target_ms},
                            {"observed_ms", optional_number(slo.observed_ms)},
                            {"met", slo.met}});
  }
  return {{"intended_requests", intended},
          {"successes", successes},
          {"availability", optional_number(availability)},
          {"availability_target", availability_target},
          {"availability_met", availability_met},
          {"error_budget_consumed_pct", optional_number(error_budget_consumed_pct)},
          {"latency", std::move(latency_json)},
          {"met", met()},
          {"message", message()}};
}

}  // namespace golive::load
