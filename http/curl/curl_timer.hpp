// CurlTimer: curl's single multi-handle timeout (CURLMOPT_TIMERFUNCTION) on a
// Boost.Asio io_context.
//
// curl re-states its timeout after nearly every call into it, usually to a
// deadline at or after the one already pending. Re-programming the kernel
// timer for each would cost a timerfd_settime per request, so the timer is
// lazy: a later deadline only updates the wanted time, and an early expiry
// re-arms itself. An earlier deadline re-arms at once; timeout 0 ("act as
// soon as possible") is a posted handler, not a timer; -1 cancels for real so
// an idle engine leaves no pending work and io_context::run() can return.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace golive::http {

class CurlTimer {
 public:
  using Clock = std::chrono::steady_clock;

  // `owner_alive` expires when the owner (and this timer) is gone; queued
  // handlers then return without touching it. `on_expiry` runs on the
  // io_context thread and must call curl_multi_socket_action(CURL_SOCKET_TIMEOUT).
  CurlTimer(boost::asio::io_context& io, std::weak_ptr<void> owner_alive,
            std::function<void()> on_expiry);
  CurlTimer(const CurlTimer&) = delete;
  CurlTimer& operator=(const CurlTimer&) = delete;

  // CURLMOPT_TIMERFUNCTION body: -1 cancel, 0 as soon as possible, >0 in ms.
  void schedule(long timeout_ms);

 private:
  void arm(Clock::time_point when);
  void on_fired(std::uint64_t arm_sequence, bool aborted);
  void on_posted();
  void run_if_due();

  boost::asio::io_context& io_;
  std::weak_ptr<void> owner_alive_;
  std::function<void()> on_expiry_;
  boost::asio::steady_timer timer_;
  std::optional<Clock::time_point> wanted_;  // when curl wants to be called; none = cancelled
  std::optional<Clock::time_point> armed_;   // when the Asio timer will fire; none = idle
  std::uint64_t arm_sequence_ = 0;           // identifies the current async_wait
  bool post_pending_ = false;                // an "as soon as possible" handler is queued
};

}  // namespace golive::http
