#include "load/request_log.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "core/input_error.hpp"

namespace golive::load {

namespace {

struct RawEntry {
  double unix_s = 0;
  std::uint32_t second_rank = 0;  // nginx: position among the lines of the same second
  LoggedRequest request;
};

[[noreturn]] void fail_line(const std::string& file, std::uint32_t line, const std::string& message) {
  throw core::InputError(file, "line " + std::to_string(line), message);
}

int month_index(const std::string& name) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (name == kMonths[i]) return i;
  }
  return -1;
}

// "+0130" / "-0700" / "+01:30" / "Z" -> seconds east of UTC.
std::optional<long> zone_offset_s(const std::string& zone) {
  if (zone == "Z" || zone.empty()) return 0;
  static const std::regex kZone(R"(([+-])(\d{2}):?(\d{2}))");
  std::smatch match;
  if (!std::regex_match(zone, match, kZone)) return std::nullopt;
  long seconds = std::stol(match[2]) * 3600 + std::stol(match[3]) * 60;
  return match[1] == "-" ? -seconds : seconds;
}

// nginx $time_local: "10/Oct/2026:13:55:36 +0000".
std::optional<double> parse_nginx_time(const std::string& text) {
  static const std::regex kTime(R"((\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}))");
  std::smatch match;
  if (!std::regex_match(text, match, kTime)) return std::nullopt;
  std::tm tm{};
  tm.tm_mday = std::stoi(match[1]);
  tm.tm_mon = month_index(match[2]);
  tm.tm_year = std::stoi(match[3]) - 1900;
  tm.tm_hour = std::stoi(match[4]);
  tm.tm_min = std::stoi(match[5]);
  tm.tm_sec = std::stoi(match[6]);
  auto zone = zone_offset_s(match[7]);
  if (tm.tm_mon < 0 || !zone) return std::nullopt;
  return static_cast<double>(::timegm(&tm) - *zone);
}

// ISO 8601 with optional fraction and zone: "2026-11-22T10:00:00.125Z".
std::optional<double> parse_iso8601(const std::string& text) {
  static const std::regex kIso(
      R"((\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)");
  std::smatch match;
  if (!std::regex_match(text, match, kIso)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(match[1]) - 1900;
  tm.tm_mon = std::stoi(match[2]) - 1;
  tm.tm_mday = std::stoi(match[3]);
  tm.tm_hour = std::stoi(match[4]);
  tm.tm_min = std::stoi(match[5]);
  tm.tm_sec = std::stoi(match[6]);
  auto zone = zone_offset_s(match[8]);
  if (!zone) return std::nullopt;
  double fraction = match[7].matched ? std::stod("0" + match[7].str()) : 0;
  return static_cast<double>(::timegm(&tm) - *zone) + fraction;
}

// "http://host:port/path?q" or "/path?q" -> "/path?q".
std::optional<std::string> path_and_query(const std::string& url) {
  if (!url.empty() && url[0] == '/') return url;
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? std::string("/") : url.substr(slash);
}

RawEntry parse_nginx_line(const std::string& line, const std::string& file, std::uint32_t number) {
  static const std::regex kCombined(R"re(^\S+ \S+ .*?\[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) .*$)re");
  std::smatch match;
  if (!std::regex_match(line, match, kCombined)) {
    fail_line(file, number,
              "not an nginx combined log line (expected: ADDR - USER [TIME] \"METHOD PATH PROTO\" "
              "STATUS BYTES ...)");
  }
  auto when = parse_nginx_time(match[1]);
  if (!when) fail_line(file, number, "bad time \"" + match[1].str() + "\" (expected 10/Oct/2026:13:55:36 +0000)");
  auto target = path_and_query(match[3]);
  if (!target) fail_line(file, number, "bad request target \"" + match[3].str() + "\"");
  RawEntry entry;
  entry.unix_s = *when;
  entry.request.method = match[2];
  entry.request.target = *target;
  return entry;
}

RawEntry parse_jsonl_line(const std::string& line, const std::string& file, std::uint32_t number) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for "1e999"
    fail_line(file, number, std::string("invalid JSON: ") + e.what());
  }
  const std::string origin = file + ":" + std::to_string(number);
  core::JsonReader reader(document, origin, "");
  reader.as_object();
  RawEntry entry;
  const core::JsonReader ts = reader.at("ts");
  if (ts.value().is_number()) {
    entry.unix_s = ts.value().get<double>();
  } else if (!ts.value().is_string()) {
    ts.fail("expected Unix seconds or an ISO 8601 time");
  } else {
    auto parsed = parse_iso8601(ts.as_string());
    if (!parsed) ts.fail("expected Unix seconds or an ISO 8601 time");
    entry.unix_s = *parsed;
  }
  entry.request.method = reader.string_or("method", "GET");
  if (reader.has("path") == reader.has("url")) reader.fail("needs exactly one of \"path\" and \"url\"");
  const core::JsonReader where = reader.at(reader.has("path") ? "path" : "url");
  auto target = path_and_query(where.as_string());
  if (!target) where.fail("expected a path starting with '/' or an absolute URL");
  entry.request.target = *target;
  if (reader.has("headers")) {
    const core::JsonReader headers = reader.at("headers");
    for (const auto& item : headers.as_object().items()) {
      entry.request.headers.emplace_back(item.key(), headers.at(item.key()).as_string());
    }
  }
  entry.request.body = reader.string_or("body", "");
  return entry;
}

bool id_like(const std::string& segment) {
  if (segment.empty()) return false;
  if (std::all_of(segment.begin(), segment.end(), [](unsigned char c) { return std::isdigit(c); })) return true;
  static const std::regex kUuid(R"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
  if (std::regex_match(segment, kUuid)) return true;
  // Long opaque tokens: 16+ characters with digits among letters (hex ids, slugs with ids).
  bool has_digit = std::any_of(segment.begin(), segment.end(), [](unsigned char c) { return std::isdigit(c); });
  return segment.size() >= 16 && has_digit;
}

}  // namespace

std::string route_of(const std::string& method, const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  std::string route;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    std::string segment = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    route += "/" + (id_like(segment) ? std::string(":id") : segment);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return method + " " + (route.empty() ? "/" : route);
}

RequestLog read_request_log(const std::string& path, const RequestLogOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::InputError(path, "", "cannot read the request log");
  RequestLog log;
  log.file = path;
  std::vector<RawEntry> entries;
  std::string line;
  std::uint32_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (log.format.empty()) log.format = line.front() == '{' ? "jsonl" : "nginx-combined";
    RawEntry entry = log.format == "jsonl" ? parse_jsonl_line(line, path, number)
                                           : parse_nginx_line(line, path, number);
    entry.request.line = number;
    if (options.methods.count(entry.request.method) == 0) {
      ++log.skipped_methods;
      continue;
    }
    if (entries.size() >= options.max_requests) {
      fail_line(path, number, "more than " + std::to_string(options.max_requests) +
                                  " requests; split the log or raise the limit");
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty() && log.skipped_methods == 0) {
    throw core::InputError(path, "", "the log holds no request lines (empty file?)");
  }
  if (entries.empty()) {
    throw core::InputError(path, "", "no request to replay (" + std::to_string(log.skipped_methods) +
                                         " lines skipped for their method; --replay-methods selects them)");
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const RawEntry& a, const RawEntry& b) { return a.unix_s < b.unix_s; });
  // nginx: spread the requests of one whole second evenly over it.
  if (log.format == "nginx-combined") {
    std::map<double, std::uint32_t> per_second;
    for (const RawEntry& entry : entries) ++per_second[entry.unix_s];
    std::map<double, std::uint32_t> seen;
    for (RawEntry& entry : entries) {
      const double second = entry.unix_s;
      const std::uint32_t rank = seen[second]++;
      entry.unix_s = second + static_cast<double>(rank) / per_second[second];
    }
  }
  const double first = entries.front().unix_s;
  for (RawEntry& entry : entries) {
    entry.request.at_s = entry.unix_s - first;
    log.requests.push_back(std::move(entry.request));
  }
  return log;
}

}  // namespace golive::load
