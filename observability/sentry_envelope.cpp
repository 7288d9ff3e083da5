#include "observability/sentry_envelope.hpp"

#include <zlib.h>

#include <array>

#include "core/ascii_case.hpp"

namespace golive::observability {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Reads one line (without its '\n') from `rest`, advancing it.
std::string_view next_line(std::string_view& rest) {
  const std::size_t end = rest.find('\n');
  const std::string_view line = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  return line;
}

int from_hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && from_hex(text[i + 1]) >= 0 &&
        from_hex(text[i + 2]) >= 0) {
      out += static_cast<char>(from_hex(text[i + 1]) * 16 + from_hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// A zlib stream with its single owner: ended (inflateEnd or deflateEnd) once
// it was initialised.
class ZStream {
 public:
  explicit ZStream(bool inflating) : inflating_(inflating) {}
  ~ZStream() {
    if (!started_) return;
    if (inflating_) {
      inflateEnd(&stream_);
    } else {
      deflateEnd(&stream_);
    }
  }
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;
  z_stream* get() { return &stream_; }
  z_stream* operator->() { return &stream_; }
  void mark_started() { started_ = true; }

 private:
  z_stream stream_{};
  bool inflating_;
  bool started_ = false;
};

}  // namespace

std::string EnvelopeItem::type() const {
  return header.is_object() && header.contains("type") && header["type"].is_string()
             ? header["type"].get<std::string>()
             : "";
}

std::optional<Envelope> parse_envelope(std::string_view body, std::string& error) {
  Envelope envelope;
  std::string_view rest = body;
  envelope.header = nlohmann::json::parse(next_line(rest), nullptr, false);
  if (!envelope.header.is_object()) {
    error = "the envelope's first line is not a JSON object";
    return std::nullopt;
  }
  while (!rest.empty()) {
    const std::string_view header_line = next_line(rest);
    if (trim(header_line).empty()) continue;  // a trailing newline
    EnvelopeItem item;
    item.header = nlohmann::json::parse(header_line, nullptr, false);
    if (!item.header.is_object()) {
      error = "an item header is not a JSON object: " + std::string(header_line.substr(0, 80));
      return std::nullopt;
    }
    if (item.header.contains("length")) {
      if (!item.header["length"].is_number_unsigned()) {
        error = "an item's \"length\" is not a non-negative integer";
        return std::nullopt;
      }
      const auto length = item.header["length"].get<std::size_t>();
      if (length > rest.size()) {
        error = "an item's length " + std::to_string(length) + " runs past the envelope's end (" +
                std::to_string(rest.size()) + " bytes left)";
        return std::nullopt;
      }
      item.payload = std::string(rest.substr(0, length));
      rest.remove_prefix(length);
      if (!rest.empty() && rest.front() == '\n') rest.remove_prefix(1);
    } else {
      item.payload = std::string(next_line(rest));
    }
    envelope.items.push_back(std::move(item));
  }
  return envelope;
}

std::vector<nlohmann::json> envelope_events(const Envelope& envelope, std::string& error) {
  std::vector<nlohmann::json> events;
  for (const EnvelopeItem& item : envelope.items) {
    if (item.type() != "event") continue;
    nlohmann::json event = nlohmann::json::parse(item.payload, nullptr, false);
    if (!event.is_object()) {
      error = "an event item's payload is not a JSON object";
      continue;
    }
    events.push_back(std::move(event));
  }
  return events;
}

std::string sentry_key_from_auth_header(std::string_view header) {
  header = trim(header);
  // "Sentry " scheme prefix, then comma-separated key=value pairs.
  if (header.size() >= 7 && core::ascii_lower(std::string(header.substr(0, 7))) == "sentry ") {
    header.remove_prefix(7);
  }
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view pair = trim(header.substr(0, comma));
    header.remove_prefix(comma == std::string_view::npos ? header.size() : comma + 1);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == "sentry_key") {
      return std::string(trim(pair.substr(equals + 1)));
    }
  }
  return "";
}

std::string sentry_key_from_query(std::string_view query) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == "sentry_key") {
      return percent_decode(pair.substr(equals + 1));
    }
  }
  return "";
}

std::string sentry_key_from_dsn(std::string_view dsn) {
  const std::size_t scheme = dsn.find("://");
  if (scheme == std::string_view::npos) return "";
  const std::string_view rest = dsn.substr(scheme + 3);
  const std::size_t at = rest.find('@');
  if (at == std::string_view::npos || at == 0) return "";
  const std::string_view user = rest.substr(0, at);
  return std::string(user.substr(0, user.find(':')));
}

std::string sentry_project_from_dsn(std::string_view dsn) {
  if (sentry_key_from_dsn(dsn).empty()) return "";
  const std::size_t slash = dsn.rfind('/');
  if (slash == std::string_view::npos || slash + 1 >= dsn.size()) return "";
  return std::string(dsn.substr(slash + 1));
}

std::optional<std::string> inflate_body(std::string_view body, std::size_t max_bytes,
                                        std::string& error) {
  ZStream stream(/*inflating=*/true);
  // 32 + MAX_WBITS: zlib detects a gzip or a zlib header by itself.
  if (inflateInit2(stream.get(), 32 + MAX_WBITS) != Z_OK) {
    error = "zlib could not start";
    return std::nullopt;
  }
  stream.mark_started();
  stream->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream->avail_in = static_cast<uInt>(body.size());
  std::string out;
  std::array<char, 16384> chunk{};
  while (true) {
    stream->next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream->avail_out = static_cast<uInt>(chunk.size());
    const int code = inflate(stream.get(), Z_NO_FLUSH);
    if (code != Z_OK && code != Z_STREAM_END) {
      error = std::string("the compressed body is corrupt (zlib: ") +
              (stream->msg != nullptr ? stream->msg : "error " + std::to_string(code)) + ")";
      return std::nullopt;
    }
    out.append(chunk.data(), chunk.size() - stream->avail_out);
    if (out.size() > max_bytes) {
      error = "the body inflates past " + std::to_string(max_bytes) + " bytes";
      return std::nullopt;
    }
    if (code == Z_STREAM_END) return out;
    if (stream->avail_in == 0 && stream->avail_out != 0) {
      error = "the compressed body is truncated";
      return std::nullopt;
    }
  }
}

std::string gzip_body(std::string_view body) {
  ZStream stream(/*inflating=*/false);
  // 16 + MAX_WBITS: a gzip header and trailer.
  if (deflateInit2(stream.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return "";
  }
  stream.mark_started();
  std::string out(deflateBound(stream.get(), static_cast<uLong>(body.size())), '\0');
  stream->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream->avail_in = static_cast<uInt>(body.size());
  stream->next_out = reinterpret_cast<Bytef*>(out.data());
  stream->avail_out = static_cast<uInt>(out.size());
  deflate(stream.get(), Z_FINISH);
  out.resize(stream->total_out);
  return out;
}

}  // namespace golive::observability
