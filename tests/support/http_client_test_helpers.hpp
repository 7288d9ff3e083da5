// Helpers shared by the tests of http::HttpClient implementations (CurlHttpClient,
// NativeHttpClient): drive an io_context until a condition holds, send one
// request and wait for its response, find a local port nothing listens on,
// and count this process's open file descriptors (leak checks).
// Header-only: the tests link golive_core, this header needs nothing else.
#pragma once

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <cstddef>
#include <string>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "http/http_types.hpp"

namespace golive::testing {

// Runs the io_context until `done()` holds or `limit` passes.
template <typename Predicate>
bool run_until(boost::asio::io_context& io, Predicate done,
               std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return done();
}

inline http::HttpRequest get(const std::string& url) {
  http::HttpRequest request;
  request.url = url;
  return request;
}

// Sends one request on `client` and runs `io` (the client's io_context) until
// it completes; a request that never completes fails the test.
inline http::HttpResponse send_and_wait(boost::asio::io_context& io, http::HttpClient& client,
                                        http::HttpRequest request) {
  std::optional<http::HttpResponse> result;
  client.send(std::move(request), [&](http::HttpResponse&& response) { result = std::move(response); });
  EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
  return result.value_or(http::HttpResponse{});
}

// A port on 127.0.0.1 with nothing listening (bound, then released).
inline unsigned short closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Polls `condition` for up to two seconds (other threads close sockets).
template <typename Predicate>
bool eventually(Predicate condition) {
  for (int i = 0; i < 200 && !condition(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return condition();
}

// Entries of /proc/self/fd (includes ".", ".." and the directory's own
// descriptor: compare counts, never absolute values).
inline std::size_t open_descriptor_count() {
  std::size_t count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
  }
  return count;
}

}  // namespace golive::testing
