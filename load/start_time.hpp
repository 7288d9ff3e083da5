// A synchronised start for the shards of one distributed load run:
// `golive load --start-at 2026-12-06T20:15:00Z` (or `--start-file PATH` on a
// shared volume, holding that time) makes every shard begin its scenarios
// at the same wall-clock instant, so their per-second series line up second
// for second in `golive report merge` (which aligns shards by their
// wall-clock start).
//
//   const auto at = parse_start_at("2026-12-06T20:15:00Z", "--start-at");  // unix ms
//   check_start_at(at, now_unix_ms(), "--start-at");  // past or > 24 h ahead: InputError
//
// Every error is a core::InputError naming the flag or the file (exit 2).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace golive::load {

// Milliseconds since 1970-01-01 UTC, now.
std::int64_t now_unix_ms();

// RFC 3339: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM) ('t', 'z' and a
// space for 'T' accepted). Returns unix milliseconds. `origin` names the
// flag or file in the error.
std::int64_t parse_start_at(const std::string& text, const std::string& origin);

// Refuses a start in the past (by more than a second) or more than 24 h ahead.
void check_start_at(std::int64_t start_unix_ms, std::int64_t now_ms, const std::string& origin);

// Waits until `path` exists and holds an RFC 3339 time, then returns it
// (checked as above). Polls every 100 ms; `on_wait(seconds_waited)` runs
// about once a second; returns -1 when `should_stop` says so.
std::int64_t wait_for_start_file(const std::string& path, const std::function<bool()>& should_stop,
                                 const std::function<void(double)>& on_wait);

// "2026-12-06T20:15:00.000Z"
std::string format_unix_ms(std::int64_t unix_ms);

}  // namespace golive::load
