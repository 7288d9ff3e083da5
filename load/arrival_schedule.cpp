#include "load/arrival_schedule.hpp"

#include <cmath>

namespace golive::load {

ArrivalSchedule::ArrivalSchedule(const ScenarioProfile& scenario, double scale, double index_offset,
                                 double end_s)
    : index_offset_(index_offset) {
  double start_s = 0;
  double from = scenario.start * scale;
  for (const Stage& stage : scenario.stages) {
    const double to = stage.target * scale;
    if (scenario.stepped) from = to;  // a step: flat at its rate from its first instant
    segments_.push_back({start_s, stage.duration_s, from, to, total_});
    total_ += (from + to) / 2 * stage.duration_s;
    start_s += stage.duration_s;
    from = to;
  }
  end_s_ = end_s >= 0 && end_s < start_s ? end_s : start_s;
}

ArrivalSchedule::ArrivalSchedule(std::vector<double> due_times_s)
    : due_times_s_(std::move(due_times_s)), replay_(true) {
  total_ = static_cast<double>(due_times_s_.size());
  end_s_ = due_times_s_.empty() ? 0 : due_times_s_.back() + 1;
}

ArrivalSchedule ArrivalSchedule::for_worker(const ScenarioProfile& scenario, double rate_scale,
                                            std::uint32_t index, std::uint32_t count) {
  if (scenario.executor != ExecutorKind::kReplay) {
    return ArrivalSchedule(scenario, rate_scale / count, static_cast<double>(index) / count);
  }
  // Replay time runs `speed` times faster than the log, and a max_rps cap
  // (rate_scale < 1) stretches it.
  const double stretch = 1 / (scenario.replay_speed * rate_scale);
  std::vector<double> times;
  const auto& requests = scenario.replay_log->requests;
  for (std::size_t i = index; i < requests.size(); i += count) times.push_back(requests[i].at_s * stretch);
  return ArrivalSchedule(std::move(times));
}

std::optional<double> ArrivalSchedule::due_s(std::uint64_t i) const {
  if (replay_) {
    if (i >= due_times_s_.size()) return std::nullopt;
    return due_times_s_[i];
  }
  const double target = static_cast<double>(i) + index_offset_;
  for (const Segment& segment : segments_) {
    const double in_segment = (segment.from_rate + segment.to_rate) / 2 * segment.duration_s;
    if (target >= segment.before + in_segment) continue;
    // Solve before + r0*tau + (r1 - r0)/(2D)*tau^2 = target for tau in [0, D].
    // The form 2x / (b + sqrt(b^2 + 4ax)) is stable for rising, falling and
    // flat rates (b = 0 and a > 0 gives sqrt(x/a)).
    const double x = target - segment.before;
    const double a = (segment.to_rate - segment.from_rate) / (2 * segment.duration_s);
    const double b = segment.from_rate;
    const double root = std::sqrt(std::max(0.0, b * b + 4 * a * x));
    const double tau = x <= 0 ? 0 : 2 * x / (b + root);
    const double t = segment.start_s + std::min(tau, segment.duration_s);
    if (t >= end_s_) return std::nullopt;
    return t;
  }
  return std::nullopt;
}

}  // namespace golive::load
