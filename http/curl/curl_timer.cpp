#include "http/curl/curl_timer.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <utility>

namespace golive::http {

CurlTimer::CurlTimer(boost::asio::io_context& io, std::weak_ptr<void> owner_alive,
                     std::function<void()> on_expiry)
    : io_(io), owner_alive_(std::move(owner_alive)), on_expiry_(std::move(on_expiry)), timer_(io) {}

void CurlTimer::schedule(long timeout_ms) {
  if (timeout_ms < 0) {
    wanted_.reset();
    if (armed_) {
      armed_.reset();
      ++arm_sequence_;
      timer_.cancel();
    }
    return;
  }
  const auto now = Clock::now();
  wanted_ = now + std::chrono::milliseconds(timeout_ms);
  if (timeout_ms == 0) {
    // curl must not be re-entered from its own callback: run it right after.
    if (!post_pending_) {
      post_pending_ = true;
      boost::asio::post(io_, [alive = owner_alive_, this] {
        if (alive.expired()) return;
        on_posted();
      });
    }
    return;
  }
  // A pending expiry at or before the new deadline will notice the later
  // deadline when it fires and re-arm; only an earlier deadline needs a re-arm.
  if (!armed_ || *wanted_ < *armed_) arm(*wanted_);
}

void CurlTimer::arm(Clock::time_point when) {
  armed_ = when;
  const std::uint64_t sequence = ++arm_sequence_;
  timer_.expires_at(when);  // aborts a previous wait, whose handler then sees a stale sequence
  timer_.async_wait([alive = owner_alive_, this, sequence](const boost::system::error_code& error) {
    if (alive.expired()) return;
    on_fired(sequence, error == boost::asio::error::operation_aborted);
  });
}

void CurlTimer::on_fired(std::uint64_t arm_sequence, bool aborted) {
  if (arm_sequence != arm_sequence_) return;  // superseded by a later arm or a cancel
  armed_.reset();
  if (aborted) return;
  run_if_due();
}

void CurlTimer::on_posted() {
  post_pending_ = false;
  run_if_due();
}

void CurlTimer::run_if_due() {
  if (!wanted_) return;  // cancelled meanwhile
  const auto now = Clock::now();
  if (*wanted_ > now) {
    if (!armed_ || *wanted_ < *armed_) arm(*wanted_);
    return;
  }
  wanted_.reset();
  on_expiry_();  // curl re-states its next timeout from inside this call
}

}  // namespace golive::http
