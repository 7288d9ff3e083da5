// NativeReadiness: one epoll instance watching every connection of a
// NativeHttpClient for input, itself watched by the io_context through one
// wait on its descriptor. A wake-up drains all ready connections in one
// epoll_wait, so the cost of telling the io_context "wake me again" (an
// epoll_ctl for each wait Asio queues) is paid once per batch of responses
// rather than once per response, as a per-socket async_wait or the
// speculative recv of async_read_some would. This is the shape of wrk's
// event loop, kept inside Asio so timers and the other clients share the
// same io_context thread.
//
//   NativeReadiness readiness(io);
//   NativeReadiness::Watch id = readiness.watch(fd, &listener);  // level-triggered input
//   ...                                                        // listener.on_readable() calls
//   readiness.unwatch(id, fd);                                  // before the fd is closed
//
// Level-triggered: a listener that leaves bytes unread is told again. A
// listener may unwatch itself or others from on_readable(); events for a
// watch removed earlier in the same batch are dropped. Not thread-safe; the
// owner must outlive no listener call (destroy it only outside callbacks).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <unordered_map>

namespace golive::http {

class NativeReadable {
 public:
  virtual void on_readable() = 0;  // data, EOF or an error is waiting on the descriptor

 protected:
  ~NativeReadable() = default;
};

class NativeReadiness {
 public:
  using Watch = std::uint64_t;  // 0 = none

  explicit NativeReadiness(boost::asio::io_context& io);
  ~NativeReadiness();
  NativeReadiness(const NativeReadiness&) = delete;
  NativeReadiness& operator=(const NativeReadiness&) = delete;

  // Starts watching `fd` for input. Returns 0 (and `error` set) when epoll refuses it.
  Watch watch(int fd, NativeReadable* listener, boost::system::error_code& error);
  // Stops watching; call before closing `fd`. A 0 watch is ignored.
  void unwatch(Watch watch, int fd);

  std::size_t watched() const { return listeners_.size(); }

 private:
  void arm();
  void on_ready(const boost::system::error_code& error);

  boost::asio::posix::stream_descriptor epoll_;  // owns the epoll descriptor
  std::unordered_map<Watch, NativeReadable*> listeners_;
  Watch next_watch_ = 1;
  bool armed_ = false;
};

}  // namespace golive::http
