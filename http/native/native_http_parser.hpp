// NativeResponseParser: an incremental HTTP/1.1 response parser for the
// native client (http/native/native_http_client.hpp). It is fed the bytes of one
// connection as they arrive and fills one HttpResponse: status line, headers
// (names lowercased), and a body delimited by Content-Length, by chunked
// transfer coding or by the server closing the connection. Interim 1xx
// responses are skipped. Limits: the header block (status line included) may
// not exceed max_header_bytes, the body may not exceed max_body_bytes
// (kTooLarge); anything that is not HTTP/1.x is kProtocol. A response whose
// content nobody reads is parsed without keeping headers or body.
//
//   parser.reset(&response, /*head_request=*/false, 16 << 20, 64 << 10);
//   std::size_t used = 0;
//   switch (parser.feed(data, size, used)) { ... }  // drop `used` bytes, keep the rest
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/http_types.hpp"

namespace golive::http {

class NativeResponseParser {
 public:
  enum class Result {
    kNeedMore,  // every byte given that could be used was consumed; feed more
    kComplete,  // the response ended; bytes after it were not consumed
    kError,     // error() and error_message() say why; the connection is unusable
  };

  // Starts a new response. `head_request`: a HEAD response carries no body
  // whatever its headers say. `keep_content` false: headers and body are
  // parsed and counted but not stored (HttpRequest::discard_response).
  void reset(HttpResponse* response, bool head_request, std::size_t max_body_bytes,
             std::size_t max_header_bytes, bool keep_content = true);

  // Consumes a prefix of [data, data + size) and sets `consumed` to its
  // length (bytes). While the header block is incomplete nothing is consumed:
  // the caller keeps the bytes and feeds them again with more appended.
  Result feed(const char* data, std::size_t size, std::size_t& consumed);

  // The peer closed the connection: completes a close-delimited body, else
  // an error (kReset, or kProtocol when what arrived was not HTTP).
  Result finish_at_eof();

  // True once any byte of the response has been fed.
  bool started() const { return started_; }
  // False when the response asked to close the connection (or is close-delimited).
  bool keep_alive() const { return keep_alive_; }
  HttpErrorCategory error() const { return error_; }
  const std::string& error_message() const { return error_message_; }

 private:
  enum class State {
    kHeaders,         // waiting for the end of the header block
    kFixedBody,       // Content-Length bytes remain
    kChunkSize,       // a chunk-size line
    kChunkData,       // chunk bytes remain
    kChunkDataEnd,    // the CRLF after a chunk
    kTrailers,        // trailer lines after the last chunk, until an empty line
    kUntilClose,      // the body ends when the peer closes
    kDone,
    kFailed,
  };

  Result parse_header_block(std::string_view block);
  Result fail(HttpErrorCategory category, std::string message);
  Result append_body(const char* data, std::size_t size);
  // Appends up to remaining_ of the `available` bytes at `at` and counts them in `consumed`.
  Result take_body(const char* at, std::size_t available, std::size_t& consumed);
  Result header_too_large();
  Result body_complete();

  HttpResponse* response_ = nullptr;
  State state_ = State::kHeaders;
  bool head_request_ = false;
  bool started_ = false;
  bool keep_alive_ = true;
  bool keep_content_ = true;
  std::uint64_t body_bytes_ = 0;  // of this response's body so far, kept or not
  std::size_t max_body_bytes_ = 0;
  std::size_t max_header_bytes_ = 0;
  std::size_t header_scanned_ = 0;   // bytes of the header block already searched for its end
  std::uint64_t remaining_ = 0;      // bytes left of the fixed body or of the current chunk
  HttpErrorCategory error_ = HttpErrorCategory::kNone;
  std::string error_message_;
};

}  // namespace golive::http
