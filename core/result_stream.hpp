// The result stream: suites push CheckResults into a ResultSink as they
// happen. JsonlResultWriter appends each record to results.jsonl and flushes
// at once, so a crash or Ctrl-C still leaves every finished check on disk.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/check_result.hpp"
#include "core/redactor.hpp"

namespace golive::core {

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual void record(const CheckResult& result) = 0;
  // A non-check record (a load summary, the SLA figures, surface coverage)
  // that reporters read. Sinks that only care about checks ignore it.
  virtual void record_meta(const std::string& kind, const nlohmann::json& fields) {
    (void)kind;
    (void)fields;
  }
};

// Appends one redacted JSON object per line. Thread-safe.
class JsonlResultWriter : public ResultSink {
 public:
  JsonlResultWriter(const std::string& path, const Redactor& redactor);
  ~JsonlResultWriter() override;
  JsonlResultWriter(const JsonlResultWriter&) = delete;
  JsonlResultWriter& operator=(const JsonlResultWriter&) = delete;

  void record(const CheckResult& result) override;
  // Writes a non-check record (run start/end markers, load summaries):
  // {"record": kind, ...fields}. Readers skip kinds they do not know.
  void record_meta(const std::string& kind, const nlohmann::json& fields) override;

 private:
  void write_line(const nlohmann::json& line);

  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> file_;
  const Redactor& redactor_;
  std::mutex mutex_;
};

// Keeps results in memory (for reporters and tests) and forwards them.
class CollectingSink : public ResultSink {
 public:
  explicit CollectingSink(ResultSink* next = nullptr) : next_(next) {}
  void record(const CheckResult& result) override;
  void record_meta(const std::string& kind, const nlohmann::json& fields) override {
    if (next_ != nullptr) next_->record_meta(kind, fields);
  }
  std::vector<CheckResult> results() const;

 private:
  ResultSink* next_;
  mutable std::mutex mutex_;
  std::vector<CheckResult> results_;
};

// Calls a function for every result (progress lines, counters).
class CallbackSink : public ResultSink {
 public:
  explicit CallbackSink(std::function<void(const CheckResult&)> on_result)
      : on_result_(std::move(on_result)) {}
  void record(const CheckResult& result) override { on_result_(result); }

 private:
  std::function<void(const CheckResult&)> on_result_;
};

// Fans one record out to several sinks.
class TeeSink : public ResultSink {
 public:
  void add(ResultSink* sink) { sinks_.push_back(sink); }
  void record(const CheckResult& result) override {
    for (auto* sink : sinks_) sink->record(result);
  }
  void record_meta(const std::string& kind, const nlohmann::json& fields) override {
    for (auto* sink : sinks_) sink->record_meta(kind, fields);
  }

 private:
  std::vector<ResultSink*> sinks_;
};

// Serialises records that several threads produce (stages running at the
// same time) into one sink, one record at a time.
class SerializedSink : public ResultSink {
 public:
  explicit SerializedSink(ResultSink& next) : next_(next) {}
  void record(const CheckResult& result) override {
    std::lock_guard lock(mutex_);
    next_.record(result);
  }
  void record_meta(const std::string& kind, const nlohmann::json& fields) override {
    std::lock_guard lock(mutex_);
    next_.record_meta(kind, fields);
  }

 private:
  ResultSink& next_;
  std::mutex mutex_;
};

// Reads a results.jsonl back. Lines that are not check records are returned
// in `meta`; a truncated last line (an interrupted write) is ignored, any
// other malformed line is an InputError naming the file and line.
struct ResultStreamContents {
  std::vector<CheckResult> checks;
  std::vector<nlohmann::json> meta;
  bool truncated_tail = false;
};
ResultStreamContents read_result_stream(const std::string& path);

}  // namespace golive::core
