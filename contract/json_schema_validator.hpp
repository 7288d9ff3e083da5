// JsonSchemaValidator: one compiled JSON Schema (draft 7, valijson with its
// nlohmann adapter) that validates documents and reports each violation as a
// JSON pointer into the document plus the violated keyword ("type",
// "required", "enum", ...), the shape reports and CI annotations need.
//
//   JsonSchemaValidator schema(nlohmann::json::parse(text), "contract/schemas/job.json");
//   for (const auto& v : schema.validate(body)) ... v.pointer, v.keyword, v.message
//
// Local "$ref"s ("#/definitions/...", "#/components/schemas/...") resolve
// against the schema document itself; remote references are not fetched.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace golive::contract {

struct SchemaViolation {
  std::string pointer;  // RFC 6901 pointer into the validated document ("" = the root)
  std::string keyword;  // the JSON Schema keyword that failed, e.g. "required"
  std::string message;  // valijson's description
};

class JsonSchemaValidator {
 public:
  // Compiles `schema`. Throws std::runtime_error naming `origin` when it is
  // not a usable schema (bad keyword values, an unresolvable $ref).
  JsonSchemaValidator(nlohmann::json schema, const std::string& origin);
  ~JsonSchemaValidator();
  JsonSchemaValidator(JsonSchemaValidator&&) noexcept;
  JsonSchemaValidator& operator=(JsonSchemaValidator&&) noexcept;

  // The violations of `document`, most specific first; empty when it
  // conforms. Containers' summary errors ("item #2 failed") are dropped when
  // a violation inside them explains the failure. Thread-safe (const).
  std::vector<SchemaViolation> validate(const nlohmann::json& document) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// Maps a valijson error description to the keyword it reports ("" when unknown).
std::string keyword_of(const std::string& description);

}  // namespace golive::contract
