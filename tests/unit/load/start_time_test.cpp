// The synchronised start of load shards: RFC 3339 parsing, the past / 24 h
// bounds (core::InputError naming the flag or file: exit 2), and waiting for
// a start file that appears later on a shared volume.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/input_error.hpp"
#include "load/start_time.hpp"

namespace golive::load {
namespace {

TEST(StartTime, ParsesRfc3339WithZoneAndFraction) {
  EXPECT_EQ(parse_start_at("1970-01-01T00:00:00Z", "--start-at"), 0);
  EXPECT_EQ(parse_start_at("2026-12-06T20:15:00Z", "--start-at"), 1796588100000);
  EXPECT_EQ(parse_start_at("2026-12-06T21:15:00+01:00", "--start-at"), 1796588100000);
  EXPECT_EQ(parse_start_at("2026-12-06t20:15:00.25z\n", "f"), 1796588100250);
  EXPECT_EQ(format_unix_ms(1796588100250), "2026-12-06T20:15:00.250Z");
  for (const char* bad : {"2026-12-06 20:15", "2026-12-06T20:15:00", "2026-13-06T20:15:00Z",
                          "2026-02-30T20:15:00Z", "2026-12-06T20:15:00Zjunk", "2026-12-06T20:15:00+1"}) {
    SCOPED_TRACE(bad);
    try {
      parse_start_at(bad, "--start-at");
      FAIL() << "accepted";
    } catch (const core::InputError& error) {
      EXPECT_NE(std::string(error.what()).find("--start-at"), std::string::npos) << error.what();
    }
  }
}

TEST(StartTime, RefusesThePastAndMoreThanADayAhead) {
  const std::int64_t now = 1796588100000;
  EXPECT_NO_THROW(check_start_at(now + 5000, now, "--start-at"));
  EXPECT_NO_THROW(check_start_at(now - 500, now, "--start-at"));  // clock skew of a moment
  EXPECT_THROW(check_start_at(now - 5000, now, "--start-at"), core::InputError);
  EXPECT_THROW(check_start_at(now + 25LL * 3600 * 1000, now, "--start-at"), core::InputError);
}

TEST(StartTime, WaitsForTheStartFileToAppear) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("golive-start-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "start").string();
  const std::int64_t wanted = now_unix_ms() + 60'000;
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::ofstream(path) << format_unix_ms(wanted) << "\n";
  });
  int reports = 0;
  const std::int64_t got = wait_for_start_file(path, nullptr, [&](double) { ++reports; });
  writer.join();
  EXPECT_EQ(got, wanted);
  EXPECT_GE(reports, 1);
  // A time in the past in the file is refused, naming the file.
  std::ofstream(path) << "2000-01-01T00:00:00Z\n";
  try {
    wait_for_start_file(path, nullptr, nullptr);
    FAIL() << "accepted a past time";
  } catch (const core::InputError& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  // Interrupted while waiting: -1.
  EXPECT_EQ(wait_for_start_file((dir / "never").string(), [] { return true; }, nullptr), -1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace golive::load
