// RateCappedClient: an HttpClient that forwards to another one but never
// sends faster than `max_rps` requests per second (the environment's
// safety.max_rps, this worker's share of it). Requests over the cap wait for
// their slot on a timer; their latency, measured by the caller, includes the
// wait, so a cap that throttles a run is visible in the figures.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>

#include "http/http_types.hpp"

namespace golive::load {

class RateCappedClient final : public http::HttpClient {
 public:
  // max_rps <= 0 means no cap (every send is forwarded at once).
  RateCappedClient(http::HttpClient& inner, double max_rps);

  boost::asio::any_io_executor executor() override { return inner_.executor(); }
  void send(http::HttpRequest request, http::ResponseCallback on_complete) override;

  std::uint64_t delayed() const { return delayed_; }  // sends that waited for a slot

 private:
  using Clock = std::chrono::steady_clock;
  http::HttpClient& inner_;
  Clock::duration interval_{};  // minimum spacing between sends; zero = uncapped
  Clock::time_point next_slot_{};
  std::uint64_t delayed_ = 0;
};

}  // namespace golive::load
