// CurlSocketTable: the sockets of one curl multi handle, watched for readiness
// by a Boost.Asio io_context instead of curl's own poll loop.
//
// Ownership, the part curl's deleted asiohiper.cpp got wrong (curl issues
// #1191 and #5090):
//  * Sockets golive opens through CURLOPT_OPENSOCKETFUNCTION are OWNED here:
//    each lives in an Asio stream_descriptor from open_socket() until curl
//    asks us to close it through CURLOPT_CLOSESOCKETFUNCTION (close_socket()).
//    curl never closes them behind our back, and we never close one curl still
//    uses. Registering with epoll once per connection (not once per request)
//    is also what keeps keep-alive requests cheap.
//  * Descriptors curl did not open through us (e.g. a resolver's socketpair)
//    are FOREIGN: watched through a non-owning descriptor that is release()d,
//    never closed, when curl sends CURL_POLL_REMOVE.
//  * Per-socket state (a Slot) is indexed by descriptor number and is never
//    freed while the table lives, so the pointer handed to curl_multi_assign
//    cannot dangle. Asio wait handlers capture no Slot pointer at all: they
//    capture the descriptor number plus the slot's generation, and a weak
//    lifetime token of the table's owner. A handler whose generation is stale
//    (the socket was closed, released or un-watched since) does nothing.
//
// Single-threaded: every member runs on the io_context's thread.
#pragma once

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace golive::http {

class CurlSocketTable {
 public:
  // Called when a watched socket is ready. `curl_select_bits` is a mask of
  // CURL_CSELECT_IN / CURL_CSELECT_OUT / CURL_CSELECT_ERR, ready to hand to
  // curl_multi_socket_action.
  using ReadyHandler = std::function<void(curl_socket_t socket, int curl_select_bits)>;

  // `owner_alive` expires when the owner (and therefore this table) is gone;
  // handlers still queued in the io_context then return without touching it.
  CurlSocketTable(boost::asio::io_context& io, std::weak_ptr<void> owner_alive,
                  ReadyHandler on_ready);
  ~CurlSocketTable();
  CurlSocketTable(const CurlSocketTable&) = delete;
  CurlSocketTable& operator=(const CurlSocketTable&) = delete;

  // CURLOPT_OPENSOCKETFUNCTION body: creates a socket golive owns.
  // Returns CURL_SOCKET_BAD (curl then fails the connect) on error.
  curl_socket_t open_socket(int family, int type, int protocol);
  // CURLOPT_CLOSESOCKETFUNCTION body: returns 0 on success like close(2).
  int close_socket(curl_socket_t socket);

  // CURLMOPT_SOCKETFUNCTION body. `what` is CURL_POLL_IN/OUT/INOUT/REMOVE;
  // `assigned` is the socketp curl passes back (nullptr on first sight).
  // Returns the pointer to hand to curl_multi_assign, or nullptr when curl
  // already holds the right one or the socket is being removed.
  void* update_interest(curl_socket_t socket, int what, void* assigned);

  // Sockets currently open and owned here (connections alive in curl's cache
  // or in use). For tests and diagnostics.
  std::size_t owned_socket_count() const { return owned_count_; }

 private:
  enum class Ownership : std::uint8_t { kNone, kOwned, kForeign };
  enum class Direction : std::uint8_t { kRead, kWrite };

  struct Slot {
    explicit Slot(boost::asio::io_context& io) : descriptor(io) {}
    boost::asio::posix::stream_descriptor descriptor;  // persists; assign()ed per socket
    Ownership ownership = Ownership::kNone;
    std::uint64_t generation = 0;  // bumped whenever armed waits must be ignored
    int wanted = 0;                // CURL_POLL_IN/OUT/INOUT, 0 when not watched
    bool read_armed = false;       // an async_wait(read) is pending for this generation
    bool write_armed = false;
  };

  Slot& slot_for(curl_socket_t socket);
  Slot* find_slot(curl_socket_t socket);
  // Invalidate every pending wait on the slot (their handlers become no-ops).
  void forget_waits(Slot& slot);
  // Arm the async_waits curl's current interest needs and are not pending yet.
  void arm_wanted_waits(curl_socket_t socket, Slot& slot);
  void arm_wait(curl_socket_t socket, Slot& slot, Direction direction);
  void on_wait_complete(curl_socket_t socket, std::uint64_t generation, Direction direction,
                        const boost::system::error_code& error);

  boost::asio::io_context& io_;
  std::weak_ptr<void> owner_alive_;
  ReadyHandler on_ready_;
  std::vector<std::unique_ptr<Slot>> slots_;  // index: descriptor number
  std::size_t owned_count_ = 0;
};

}  // namespace golive::http
