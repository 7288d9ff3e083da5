// NativeH2Connection: one HTTP/2 connection of NativeHttpClient, carrying
// many requests at once as streams (nghttp2's client session on the same
// non-blocking socket, TLS stream and readiness loop as NativeConnection).
//
// It never connects: a NativeConnection opens the transport (TCP, and TLS
// whose ALPN chose "h2", or prior-knowledge h2c on plain http://) and hands
// its socket, TLS session and first request over (NativeHostPool::adopt_h2).
// The pool then submits further requests while has_capacity(): fewer open
// streams than the server's SETTINGS_MAX_CONCURRENT_STREAMS (and
// kMaxStreams), and no GOAWAY received. Flow control is nghttp2's (its
// automatic WINDOW_UPDATEs, windows of kWindowBytes).
//
// Failures are data, per stream: RST_STREAM from the server -> kReset naming
// the HTTP/2 error code; a GOAWAY -> the connection takes no new stream, the
// streams the server says it never processed (id above its last stream id)
// are sent again once on another connection, and those still open when it
// closes fail with kReset naming the GOAWAY's error code; a frame nghttp2
// rejects -> kProtocol; request.timeout -> kTimeout (and RST_STREAM CANCEL);
// a body over request.max_response_bytes -> kTooLarge (RST_STREAM CANCEL).
// Each stream's timing is its own: first_byte_ms at its HEADERS, total_ms at
// its end, from send(); the stream that opened the connection also carries
// the connect and handshake times.
//
// Internal to NativeHttpClient: nothing outside http/native/ includes this header.
#pragma once

#include <nghttp2/nghttp2.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/native/native_connection.hpp"

namespace golive::http {

// RAII owner of an nghttp2 session.
struct NgHttp2SessionFree {
  void operator()(nghttp2_session* session) const { nghttp2_session_del(session); }
};
using NgHttp2SessionPtr = std::unique_ptr<nghttp2_session, NgHttp2SessionFree>;

class NativeH2Connection final : public std::enable_shared_from_this<NativeH2Connection>,
                                 public NativeReadable {
 public:
  static constexpr std::size_t kMaxStreams = 1024;          // ours, whatever the server allows
  static constexpr std::int32_t kWindowBytes = 16 << 20;    // stream and connection receive windows

  // `socket` is connected and non-blocking; `tls` is active on https:// pools.
  NativeH2Connection(boost::asio::io_context& io, NativeHostPool& pool, NativeReadiness& readiness,
                     boost::asio::ip::tcp::socket socket, NativeTlsStream& tls);

  std::size_t slot = 0;       // index in pool.h2_connections
  bool idle_listed = false;   // in pool.h2_idle

  // Sends the connection preface; false (and `error`) when nghttp2 or the readiness loop refuses.
  bool open(std::string& error);
  bool has_capacity() const;
  std::size_t open_streams() const { return streams_.size(); }
  // A new stream for `exchange`; `timing` carries the opener's connect and handshake times.
  void submit(NativeExchange&& exchange, const HttpTiming* timing = nullptr);
  // Completes every stream with kCancelled (posted), closes and leaves the pool.
  void cancel();
  // The client is going away: close everything and call nothing back.
  void detach();

 private:
  struct Stream {
    NativeExchange exchange;
    HttpResponse response;
    std::size_t body_sent = 0;  // of exchange.request.body, handed to nghttp2
    std::size_t body_received = 0;  // of the response body, kept or not (discard_response)
    bool local_error = false;   // response.error was set here (timeout, too large)
  };
  struct Done {
    Stream stream;
    bool retry = false;  // refused by GOAWAY before the server processed it: send again
  };

  static nghttp2_session_callbacks* callbacks();
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t flags, void* self);
  static int on_data_chunk(nghttp2_session*, std::uint8_t flags, std::int32_t stream_id,
                           const std::uint8_t* data, std::size_t length, void* self);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code,
                             void* self);
  static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buffer,
                           std::size_t length, std::uint32_t* data_flags, nghttp2_data_source*,
                           void* self);

  void on_readable() override;
  // Hands nghttp2's pending frames to the socket; waits for writability when it is full.
  void flush();
  void wait_writable();
  void arm_timer();
  void on_timer(const boost::system::error_code& error);
  // Every open stream fails with `category` and `message`; the connection closes and retires.
  void fail_all(HttpErrorCategory category, const std::string& message);
  // Delivers what finished during the last nghttp2 call, then retires the connection if it is done.
  // `refill`: then waiting requests of the pool take the room freed.
  void deliver_done(bool refill = true);
  void retire();
  void close_transport();
  void read_allowed_streams();

  NativeHostPool* pool_;  // nullptr once retired or detached
  NativeHostPool* home_;  // the pool, even once retired: streams it refused are sent again there
  NativeReadiness* readiness_;
  NativeReadiness::Watch watch_ = 0;
  boost::asio::ip::tcp::socket socket_;
  NativeTlsStream tls_;
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;
  NativeClock::time_point timer_expiry_{};
  NgHttp2SessionPtr session_;
  std::unordered_map<std::int32_t, Stream> streams_;
  std::vector<Done> done_;
  bool goaway_ = false;
  std::uint32_t goaway_error_ = 0;
  std::int32_t goaway_last_stream_ = 0;
  bool waiting_writable_ = false;
  bool write_wants_read_ = false;  // a TLS write resumes on input
  // The streams the server allows at once, min(kMaxStreams, its
  // SETTINGS_MAX_CONCURRENT_STREAMS): read after each batch of input.
  std::size_t allowed_streams_ = kMaxStreams;
  // Inside deliver_done's callbacks: the requests they submit are written
  // together once the batch is delivered (one write instead of one each).
  bool delivering_ = false;
  std::string out_;                // frames taken from nghttp2, [out_sent_, size) not yet written
  std::size_t out_sent_ = 0;
  std::vector<char> in_;
};

}  // namespace golive::http
