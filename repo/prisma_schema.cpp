#include "repo/prisma_schema.hpp"

#include <regex>
#include <sstream>

#include "core/input_error.hpp"

namespace golive::repo {

namespace {

const std::set<std::string> kScalars = {"String", "Int", "BigInt", "Float", "Decimal", "Boolean",
                                        "DateTime", "Json", "Bytes", "Unsupported"};

// The line without its // comment (a // inside a string stays).
std::string strip_comment(const std::string& line) {
  bool in_string = false;
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    if (line[i] == '"' && (i == 0 || line[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && line[i] == '/' && line[i + 1] == '/') return line.substr(0, i);
  }
  return line;
}

std::vector<std::string> name_list(const std::string& text) {
  std::vector<std::string> out;
  static const std::regex kName(R"([A-Za-z_][A-Za-z0-9_]*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kName); it != std::sregex_iterator(); ++it) {
    out.push_back(it->str());
  }
  return out;
}

// The [a, b] list that follows `key:` in an attribute's arguments (or the
// first [..] when `key` is empty: @@index([a, b], map: "x")).
std::vector<std::string> bracket_list(const std::string& arguments, const std::string& key) {
  std::size_t start = 0;
  if (!key.empty()) {
    const std::regex pattern("\\b" + key + "\\s*:\\s*\\[");
    std::smatch match;
    if (!std::regex_search(arguments, match, pattern)) return {};
    start = static_cast<std::size_t>(match.position(0) + match.length(0)) - 1;
  } else {
    start = arguments.find('[');
    if (start == std::string::npos) return {};
  }
  const auto end = arguments.find(']', start);
  if (end == std::string::npos) return {};
  std::vector<std::string> names;
  // Drop sort and length arguments: [title(sort: Desc)] -> title.
  std::string inner = arguments.substr(start + 1, end - start - 1);
  inner = std::regex_replace(inner, std::regex(R"(\([^)]*\))"), "");
  return name_list(inner);
}

std::string quoted_argument(const std::string& text) {
  static const std::regex kQuoted("\"([^\"]*)\"");
  std::smatch match;
  return std::regex_search(text, match, kQuoted) ? match[1].str() : "";
}

// The text of `@name(...)` with balanced parentheses, or "" when absent;
// `present` tells "@id" (no arguments) from absent.
std::string attribute_arguments(const std::string& line, const std::string& name, bool* present) {
  const std::regex pattern(name + "(?![A-Za-z0-9_.])");
  std::smatch match;
  *present = std::regex_search(line, match, pattern);
  if (!*present) return "";
  std::size_t at = static_cast<std::size_t>(match.position(0) + match.length(0));
  if (at >= line.size() || line[at] != '(') return "";
  int depth = 0;
  for (std::size_t i = at; i < line.size(); ++i) {
    if (line[i] == '(') ++depth;
    if (line[i] == ')' && --depth == 0) return line.substr(at + 1, i - at - 1);
  }
  return line.substr(at + 1);
}

}  // namespace

const PrismaField* PrismaModel::field(const std::string& wanted) const {
  for (const auto& f : fields) {
    if (f.name == wanted) return &f;
  }
  return nullptr;
}

const PrismaModel* PrismaSchema::model(const std::string& wanted) const {
  for (const auto& m : models) {
    if (m.name == wanted) return &m;
  }
  return nullptr;
}

bool PrismaSchema::is_scalar(const std::string& type) const { return kScalars.count(type) || enums.count(type); }

PrismaSchema parse_prisma_schema(const std::string& origin, const std::string& text) {
  PrismaSchema schema;
  std::istringstream in(text);
  std::string raw;
  int number = 0;
  enum class Block { kNone, kModel, kEnum, kOther } block = Block::kNone;
  static const std::regex kBlockStart(R"(^\s*(model|enum|generator|datasource|view|type)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{\s*$)");
  static const std::regex kField(R"(^\s*([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z_][A-Za-z0-9_]*(\([^)]*\))?)(\[\])?(\?)?(\s+(.*))?$)");
  auto fail = [&](const std::string& problem) { throw core::InputError(origin, "line " + std::to_string(number), problem); };
  while (std::getline(in, raw)) {
    ++number;
    std::string line = strip_comment(raw);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    std::smatch match;
    if (block == Block::kNone) {
      if (!std::regex_match(line, match, kBlockStart)) fail("expected a model, enum, generator or datasource block");
      const std::string kind = match[1].str();
      if (kind == "model") {
        block = Block::kModel;
        PrismaModel model;
        model.name = match[2].str();
        model.table = model.name;
        model.line = number;
        schema.models.push_back(model);
      } else if (kind == "enum") {
        block = Block::kEnum;
        schema.enums.insert(match[2].str());
      } else {
        block = Block::kOther;
      }
      continue;
    }
    if (line.find_first_not_of(" \t") != std::string::npos && line.substr(line.find_first_not_of(" \t")) == "}") {
      block = Block::kNone;
      continue;
    }
    if (block != Block::kModel) continue;
    PrismaModel& model = schema.models.back();
    const std::string trimmed = line.substr(line.find_first_not_of(" \t"));
    if (trimmed.rfind("@@", 0) == 0) {
      bool present = false;
      if (trimmed.rfind("@@map", 0) == 0) model.table = quoted_argument(attribute_arguments(trimmed, "@@map", &present));
      else if (trimmed.rfind("@@id", 0) == 0) model.id_fields = bracket_list(attribute_arguments(trimmed, "@@id", &present), "");
      else if (trimmed.rfind("@@unique", 0) == 0) model.uniques.push_back({bracket_list(attribute_arguments(trimmed, "@@unique", &present), ""), number});
      else if (trimmed.rfind("@@index", 0) == 0) model.indexes.push_back({bracket_list(attribute_arguments(trimmed, "@@index", &present), ""), number});
      continue;  // @@schema, @@ignore, @@fulltext: nothing the drift check reads
    }
    if (!std::regex_match(line, match, kField)) fail("cannot read this field of model " + model.name);
    PrismaField field;
    field.name = match[1].str();
    field.type = match[2].str();
    if (auto paren = field.type.find('('); paren != std::string::npos) field.type = field.type.substr(0, paren);
    field.list = match[4].matched;
    field.optional = match[5].matched;
    field.column = field.name;
    field.line = number;
    const std::string attributes = match[7].str();
    bool present = false;
    attribute_arguments(attributes, "@id", &present);
    field.id = present;
    attribute_arguments(attributes, "@unique", &present);
    field.unique = present;
    const std::string map = attribute_arguments(attributes, "@map", &present);
    if (present) field.column = quoted_argument(map);
    static const std::regex kNative(R"(@db\.([A-Za-z]+))");
    std::smatch native;
    if (std::regex_search(attributes, native, kNative)) field.native_type = native[1].str();
    const std::string relation = attribute_arguments(attributes, "@relation", &present);
    if (present) {
      field.relation_fields = bracket_list(relation, "fields");
      field.relation_references = bracket_list(relation, "references");
    }
    if (field.id) model.id_fields = {field.name};
    if (field.unique) model.uniques.push_back({{field.name}, number});
    model.fields.push_back(std::move(field));
  }
  if (block != Block::kNone) fail("the last block is not closed with }");
  return schema;
}

}  // namespace golive::repo
