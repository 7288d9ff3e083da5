// NativeResponseParser on crafted byte streams: every framing fed whole and
// one byte at a time, interim responses, keep-alive decisions, and the
// malformed or oversized inputs that must become kProtocol or kTooLarge.
#include "http/native/native_http_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace golive::core {
namespace {

using Result = http::NativeResponseParser::Result;

struct Parsed {
  Result result = Result::kNeedMore;
  http::HttpResponse response;
  std::size_t leftover = 0;  // bytes after the response, not consumed
  bool keep_alive = false;
  http::HttpErrorCategory error = http::HttpErrorCategory::kNone;
};

// Feeds `wire` in pieces of `step` bytes, keeping unconsumed bytes like the client does.
Parsed parse(const std::string& wire, std::size_t step, bool head = false, std::size_t max_body = 1 << 20,
             bool eof_at_end = false) {
  Parsed out;
  http::NativeResponseParser parser;
  parser.reset(&out.response, head, max_body, 8192);
  std::string pending;
  std::size_t offset = 0;
  while (offset < wire.size()) {
    const std::size_t take = std::min(step, wire.size() - offset);
    pending.append(wire, offset, take);
    offset += take;
    std::size_t consumed = 0;
    out.result = parser.feed(pending.data(), pending.size(), consumed);
    pending.erase(0, consumed);
    if (out.result != Result::kNeedMore) break;
  }
  if (out.result == Result::kNeedMore && eof_at_end) out.result = parser.finish_at_eof();
  out.leftover = pending.size() + (wire.size() - offset);
  out.keep_alive = parser.keep_alive();
  out.error = parser.error();
  return out;
}

TEST(NativeResponseParserTest, ContentLengthBodyWholeAndBytewise) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
  for (std::size_t step : {wire.size(), std::size_t{1}, std::size_t{7}}) {
    const Parsed p = parse(wire, step);
    ASSERT_EQ(p.result, Result::kComplete) << step;
    EXPECT_EQ(p.response.status, 200);
    EXPECT_EQ(p.response.body, "hello");
    EXPECT_EQ(p.response.header("content-type"), "text/plain");
    EXPECT_EQ(p.response.headers.front().first, "server");  // lowercased, in arrival order
    EXPECT_TRUE(p.keep_alive);
    EXPECT_EQ(p.leftover, 0u);
  }
}

TEST(NativeResponseParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (std::size_t step : {wire.size(), std::size_t{1}, std::size_t{3}}) {
    const Parsed p = parse(wire, step);
    ASSERT_EQ(p.result, Result::kComplete) << step;
    EXPECT_EQ(p.response.body, "hello0123456789");
    EXPECT_TRUE(p.keep_alive);
  }
}

TEST(NativeResponseParserTest, InterimResponseIsSkipped) {
  const Parsed p = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", 4);
  ASSERT_EQ(p.result, Result::kComplete);
  EXPECT_EQ(p.response.status, 201);
  EXPECT_EQ(p.response.body, "ok");
}

TEST(NativeResponseParserTest, CloseDelimitedBodyEndsAtEof) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\n\r\nuntil the end", 5, false, 1 << 20, true);
  ASSERT_EQ(p.result, Result::kComplete);
  EXPECT_EQ(p.response.body, "until the end");
  EXPECT_FALSE(p.keep_alive);
}

TEST(NativeResponseParserTest, KeepAliveFollowsConnectionHeaderAndVersion) {
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 100).keep_alive);
  EXPECT_FALSE(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 100).keep_alive);
  EXPECT_TRUE(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", 100).keep_alive);
}

TEST(NativeResponseParserTest, HeadAnd204And304HaveNoBody) {
  const Parsed head = parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 100, /*head=*/true);
  EXPECT_EQ(head.result, Result::kComplete);
  EXPECT_TRUE(head.response.body.empty());
  EXPECT_EQ(parse("HTTP/1.1 204 No Content\r\n\r\n", 100).result, Result::kComplete);
  EXPECT_EQ(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", 100).result, Result::kComplete);
}

TEST(NativeResponseParserTest, BytesAfterTheResponseAreLeftUnconsumed) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", 100);
  ASSERT_EQ(p.result, Result::kComplete);
  EXPECT_EQ(p.response.body, "ok");
  EXPECT_EQ(p.leftover, 5u);
}

TEST(NativeResponseParserTest, MalformedInputIsProtocolError) {
  for (const std::string& wire : {
           std::string("SSH-2.0-OpenSSH\r\n"),
           std::string("HTTP/2 200\r\n\r\n"),
           std::string("HTTP/1.1 2x0 OK\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
           std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX"),
       }) {
    const Parsed p = parse(wire, 3);
    EXPECT_EQ(p.result, Result::kError) << wire;
    EXPECT_EQ(p.error, http::HttpErrorCategory::kProtocol) << wire;
  }
}

TEST(NativeResponseParserTest, OversizedHeaderAndBodyAreTooLarge) {
  const Parsed header = parse("HTTP/1.1 200 OK\r\nX-Padding: " + std::string(9000, 'p') + "\r\n\r\n", 512);
  EXPECT_EQ(header.error, http::HttpErrorCategory::kTooLarge);
  const Parsed declared = parse("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", 100, false, 100);
  EXPECT_EQ(declared.error, http::HttpErrorCategory::kTooLarge);
  const Parsed chunked =
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + std::string(64, 'c') + "\r\n40\r\n", 16,
            false, 100);
  EXPECT_EQ(chunked.error, http::HttpErrorCategory::kTooLarge);
  EXPECT_LE(chunked.response.body.size(), 100u);
}

TEST(NativeResponseParserTest, EofBeforeTheEndIsReset) {
  EXPECT_EQ(parse("", 1, false, 1 << 20, true).error, http::HttpErrorCategory::kReset);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Le", 4, false, 1 << 20, true).error, http::HttpErrorCategory::kReset);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 4, false, 1 << 20, true).error,
            http::HttpErrorCategory::kReset);
}


// What a hostile or broken server sends, fed split in two at every byte
// boundary: the outcome never depends on where the bytes were split.
TEST(NativeResponseParserTest, HostileResponsesSplitAtEveryByteBoundary) {
  struct Case {
    std::string wire;
    Result result;
    int status;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", Result::kComplete, 200, "hello"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n1\r\n!\r\n0\r\nX-T: 1\r\n\r\n",
       Result::kComplete, 200, "hello!"},
      // 100-continue (and a 103) before the response.
      {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
       "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
       Result::kComplete, 201, "ok"},
      // Two Content-Length headers that agree are one length.
      {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", Result::kComplete, 200, "abc"},
      // Two that disagree, a chunk size that is negative or does not fit in 64 bits.
      {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nhello", Result::kError, 0, ""},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", Result::kError, 0, ""},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\nx\r\n0\r\n\r\n", Result::kError, 0, ""},
  };
  for (const Case& c : cases) {
    for (std::size_t cut = 0; cut <= c.wire.size(); ++cut) {
      http::HttpResponse response;
      http::NativeResponseParser parser;
      parser.reset(&response, false, 1 << 20, 8192);
      // As the client does: feed, drop what was used, feed again while that
      // made progress, append the second piece when the parser needs more.
      std::string pending = c.wire.substr(0, cut);
      bool second_given = false;
      Result result = Result::kNeedMore;
      for (;;) {
        std::size_t consumed = 0;
        result = parser.feed(pending.data(), pending.size(), consumed);
        pending.erase(0, consumed);
        if (result != Result::kNeedMore) break;
        if (consumed > 0 && !pending.empty()) continue;
        if (second_given) break;
        pending += c.wire.substr(cut);
        second_given = true;
      }
      ASSERT_EQ(result, c.result) << c.wire << " cut at " << cut;
      if (c.result == Result::kComplete) {
        EXPECT_EQ(response.status, c.status) << cut;
        EXPECT_EQ(response.body, c.body) << cut;
      } else {
        EXPECT_EQ(parser.error(), http::HttpErrorCategory::kProtocol) << c.wire << " cut at " << cut;
      }
    }
  }
}

// A Content-Length that disagrees with the body: a short body ends in a
// reset at the close, a long one leaves bytes that are not the next response.
TEST(NativeResponseParserTest, ContentLengthDisagreeingWithTheBody) {
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", 3, false, 1 << 20, true).error,
            http::HttpErrorCategory::kReset);
  const Parsed longer = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokAND MORE", 5);
  ASSERT_EQ(longer.result, Result::kComplete);
  EXPECT_EQ(longer.response.body, "ok");
  EXPECT_EQ(longer.leftover, 8u);
  const Parsed next = parse("AND MORE", 8, false, 1 << 20, true);
  EXPECT_EQ(next.error, http::HttpErrorCategory::kProtocol);
}

}  // namespace
}  // namespace golive::core
