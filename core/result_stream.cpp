#include "core/result_stream.hpp"

#include <array>
#include <fstream>
#include <optional>

#include "core/input_error.hpp"

namespace golive::core {

JsonlResultWriter::JsonlResultWriter(const std::string& path, const Redactor& redactor)
    : file_(std::fopen(path.c_str(), "a")), redactor_(redactor) {
  if (!file_) throw InputError(path, "", "cannot open result stream for writing");
}

JsonlResultWriter::~JsonlResultWriter() = default;

void JsonlResultWriter::write_line(const nlohmann::json& line) {
  // Redact the serialised text, not just string values: a secret may sit
  // inside a key, and dump() is what lands on disk.
  std::string text = redactor_.redact(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  text += '\n';
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), file_.get());
  std::fflush(file_.get());
}

void JsonlResultWriter::record(const CheckResult& result) { write_line(to_json(result)); }

void JsonlResultWriter::record_meta(const std::string& kind, const nlohmann::json& fields) {
  nlohmann::json line = fields;
  line["record"] = kind;
  write_line(line);
}

void CollectingSink::record(const CheckResult& result) {
  {
    std::lock_guard lock(mutex_);
    results_.push_back(result);
  }
  if (next_) next_->record(result);
}

std::vector<CheckResult> CollectingSink::results() const {
  std::lock_guard lock(mutex_);
  return results_;
}

ResultStreamContents read_result_stream(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot open result stream");
  ResultStreamContents contents;
  std::string line;
  std::size_t number = 0;
  // Record kinds of which only the last is kept whole, and its index in contents.meta.
  static constexpr std::array<const char*, 2> kSuperseding = {"load_checkpoint", "load_snapshot"};
  std::array<std::optional<std::size_t>, 2> last_superseding;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    bool last = in.peek() == std::char_traits<char>::eof();
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {  // parse_error, or out_of_range for "1e999"
      if (last) {
        contents.truncated_tail = true;
        break;
      }
      throw InputError(path, "line " + std::to_string(number), "not a JSON object");
    }
    if (value.is_object() && value.contains("record")) {
      // A load test's checkpoints and snapshots supersede each other (only
      // the last of each kind is ever read), and a long run writes thousands:
      // keep a stub of the earlier ones, so memory stays bounded by one of each.
      const auto& kind = value["record"];
      for (std::size_t k = 0; k < kSuperseding.size(); ++k) {
        if (kind != kSuperseding[k]) continue;
        if (last_superseding[k]) {
          contents.meta[*last_superseding[k]] = {{"record", std::string(kSuperseding[k]) + "_superseded"}};
        }
        last_superseding[k] = contents.meta.size();
      }
      contents.meta.push_back(std::move(value));
      continue;
    }
    contents.checks.push_back(check_result_from_json(value, path + ":" + std::to_string(number)));
  }
  return contents;
}

}  // namespace golive::core
