#include "load/rate_capped_client.hpp"

#include <memory>

namespace golive::load {

RateCappedClient::RateCappedClient(http::HttpClient& inner, double max_rps) : inner_(inner) {
  if (max_rps > 0) {
    interval_ = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / max_rps));
  }
}

void RateCappedClient::send(http::HttpRequest request, http::ResponseCallback on_complete) {
  if (interval_ == Clock::duration::zero()) return inner_.send(std::move(request), std::move(on_complete));
  const Clock::time_point now = Clock::now();
  // A slot unused for longer than one interval is not banked: no bursts
  // after an idle period.
  const Clock::time_point slot = next_slot_ > now ? next_slot_ : now;
  next_slot_ = slot + interval_;
  if (slot <= now) return inner_.send(std::move(request), std::move(on_complete));
  ++delayed_;
  auto timer = std::make_shared<boost::asio::steady_timer>(inner_.executor(), slot);
  timer->async_wait([this, timer, request = std::move(request),
                     on_complete = std::move(on_complete)](const boost::system::error_code& error) mutable {
    if (error) return;  // the worker is shutting down
    inner_.send(std::move(request), std::move(on_complete));
  });
}

}  // namespace golive::load
