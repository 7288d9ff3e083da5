#include "contract/json_schema_validator.hpp"

// valijson reports a bad schema by exception only when asked to; otherwise it
// prints and aborts the process.
#define VALIJSON_USE_EXCEPTIONS 1
#include <stdexcept>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/input_error.hpp"

namespace golive::contract {

namespace {

// valijson 1.0 reports a description, not the keyword: the keyword is read
// back from the description's fixed wording. Longer prefixes come first
// where one wording starts with another. Container summaries map to "".
struct KeywordPattern {
  const char* text;  // a prefix (or, with contains = true, a substring) of the description
  const char* keyword;
  bool contains = false;
};

constexpr KeywordPattern kPatterns[] = {
    {"Value type not permitted by 'type'", "type"},
    {"Missing required property", "required"},
    {"Failed to match against any enum values", "enum"},
    {"Failed to match expected value set by 'const'", "const"},
    {"Failed to match regex specified by 'pattern'", "pattern"},
    {"Expected number greater than or equal to", "minimum"},
    {"Expected number greater than", "exclusiveMinimum"},
    {"Expected number less than or equal to", "maximum"},
    {"Expected number less than", "exclusiveMaximum"},
    {"String should be no fewer than", "minLength"},
    {"String should be no more than", "maxLength"},
    {"Array should contain no fewer than", "minItems"},
    {"Array should contain no more than", "maxItems"},
    {"Array contains more items than allowed", "additionalItems"},
    {"Elements at indexes", "uniqueItems"},
    {"Object should have no fewer than", "minProperties"},
    {"Object should have no more than", "maxProperties"},
    {"Object contains a property that could not be validated", "additionalProperties"},
    {"Value should be a multiple of", "multipleOf"},
    {"Value could not be converted", "multipleOf"},
    {"Missing dependency", "dependencies"},
    {"Failed to validate against dependent schema", "dependencies"},
    {"Target should not validate against schema specified in 'not'", "not"},
    {"allowed by anyOf", "anyOf", true},
    {"allowed by oneOf", "oneOf", true},
    {"Failed to validate against exactly one child schema", "oneOf"},
    {"Failed to validate against child schema #", "allOf"},
    {"'contains' constraint", "contains", true},
    {"if-then-else", "if", true},
    {"Target value and comparison value are not equal", "const"},
    // Summaries of a container whose member failed: explained by that member.
    {"Failed to validate item #", ""},
    {"Cannot validate item #", ""},
    {"Failed to validate against schema associated with", ""},
    {"Failed to validate against additional properties schema", ""},
};

// valijson's context ["<root>", "[items]", "[0]"] as an RFC 6901 pointer.
std::string pointer_of(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& token : context) {
    if (token == "<root>") continue;
    std::string name = token;
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
      name = name.substr(1, name.size() - 2);
    }
    pointer += "/" + core::escape_pointer_token(name);
  }
  return pointer;
}

// The property named at the end of "...: 'name'." (additionalProperties).
std::string quoted_tail(const std::string& description) {
  const std::size_t end = description.rfind('\'');
  if (end == std::string::npos || end == 0) return "";
  const std::size_t begin = description.rfind('\'', end - 1);
  if (begin == std::string::npos) return "";
  return description.substr(begin + 1, end - begin - 1);
}

bool is_summary(const std::string& description) {
  for (const auto& pattern : kPatterns) {
    if (*pattern.keyword != '\0') continue;
    if (description.rfind(pattern.text, 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::string keyword_of(const std::string& description) {
  for (const auto& pattern : kPatterns) {
    const bool hit = pattern.contains ? description.find(pattern.text) != std::string::npos
                                      : description.rfind(pattern.text, 0) == 0;
    if (hit) return pattern.keyword;
  }
  return "";
}

struct JsonSchemaValidator::Compiled {
  nlohmann::json document;  // kept alive: the parsed schema refers to its values
  valijson::Schema schema;
};

JsonSchemaValidator::JsonSchemaValidator(nlohmann::json schema, const std::string& origin)
    : compiled_(std::make_unique<Compiled>()) {
  compiled_->document = std::move(schema);
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(compiled_->document);
    parser.populateSchema(adapter, compiled_->schema);
  } catch (const std::exception& error) {
    throw std::runtime_error(origin + ": not a usable JSON Schema: " + error.what());
  }
}

JsonSchemaValidator::~JsonSchemaValidator() = default;
JsonSchemaValidator::JsonSchemaValidator(JsonSchemaValidator&&) noexcept = default;
JsonSchemaValidator& JsonSchemaValidator::operator=(JsonSchemaValidator&&) noexcept = default;

std::vector<SchemaViolation> JsonSchemaValidator::validate(const nlohmann::json& document) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  const valijson::adapters::NlohmannJsonAdapter target(document);
  try {
    if (validator.validate(compiled_->schema, target, &results)) return {};
  } catch (const std::exception& error) {
    return {{"", "schema", std::string("the schema could not be applied: ") + error.what()}};
  }
  std::vector<SchemaViolation> specific;
  std::vector<SchemaViolation> summaries;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    SchemaViolation violation{pointer_of(error.context), keyword_of(error.description),
                              error.description};
    if (violation.keyword == "additionalProperties") {
      violation.pointer += "/" + core::escape_pointer_token(quoted_tail(error.description));
    }
    (is_summary(error.description) ? summaries : specific).push_back(std::move(violation));
  }
  if (specific.empty()) {
    // Only summaries: report them with the keyword unknown rather than nothing.
    for (auto& summary : summaries) summary.keyword = "schema";
    return summaries;
  }
  // Deepest pointer first: the most specific explanation leads.
  std::stable_sort(specific.begin(), specific.end(),
                   [](const SchemaViolation& a, const SchemaViolation& b) {
                     return a.pointer.size() > b.pointer.size();
                   });
  return specific;
}

}  // namespace golive::contract
