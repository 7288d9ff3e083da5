#include "load/scenario_executors.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace golive::load {

namespace {

Clock::time_point at_offset(Clock::time_point start, double seconds) {
  return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

// ------------------------------------------------------------- open model

ArrivalExecutor::ArrivalExecutor(const ScenarioProfile& scenario, IterationTarget& target,
                                 http::HttpClient& client, LoadStats& stats, const WorkerShare& share)
    : target_(target),
      client_(client),
      stats_(stats),
      share_(share),
      schedule_(ArrivalSchedule::for_worker(scenario, share.rate_scale, share.index, share.count)),
      pacer_(client.executor()) {
  key_ = stats_.register_scenario(scenario.name);
  if (scenario.max_vus > 0) {
    // This worker's share, rounded up so the total is never below the profile's.
    max_in_flight_ = std::max<std::uint32_t>(
        1, static_cast<std::uint32_t>(std::ceil(static_cast<double>(scenario.max_vus) / share.count)));
  }
}

void ArrivalExecutor::start(Clock::time_point start, Clock::time_point end) {
  start_ = start;
  end_ = end;
  schedule_next();
}

void ArrivalExecutor::stop() {
  done_ = true;
  pacer_.cancel();
}

void ArrivalExecutor::schedule_next() {
  const auto due = schedule_.due_s(next_index_);
  if (done_ || !due || at_offset(start_, *due) >= end_) {
    done_ = true;
    return;
  }
  next_due_ = at_offset(start_, *due);
  pacer_.expires_at(next_due_);
  pacer_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (!error && *alive) on_pacer_timer();
  });
}

void ArrivalExecutor::on_pacer_timer() {
  const Clock::time_point now = Clock::now();
  // Every iteration already due starts now (or is dropped), each keeping its
  // own intended time: a pacer that fell behind catches up without hiding
  // the delay. Bounded: at most the iterations due by now.
  while (!done_ && next_due_ <= now) {
    if (target_.samples() >= share_.max_requests) {
      done_ = true;
      break;
    }
    if (max_in_flight_ != 0 && in_flight_ >= max_in_flight_) {
      ++dropped_;
      stats_.record_dropped(key_, now);
    } else {
      ++in_flight_;
      // A replay's iteration i of this worker is logged request index + i * count.
      const std::uint64_t iteration = share_.index + next_index_ * share_.count;
      target_.start(client_, next_due_, iteration, [this, alive = alive_] {
        if (*alive) --in_flight_;
      });
    }
    ++next_index_;
    const auto due = schedule_.due_s(next_index_);
    if (!due || at_offset(start_, *due) >= end_) {
      done_ = true;
      break;
    }
    next_due_ = at_offset(start_, *due);
  }
  if (!done_) {
    pacer_.expires_at(next_due_);
    pacer_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
      if (!error && *alive) on_pacer_timer();
    });
  }
}

// ----------------------------------------------------------- closed model

VuExecutor::VuExecutor(const ScenarioProfile& scenario, IterationTarget& target,
                       http::HttpClient& client, LoadStats& stats, const WorkerShare& share)
    : scenario_(scenario),
      target_(target),
      client_(client),
      stats_(stats),
      share_(share),
      control_(client.executor()) {
  key_ = stats_.register_scenario(scenario.name);
}

void VuExecutor::start(Clock::time_point start, Clock::time_point end) {
  start_ = start;
  end_ = end;
  control_.expires_at(start);
  control_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (!error && *alive) on_control_timer();
  });
}

std::uint32_t VuExecutor::target_vus(Clock::time_point now) const {
  const double total = std::round(scenario_.value_at(seconds_between(start_, now)));
  // Worker k of K runs floor(T(k+1)/K) - floor(Tk/K): the shares add up to T.
  const auto share = [&](std::uint32_t k) {
    return static_cast<std::uint64_t>(std::floor(total * k / share_.count));
  };
  return static_cast<std::uint32_t>(share(share_.index + 1) - share(share_.index));
}

void VuExecutor::on_control_timer() {
  const Clock::time_point now = Clock::now();
  if (stopping_) return;
  if (now >= end_ || target_.samples() >= share_.max_requests) {
    stop();
    return;
  }
  const std::uint32_t wanted = target_vus(now);
  const std::uint32_t running = static_cast<std::uint32_t>(vus_.size()) - retiring_;
  if (running < wanted) {
    for (std::uint32_t i = running; i < wanted; ++i) spawn();
  } else if (running > wanted) {
    retire_newest(running - wanted);
  }
  control_.expires_at(now + std::chrono::milliseconds(100));
  control_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (!error && *alive) on_control_timer();
  });
}

void VuExecutor::spawn() {
  const std::uint64_t id = next_id_++;
  vus_.emplace(id, VirtualUser{});
  start_iteration(id);
}

void VuExecutor::retire_newest(std::uint32_t how_many) {
  std::vector<std::uint64_t> ids;
  ids.reserve(vus_.size());
  for (const auto& [id, vu] : vus_) {
    if (!vu.retiring) ids.push_back(id);
  }
  std::sort(ids.rbegin(), ids.rend());
  for (std::uint32_t i = 0; i < how_many && i < ids.size(); ++i) {
    VirtualUser& vu = vus_.at(ids[i]);
    vu.retiring = true;
    ++retiring_;
    if (auto run = vu.run.lock()) run->request_stop();
    if (vu.pause) vu.pause->cancel();  // a pausing VU leaves at once
  }
}

void VuExecutor::stop() {
  stopping_ = true;
  control_.cancel();
  retire_newest(static_cast<std::uint32_t>(vus_.size()));
}

void VuExecutor::start_iteration(std::uint64_t id) {
  VirtualUser& vu = vus_.at(id);
  vu.run = target_.start(client_, Clock::now(), [this, id, alive = alive_] {
    if (*alive) on_iteration_done(id);
  });
}

void VuExecutor::on_iteration_done(std::uint64_t id) {
  auto it = vus_.find(id);
  if (it == vus_.end()) return;
  VirtualUser& vu = it->second;
  if (vu.retiring || stopping_) {
    if (vu.retiring) --retiring_;
    vus_.erase(it);
    return;
  }
  if (scenario_.iteration_pause_ms == 0) return start_iteration(id);
  if (!vu.pause) vu.pause = std::make_unique<boost::asio::steady_timer>(client_.executor());
  vu.pause->expires_after(std::chrono::milliseconds(scenario_.iteration_pause_ms));
  vu.pause->async_wait([this, id, alive = alive_](const boost::system::error_code&) {
    if (!*alive) return;
    auto found = vus_.find(id);
    if (found == vus_.end()) return;
    if (found->second.retiring || stopping_) {
      if (found->second.retiring) --retiring_;
      vus_.erase(found);
      return;
    }
    start_iteration(id);
  });
}

}  // namespace golive::load
