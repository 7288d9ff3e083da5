// StreamingServer: a raw TCP server on 127.0.0.1 for responses that never
// end or are far larger than any cap, used to check that a client stops
// reading and keeps its memory bounded. It reads the first request's header
// block, writes `head`, then writes `piece` again and again (every `pause`)
// until `total` bytes of it went out, the client closed, or the server stops.
// It counts the body bytes it wrote.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace golive::testing {

class StreamingServer {
 public:
  StreamingServer(std::string head, std::string piece, std::uint64_t total, std::chrono::milliseconds pause)
      : head_(std::move(head)), piece_(std::move(piece)), total_(total), pause_(pause) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 4);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~StreamingServer() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/stream"; }
  std::uint64_t body_bytes_written() const { return written_.load(); }

 private:
  void serve() {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    bool open = ::send(fd, head_.data(), head_.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head_.size());
    while (open && !stop_ && written_.load() < total_) {
      const ssize_t n = ::send(fd, piece_.data(), piece_.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      written_ += static_cast<std::uint64_t>(n);
      if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
    }
    ::close(fd);
  }
  std::string head_;
  std::string piece_;
  std::uint64_t total_;
  std::chrono::milliseconds pause_;
  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> written_{0};
  std::thread thread_;
};

}  // namespace golive::testing
