#include "http/native/native_readiness.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace golive::http {
namespace {

constexpr int kEventsPerWake =
    256;  // connections served per epoll_wait; more wait for the next round

int open_epoll() {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) {
    throw boost::system::system_error(
        boost::system::error_code(errno, boost::system::system_category()), "epoll_create1");
  }
  return fd;
}

}  // namespace

NativeReadiness::NativeReadiness(boost::asio::io_context& io) : epoll_(io, open_epoll()) {}

NativeReadiness::~NativeReadiness() {
  boost::system::error_code ignored;
  epoll_.close(ignored);  // a pending wait completes as operation_aborted and touches nothing
}

NativeReadiness::Watch NativeReadiness::watch(int fd, NativeReadable* listener,
                                              boost::system::error_code& error) {
  const Watch id = next_watch_++;
  epoll_event event{};
  event.events =
      EPOLLIN | EPOLLRDHUP;  // level-triggered; EPOLLERR and EPOLLHUP are always reported
  event.data.u64 = id;
  if (::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_ADD, fd, &event) != 0) {
    error.assign(errno, boost::system::system_category());
    return 0;
  }
  error.clear();
  listeners_.emplace(id, listener);
  arm();
  return id;
}

void NativeReadiness::unwatch(Watch watch, int fd) {
  if (watch == 0) return;
  listeners_.erase(watch);
  epoll_event ignored{};
  ::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_DEL, fd, &ignored);
}

void NativeReadiness::arm() {
  if (armed_) return;
  armed_ = true;
  epoll_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [this](const boost::system::error_code& error) { on_ready(error); });
}

void NativeReadiness::on_ready(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted) return;  // closed: `this` may be gone
  armed_ = false;
  std::array<epoll_event, kEventsPerWake> events;
  const int ready = ::epoll_wait(epoll_.native_handle(), events.data(), kEventsPerWake, 0);
  for (int i = 0; i < ready; ++i) {
    // Looked up per event: an earlier listener of this batch may have unwatched this one.
    const auto found = listeners_.find(events[static_cast<std::size_t>(i)].data.u64);
    if (found != listeners_.end()) found->second->on_readable();
  }
  if (!listeners_.empty()) arm();
}

}  // namespace golive::http
