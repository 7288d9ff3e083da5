#include "http/native/native_http_parser.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/ascii_case.hpp"

namespace golive::http {
namespace {

constexpr std::size_t kMaxChunkLineBytes = 4096;  // a chunk-size or trailer line, CRLF excluded

// Whether the comma-separated header value lists `token` (case-insensitive).
bool lists_token(std::string_view value, std::string_view lowercase_token) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (core::equals_ignoring_case(item, lowercase_token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// The last coding of a Transfer-Encoding value is "chunked".
bool ends_with_chunked(std::string_view value) {
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  const std::size_t comma = value.rfind(',');
  std::string_view last = comma == std::string_view::npos ? value : value.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  return core::equals_ignoring_case(last, "chunked");
}

// RFC 9110 tchar, as a table mapping each byte to its lowercase form, or to 0
// when it cannot appear in a header name: one lookup per byte of every name
// both validates and lowercases it.
struct TokenTable {
  char lowered[256] = {};
  constexpr TokenTable() {
    for (int c = 'a'; c <= 'z'; ++c) lowered[c] = static_cast<char>(c);
    for (int c = 'A'; c <= 'Z'; ++c) lowered[c] = static_cast<char>(c - 'A' + 'a');
    for (int c = '0'; c <= '9'; ++c) lowered[c] = static_cast<char>(c);
    for (const char* p = "!#$%&'*+-.^_`|~"; *p != 0; ++p) lowered[static_cast<unsigned char>(*p)] = *p;
  }
};
constexpr TokenTable kTokenTable;

}  // namespace

void NativeResponseParser::reset(HttpResponse* response, bool head_request,
                                 std::size_t max_body_bytes, std::size_t max_header_bytes,
                                 bool keep_content) {
  response_ = response;
  keep_content_ = keep_content;
  body_bytes_ = 0;
  state_ = State::kHeaders;
  head_request_ = head_request;
  started_ = false;
  keep_alive_ = true;
  max_body_bytes_ = max_body_bytes;
  max_header_bytes_ = max_header_bytes;
  header_scanned_ = 0;
  remaining_ = 0;
  error_ = HttpErrorCategory::kNone;
  error_message_.clear();
}

NativeResponseParser::Result NativeResponseParser::fail(HttpErrorCategory category, std::string message) {
  state_ = State::kFailed;
  keep_alive_ = false;
  error_ = category;
  error_message_ = std::move(message);
  return Result::kError;
}

NativeResponseParser::Result NativeResponseParser::append_body(const char* data, std::size_t size) {
  if (body_bytes_ + size > max_body_bytes_) {
    return fail(HttpErrorCategory::kTooLarge,
                "response body over the cap of " + std::to_string(max_body_bytes_) + " bytes");
  }
  body_bytes_ += size;
  if (keep_content_) response_->body.append(data, size);
  return Result::kNeedMore;
}

NativeResponseParser::Result NativeResponseParser::take_body(const char* at, std::size_t available,
                                                             std::size_t& consumed) {
  const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, available));
  if (append_body(at, take) == Result::kError) return Result::kError;
  consumed += take;
  remaining_ -= take;
  return Result::kNeedMore;
}

NativeResponseParser::Result NativeResponseParser::header_too_large() {
  return fail(HttpErrorCategory::kTooLarge,
              "response header block over " + std::to_string(max_header_bytes_) + " bytes");
}

NativeResponseParser::Result NativeResponseParser::body_complete() {
  state_ = State::kDone;
  return Result::kComplete;
}

NativeResponseParser::Result NativeResponseParser::feed(const char* data, std::size_t size,
                                                        std::size_t& consumed) {
  consumed = 0;
  if (size > 0) started_ = true;
  while (true) {
    const char* at = data + consumed;
    const std::size_t available = size - consumed;
    switch (state_) {
      case State::kHeaders: {
        const std::string_view view(at, available);
        const std::size_t prefix = std::min<std::size_t>(view.size(), 5);
        if (view.compare(0, prefix, std::string_view("HTTP/", prefix)) != 0) {
          return fail(HttpErrorCategory::kProtocol, "the reply is not HTTP/1.x");
        }
        const std::size_t from = header_scanned_ >= 3 ? header_scanned_ - 3 : 0;
        const std::size_t end = view.find("\r\n\r\n", from);
        if (end == std::string_view::npos) {
          header_scanned_ = view.size();
          return view.size() > max_header_bytes_ ? header_too_large() : Result::kNeedMore;
        }
        if (end + 4 > max_header_bytes_) return header_too_large();
        header_scanned_ = 0;
        consumed += end + 4;
        if (parse_header_block(view.substr(0, end + 2)) == Result::kError) return Result::kError;
        if (state_ == State::kDone) return Result::kComplete;
        break;
      }
      case State::kFixedBody: {
        if (available == 0) return Result::kNeedMore;
        if (take_body(at, available, consumed) == Result::kError) return Result::kError;
        return remaining_ == 0 ? body_complete() : Result::kNeedMore;
      }
      case State::kUntilClose: {
        if (append_body(at, available) == Result::kError) return Result::kError;
        consumed += available;
        return Result::kNeedMore;
      }
      case State::kChunkSize: {
        const std::string_view view(at, available);
        const std::size_t line_end = view.find("\r\n");
        if (line_end == std::string_view::npos) {
          if (view.size() > kMaxChunkLineBytes) return fail(HttpErrorCategory::kProtocol, "chunk-size line too long");
          return Result::kNeedMore;
        }
        std::uint64_t chunk = 0;
        std::size_t digits = 0;
        for (; digits < line_end; ++digits) {
          const char c = view[digits];
          int value = 0;
          if (c >= '0' && c <= '9') {
            value = c - '0';
          } else if (core::ascii_lower(c) >= 'a' && core::ascii_lower(c) <= 'f') {
            value = core::ascii_lower(c) - 'a' + 10;
          } else {
            break;
          }
          if (digits >= 15) return fail(HttpErrorCategory::kProtocol, "chunk size too large");
          chunk = chunk * 16 + static_cast<std::uint64_t>(value);
        }
        if (digits == 0 || (digits < line_end && view[digits] != ';' && view[digits] != ' ' && view[digits] != '\t')) {
          return fail(HttpErrorCategory::kProtocol, "malformed chunk-size line");
        }
        consumed += line_end + 2;
        if (chunk == 0) {
          state_ = State::kTrailers;
        } else {
          if (body_bytes_ + chunk > max_body_bytes_) {
            return fail(HttpErrorCategory::kTooLarge,
                        "response body over the cap of " + std::to_string(max_body_bytes_) + " bytes");
          }
          remaining_ = chunk;
          state_ = State::kChunkData;
        }
        break;
      }
      case State::kChunkData: {
        if (available == 0) return Result::kNeedMore;
        if (take_body(at, available, consumed) == Result::kError) return Result::kError;
        if (remaining_ == 0) state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        if (available < 2) return Result::kNeedMore;
        if (at[0] != '\r' || at[1] != '\n') return fail(HttpErrorCategory::kProtocol, "chunk not followed by CRLF");
        consumed += 2;
        state_ = State::kChunkSize;
        break;
      }
      case State::kTrailers: {
        const std::string_view view(at, available);
        const std::size_t line_end = view.find("\r\n");
        if (line_end == std::string_view::npos) {
          if (view.size() > kMaxChunkLineBytes) return fail(HttpErrorCategory::kProtocol, "trailer line too long");
          return Result::kNeedMore;
        }
        consumed += line_end + 2;
        if (line_end == 0) return body_complete();
        break;
      }
      case State::kDone:
        return Result::kComplete;
      case State::kFailed:
        return Result::kError;
    }
  }
}

NativeResponseParser::Result NativeResponseParser::parse_header_block(std::string_view block) {
  // block: status line and header lines, each ending in CRLF (the final empty line excluded).
  const std::size_t status_end = block.find("\r\n");
  const std::string_view status_line = block.substr(0, status_end);
  // "HTTP/1.x SSS[ reason]"
  if (status_line.size() < 12 || status_line.compare(0, 7, "HTTP/1.") != 0 || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return fail(HttpErrorCategory::kProtocol, "malformed status line");
  }
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (status_line[i] < '0' || status_line[i] > '9') return fail(HttpErrorCategory::kProtocol, "malformed status code");
    status = status * 10 + (status_line[i] - '0');
  }
  if (status < 100) return fail(HttpErrorCategory::kProtocol, "status code below 100");
  const bool http10 = status_line[7] == '0';

  response_->status = status;
  response_->headers.clear();
  // One allocation for a typical response's headers.
  if (keep_content_) response_->headers.reserve(12);
  bool chunked = false;
  bool has_length = false;
  std::uint64_t length = 0;
  bool close = http10;

  std::size_t position = status_end + 2;
  while (position < block.size()) {
    const std::size_t line_end = block.find("\r\n", position);
    const std::string_view line = block.substr(position, line_end - position);
    position = line_end + 2;
    const std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return fail(HttpErrorCategory::kProtocol, "malformed header line");
    const std::string_view name = line.substr(0, colon);
    std::string lowered(name.size(), '\0');
    for (std::size_t i = 0; i < name.size(); ++i) {
      const char c = kTokenTable.lowered[static_cast<unsigned char>(name[i])];
      if (c == 0) return fail(HttpErrorCategory::kProtocol, "malformed header name");
      lowered[i] = c;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);

    // Size first: most names are none of the three, and the size alone tells them apart.
    if (lowered.size() == 14 && lowered == "content-length") {
      std::uint64_t parsed = 0;
      if (value.empty() || value.size() > 18) return fail(HttpErrorCategory::kProtocol, "malformed Content-Length");
      for (char c : value) {
        if (c < '0' || c > '9') return fail(HttpErrorCategory::kProtocol, "malformed Content-Length");
        parsed = parsed * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (has_length && parsed != length) return fail(HttpErrorCategory::kProtocol, "conflicting Content-Length");
      has_length = true;
      length = parsed;
    } else if (lowered.size() == 17 && lowered == "transfer-encoding") {
      chunked = ends_with_chunked(value);
      if (!chunked) close = true;  // an unknown coding: the body runs until close
    } else if (lowered.size() == 10 && lowered == "connection") {
      if (lists_token(value, "close")) close = true;
      if (http10 && lists_token(value, "keep-alive")) close = false;
    }
    if (keep_content_) response_->headers.emplace_back(std::move(lowered), std::string(value));
  }

  if (status < 200 && status != 101) {  // interim response: the real one follows
    response_->status = 0;
    response_->headers.clear();
    return Result::kNeedMore;
  }
  keep_alive_ = !close;
  if (status == 101) {  // the connection now speaks another protocol; golive has nothing to say on it
    keep_alive_ = false;
    state_ = State::kDone;
    return Result::kComplete;
  }
  if (head_request_ || status == 204 || status == 304) {
    state_ = State::kDone;
    return Result::kComplete;
  }
  if (chunked) {
    if (has_length) keep_alive_ = false;  // both framings given: trust chunked, not the connection
    state_ = State::kChunkSize;
    return Result::kNeedMore;
  }
  if (has_length) {
    if (length > max_body_bytes_) {
      return fail(HttpErrorCategory::kTooLarge, "Content-Length " + std::to_string(length) +
                                                    " over the cap of " + std::to_string(max_body_bytes_) + " bytes");
    }
    if (length == 0) {
      state_ = State::kDone;
      return Result::kComplete;
    }
    if (keep_content_) response_->body.reserve(static_cast<std::size_t>(length));
    remaining_ = length;
    state_ = State::kFixedBody;
    return Result::kNeedMore;
  }
  keep_alive_ = false;
  state_ = State::kUntilClose;
  return Result::kNeedMore;
}

NativeResponseParser::Result NativeResponseParser::finish_at_eof() {
  switch (state_) {
    case State::kUntilClose:
      return body_complete();
    case State::kDone:
      return Result::kComplete;
    case State::kFailed:
      return Result::kError;
    case State::kHeaders:
      return fail(HttpErrorCategory::kReset,
                  started_ ? "connection closed inside the response headers" : "connection closed before any response");
    default:
      return fail(HttpErrorCategory::kReset, "connection closed inside the response body");
  }
}

}  // namespace golive::http
