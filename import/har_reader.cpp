#include "import/har_reader.hpp"

#include <cctype>
#include <ctime>

#include "core/ascii_case.hpp"
#include "core/encoding.hpp"
#include "core/input_error.hpp"

namespace golive::imports {

namespace {

std::string mime_without_parameters(const std::string& content_type) {
  std::string mime = content_type.substr(0, content_type.find(';'));
  while (!mime.empty() && std::isspace(static_cast<unsigned char>(mime.back()))) mime.pop_back();
  std::size_t start = 0;
  while (start < mime.size() && std::isspace(static_cast<unsigned char>(mime[start]))) ++start;
  return core::ascii_lower(mime.substr(start));
}

HeaderList read_headers(const core::JsonReader& list) {
  HeaderList headers;
  list.as_array();
  for (std::size_t i = 0; i < list.value().size(); ++i) {
    core::JsonReader header = list.at(i);
    headers.emplace_back(header.at("name").as_string(), header.at("value").as_string());
  }
  return headers;
}

// content.text, decoded when HAR says it is base64 ("encoding": "base64").
std::string read_text(const core::JsonReader& holder) {
  if (!holder.has("text") || holder.value().at("text").is_null()) return "";
  std::string text = holder.at("text").as_string();
  if (holder.string_or("encoding", "") != "base64") return text;
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  auto decoded = core::base64url_decode(text);
  if (!decoded) holder.at("text").fail("content.encoding is base64 but the text is not base64");
  return *decoded;
}

}  // namespace

std::optional<double> parse_iso8601_ms(const std::string& text) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  double ms = static_cast<double>(timegm(&tm)) * 1000.0;
  std::size_t at = static_cast<std::size_t>(consumed);
  if (at < text.size() && text[at] == '.') {
    double scale = 100.0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      ms += (text[at] - '0') * scale;
      scale /= 10.0;
    }
  }
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int offset_hours = 0, offset_minutes = 0;
    if (std::sscanf(text.c_str() + at + 1, "%2d:%2d", &offset_hours, &offset_minutes) != 2) return std::nullopt;
    double offset = (offset_hours * 60.0 + offset_minutes) * 60000.0;
    ms += text[at] == '+' ? -offset : offset;
  } else if (at < text.size() && text[at] != 'Z') {
    return std::nullopt;
  }
  return ms;
}

std::vector<RecordedExchange> read_har(const nlohmann::json& document, const std::string& file) {
  core::JsonReader root(document, file);
  root.as_object();
  core::JsonReader log = root.at("log");
  log.as_object();
  core::JsonReader entries = log.at("entries");
  entries.as_array();
  std::vector<RecordedExchange> exchanges;
  std::optional<double> first_start;
  for (std::size_t i = 0; i < entries.value().size(); ++i) {
    core::JsonReader entry = entries.at(i);
    entry.as_object();
    RecordedExchange exchange;
    exchange.origin = file + " at " + entry.pointer();
    core::JsonReader request = entry.at("request");
    request.as_object();
    exchange.method = core::ascii_upper(request.at("method").as_string());
    exchange.url = request.at("url").as_string();
    exchange.headers = read_headers(request.at("headers"));
    if (request.has("postData") && request.value().at("postData").is_object()) {
      core::JsonReader post = request.at("postData");
      exchange.body_type = mime_without_parameters(post.string_or("mimeType", ""));
      exchange.body = read_text(post);
      if (exchange.body.empty() && post.has("params")) {
        // Some writers keep a form only as params: rebuild the urlencoded text.
        core::JsonReader params = post.at("params");
        params.as_array();
        for (std::size_t p = 0; p < params.value().size(); ++p) {
          core::JsonReader param = params.at(p);
          if (!exchange.body.empty()) exchange.body += '&';
          exchange.body += core::percent_encode(param.at("name").as_string()) + "=" +
                           core::percent_encode(param.string_or("value", ""));
        }
      }
    }
    core::JsonReader response = entry.at("response");
    response.as_object();
    RecordedResponse recorded;
    recorded.status = static_cast<int>(response.at("status").as_integer());
    recorded.headers = read_headers(response.at("headers"));
    if (response.has("content")) {
      core::JsonReader content = response.at("content");
      content.as_object();
      recorded.mime_type = mime_without_parameters(content.string_or("mimeType", ""));
      recorded.body = read_text(content);
    }
    // Status 0: the browser recorded no response (blocked, aborted, offline).
    if (recorded.status > 0) exchange.response = std::move(recorded);
    core::JsonReader started = entry.at("startedDateTime");
    auto started_ms = parse_iso8601_ms(started.as_string());
    if (!started_ms) started.fail("not an ISO 8601 date-time: \"" + started.as_string() + "\"");
    if (!first_start) first_start = *started_ms;
    exchange.started_ms = *started_ms - *first_start;
    exchange.duration_ms = std::max(0.0, entry.number_or("time", 0));
    exchanges.push_back(std::move(exchange));
  }
  return exchanges;
}

std::vector<RecordedExchange> read_har_file(const std::string& path) {
  return read_har(core::load_json_file(path), path);
}

}  // namespace golive::imports
