#include "load/start_time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/input_error.hpp"

namespace golive::load {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

bool digits(const std::string& text, std::size_t at, std::size_t count, int& value) {
  if (at + count > text.size()) return false;
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t parse_start_at(const std::string& raw, const std::string& origin) {
  const std::string text = trimmed(raw);
  const auto bad = [&](const std::string& why) {
    throw core::InputError(origin, "",
                           "\"" + text + "\" is not an RFC 3339 time (" + why +
                               "), e.g. 2026-12-06T20:15:00Z");
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' || !digits(text, 5, 2, month) ||
      text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !digits(text, 11, 2, hour) ||
      text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
    bad("expected YYYY-MM-DDTHH:MM:SS");
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] || hour > 23 || minute > 59 || second > 60) {
    bad("a field is out of range");
  }
  std::size_t at = 19;
  std::int64_t millis = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::size_t count = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (count < 3) millis = millis * 10 + (text[at] - '0');
      ++count;
      ++at;
    }
    if (count == 0) bad("a '.' without digits");
    for (std::size_t i = count; i < 3; ++i) millis *= 10;
  }
  std::int64_t offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int oh = 0, om = 0;
    if (!digits(text, at + 1, 2, oh) || at + 3 >= text.size() || text[at + 3] != ':' ||
        !digits(text, at + 4, 2, om) || oh > 23 || om > 59) {
      bad("the offset must be Z or +HH:MM / -HH:MM");
    }
    offset_minutes = (text[at] == '+' ? 1 : -1) * (oh * 60 + om);
    at += 6;
  } else {
    bad("a time zone is required: Z or +HH:MM");
  }
  if (at != text.size()) bad("unexpected text after the time");
  const std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                               std::min(second, 59) - offset_minutes * 60;
  return seconds * 1000 + millis;
}

void check_start_at(std::int64_t start_unix_ms, std::int64_t now_ms, const std::string& origin) {
  if (start_unix_ms < now_ms - 1000) {
    throw core::InputError(origin, "",
                           "the start time " + format_unix_ms(start_unix_ms) + " is in the past (now " +
                               format_unix_ms(now_ms) + "): give every shard a time a little ahead");
  }
  if (start_unix_ms > now_ms + kDayMs) {
    throw core::InputError(origin, "",
                           "the start time " + format_unix_ms(start_unix_ms) +
                               " is more than 24 hours ahead (now " + format_unix_ms(now_ms) + ")");
  }
}

std::int64_t wait_for_start_file(const std::string& path, const std::function<bool()>& should_stop,
                                 const std::function<void(double)>& on_wait) {
  const auto began = std::chrono::steady_clock::now();
  auto next_report = began;
  int unreadable_polls = 0;
  for (;;) {
    if (should_stop && should_stop()) return -1;
    std::error_code error;
    if (std::filesystem::is_regular_file(path, error)) {
      std::ifstream in(path);
      std::stringstream content;
      content << in.rdbuf();
      const std::string text = trimmed(content.str());
      if (!text.empty()) {
        try {
          const std::int64_t at = parse_start_at(text, path);
          check_start_at(at, now_unix_ms(), path);
          return at;
        } catch (const core::InputError&) {
          // A writer may not have finished the file: allow half a second.
          if (++unreadable_polls >= 5) throw;
        }
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (on_wait && now >= next_report) {
      on_wait(std::chrono::duration<double>(now - began).count());
      next_report = now + std::chrono::seconds(1);
    }
    if (now - began > std::chrono::hours(24)) {
      throw core::InputError(path, "", "no start time appeared in the file within 24 hours");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string format_unix_ms(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  const int millis = static_cast<int>(unix_ms - static_cast<std::int64_t>(seconds) * 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return buffer;
}

}  // namespace golive::load
