// The JSON Lines result stream: written as results happen, redacted, and read
// back even when the last line was cut by an interrupted run.
#include "core/result_stream.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/input_error.hpp"

namespace golive::core {
namespace {

CheckResult sample(const std::string& id, CheckStatus status) {
  CheckResult r;
  r.id = id;
  r.suite = "security";
  r.title = "RLS enabled on topics";
  r.status = status;
  r.severity = Severity::kHigh;
  r.checklist = {"s000.security.rls_all_tables"};
  r.duration_ms = 12.5;
  r.message = "token sk_test_SECRETVALUE seen";
  r.evidence = {{"sql", "select 1"}};
  return r;
}

std::string temp_path(const std::string& name) {
  std::string path = testing::TempDir() + "/" + name;
  std::remove(path.c_str());
  return path;
}

TEST(ResultStream, RoundTripsEveryFieldAndRedacts) {
  Redactor redactor;
  redactor.add_secret("sk_test_SECRETVALUE");
  std::string path = temp_path("golive_roundtrip.jsonl");
  {
    JsonlResultWriter writer(path, redactor);
    writer.record_meta("run_start", {{"run_id", "r1"}});
    writer.record(sample("security.rls.static.rls_disabled.public.topics", CheckStatus::kFail));
    writer.record(sample("e2e.signup.login", CheckStatus::kPass));
  }
  auto contents = read_result_stream(path);
  ASSERT_EQ(contents.checks.size(), 2u);
  ASSERT_EQ(contents.meta.size(), 1u);
  EXPECT_EQ(contents.meta[0]["record"], "run_start");
  const auto& first = contents.checks[0];
  EXPECT_EQ(first.id, "security.rls.static.rls_disabled.public.topics");
  EXPECT_EQ(first.status, CheckStatus::kFail);
  EXPECT_EQ(first.severity, Severity::kHigh);
  EXPECT_EQ(first.checklist.at(0), "s000.security.rls_all_tables");
  EXPECT_DOUBLE_EQ(first.duration_ms, 12.5);
  EXPECT_EQ(first.message, std::string("token ") + Redactor::kMask + " seen");
  EXPECT_TRUE(first.failed());
  EXPECT_FALSE(contents.checks[1].failed());
}

TEST(ResultStream, RecordsAreOnDiskBeforeTheWriterCloses) {
  Redactor redactor;
  std::string path = temp_path("golive_flush.jsonl");
  JsonlResultWriter writer(path, redactor);
  writer.record(sample("a.b", CheckStatus::kPass));
  // A crash now must still leave the record readable.
  EXPECT_EQ(read_result_stream(path).checks.size(), 1u);
}

TEST(ResultStream, KeepsOnlyTheLastLoadCheckpointAndSnapshotWhole) {
  Redactor redactor;
  std::string path = temp_path("golive_checkpoints.jsonl");
  {
    JsonlResultWriter writer(path, redactor);
    for (int i = 1; i <= 3; ++i) {
      writer.record_meta("load_second", {{"t", i}});
      writer.record_meta("load_snapshot", {{"elapsed_s", i}, {"shard", {{"big", std::string(1000, 'x')}}}});
      writer.record_meta("load_checkpoint", {{"elapsed_s", i}});
    }
  }
  const auto contents = read_result_stream(path);
  ASSERT_EQ(contents.meta.size(), 9u);
  EXPECT_EQ(contents.meta[0]["record"], "load_second");
  EXPECT_EQ(contents.meta[1], nlohmann::json({{"record", "load_snapshot_superseded"}}));
  EXPECT_EQ(contents.meta[2], nlohmann::json({{"record", "load_checkpoint_superseded"}}));
  EXPECT_EQ(contents.meta[5], nlohmann::json({{"record", "load_checkpoint_superseded"}}));
  EXPECT_EQ(contents.meta[7]["record"], "load_snapshot");
  EXPECT_EQ(contents.meta[7]["elapsed_s"], 3);
  EXPECT_EQ(contents.meta[8]["record"], "load_checkpoint");
}

TEST(ResultStream, ToleratesTruncatedLastLineOnly) {
  std::string path = temp_path("golive_truncated.jsonl");
  {
    std::ofstream out(path);
    out << to_json(sample("a.b", CheckStatus::kPass)).dump() << "\n" << R"({"id": "c.d", "sui)";
  }
  auto contents = read_result_stream(path);
  EXPECT_EQ(contents.checks.size(), 1u);
  EXPECT_TRUE(contents.truncated_tail);

  std::string bad = temp_path("golive_bad.jsonl");
  {
    std::ofstream out(bad);
    out << "garbage\n" << to_json(sample("a.b", CheckStatus::kPass)).dump() << "\n";
  }
  EXPECT_THROW(read_result_stream(bad), InputError);
}

TEST(ResultStream, RejectsRecordsWithBadStatusNamingTheLine) {
  std::string path = temp_path("golive_badstatus.jsonl");
  {
    std::ofstream out(path);
    out << R"({"id": "x", "suite": "e2e", "status": "passed"})" << "\n";
  }
  try {
    read_result_stream(path);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(":1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/status"), std::string::npos) << e.what();
  }
}

TEST(ResultStream, CollectingAndTeeSinksForward) {
  CollectingSink inner;
  CollectingSink outer(&inner);
  int calls = 0;
  CallbackSink counter([&](const CheckResult&) { ++calls; });
  TeeSink tee;
  tee.add(&outer);
  tee.add(&counter);
  tee.record(sample("x.y", CheckStatus::kSkip));
  EXPECT_EQ(outer.results().size(), 1u);
  EXPECT_EQ(inner.results().size(), 1u);
  EXPECT_EQ(calls, 1);
}

TEST(CheckResult, StatusAndSeverityNamesRoundTrip) {
  for (auto s : {CheckStatus::kPass, CheckStatus::kFail, CheckStatus::kError, CheckStatus::kSkip}) {
    EXPECT_EQ(parse_check_status(to_string(s)), s);
  }
  for (auto s : {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh,
                 Severity::kCritical}) {
    EXPECT_EQ(parse_severity(to_string(s)), s);
  }
  EXPECT_FALSE(parse_check_status("ok").has_value());
}

}  // namespace
}  // namespace golive::core
