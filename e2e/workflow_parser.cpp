#include "e2e/workflow_parser.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "core/ascii_case.hpp"
#include "core/input_error.hpp"
#include "e2e/dataset.hpp"
#include "e2e/generated_content.hpp"
#include "e2e/html_query.hpp"

namespace golive::e2e {

namespace {

namespace fs = std::filesystem;
using core::JsonReader;

constexpr std::size_t kMaxIncludeDepth = 8;

bool is_identifier(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool is_step_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string lowercase(const std::string& text) { return core::ascii_lower(text); }

std::string resolve_relative(const std::string& from_file, const std::string& path) {
  fs::path target(path);
  if (target.is_absolute()) return target.string();
  return (fs::path(from_file).parent_path() / target).lexically_normal().string();
}

// Milliseconds from a non-negative integer member, or `fallback` when absent.
std::chrono::milliseconds milliseconds_or(const JsonReader& reader, const std::string& key,
                                          std::int64_t fallback, bool allow_zero) {
  if (!reader.has(key)) return std::chrono::milliseconds(fallback);
  auto member = reader.at(key);
  std::int64_t value = member.as_integer();
  if (value < 0 || (!allow_zero && value == 0)) {
    member.fail(allow_zero ? "must be zero or more milliseconds"
                           : "must be at least 1 millisecond");
  }
  return std::chrono::milliseconds(value);
}

// Text of a scalar used where a string is expected (query values, variables).
std::string scalar_text(const JsonReader& reader) {
  const auto& value = reader.value();
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  reader.fail("expected a string, number or boolean, found " + std::string(value.type_name()));
}

class WorkflowParser {
 public:
  explicit WorkflowParser(Workflow& workflow) : workflow_(workflow) {
    for (const auto& name : environment_field_names()) {
      static_slots_.insert(workflow_.symbols.declare(name));
    }
  }

  void parse_root(const nlohmann::json& document, const std::string& path) {
    include_stack_.push_back(canonical(path));
    std::vector<Step> cleanup = parse_document(document, path, "", true);
    workflow_.cleanup = std::move(cleanup);
    include_stack_.pop_back();
  }

 private:
  static std::string canonical(const std::string& path) {
    std::error_code ignored;
    return fs::weakly_canonical(fs::path(path), ignored).string();
  }

  // Parses one file's document; its steps go to workflow_.steps (in order)
  // and its cleanup steps are returned, included files' cleanups last so a
  // sub-workflow that created the user deletes it after the parent's
  // cleanup has used it.
  std::vector<Step> parse_document(const nlohmann::json& document, const std::string& path,
                                   const std::string& name_prefix, bool is_root) {
    JsonReader root(document, path);
    root.reject_unknown_keys(
        {"description", "variables", "dataset", "headers", "steps", "cleanup", "cookies"});
    if (root.has("cookies")) {
      auto cookies = root.at("cookies");
      if (!is_root && cookies.as_bool() != workflow_.cookies) {
        cookies.fail("only the top-level workflow may set cookies");
      }
      if (is_root) workflow_.cookies = cookies.as_bool();
    }
    auto description = root.at("description");
    if (description.as_string().empty()) description.fail("the description must not be empty");
    if (is_root) workflow_.description = description.as_string();

    if (root.has("dataset")) {
      if (!is_root) root.at("dataset").fail("only the top-level workflow may have a dataset");
      parse_dataset(root.at("dataset"), path);
    }
    if (root.has("variables")) parse_variables(root.at("variables"));

    std::vector<std::pair<std::string, e2e::Template>> default_headers;
    if (root.has("headers")) default_headers = parse_headers(root.at("headers"));

    std::vector<Step> included_cleanups;
    auto steps = root.at("steps");
    if (steps.as_array().empty()) steps.fail("a workflow needs at least one step");
    for (std::size_t i = 0; i < steps.value().size(); ++i) {
      auto step = steps.at(i);
      if (step.has("include")) {
        auto cleanup = parse_include(step, path, name_prefix);
        included_cleanups.insert(included_cleanups.begin(),
                                 std::make_move_iterator(cleanup.begin()),
                                 std::make_move_iterator(cleanup.end()));
      } else {
        workflow_.steps.push_back(parse_step(step, path, name_prefix, default_headers));
      }
    }

    std::vector<Step> cleanup;
    if (root.has("cleanup")) {
      auto cleanup_steps = root.at("cleanup");
      for (std::size_t i = 0; i < cleanup_steps.as_array().size(); ++i) {
        auto step = cleanup_steps.at(i);
        if (step.has("include")) step.at("include").fail("cleanup steps cannot include workflows");
        cleanup.push_back(parse_step(step, path, name_prefix, default_headers));
      }
    }
    cleanup.insert(cleanup.end(), std::make_move_iterator(included_cleanups.begin()),
                   std::make_move_iterator(included_cleanups.end()));
    return cleanup;
  }

  std::vector<Step> parse_include(const JsonReader& step, const std::string& path,
                                  const std::string& name_prefix) {
    step.reject_unknown_keys({"name", "include"});
    auto include = step.at("include");
    std::string target = resolve_relative(path, include.as_string());
    std::string name =
        step.has("name") ? step.at("name").as_string() : fs::path(target).stem().string();
    if (!is_step_name(name)) {
      (step.has("name") ? step.at("name") : include)
          .fail("\"" + name + "\" is not a valid step name (letters, digits, _ and -)");
    }
    if (include_stack_.size() >= kMaxIncludeDepth) include.fail("includes nested too deeply");
    std::string key = canonical(target);
    if (std::find(include_stack_.begin(), include_stack_.end(), key) != include_stack_.end()) {
      include.fail("include cycle: \"" + include.as_string() + "\" is already being included");
    }
    if (!fs::exists(target)) include.fail("included file \"" + target + "\" does not exist");
    nlohmann::json document = core::load_json_file(target);
    include_stack_.push_back(key);
    auto cleanup = parse_document(document, target, name_prefix + name + ".", false);
    include_stack_.pop_back();
    return cleanup;
  }

  void parse_dataset(const JsonReader& reader, const std::string& path) {
    std::string file = resolve_relative(path, reader.as_string());
    if (!fs::exists(file)) reader.fail("dataset file \"" + file + "\" does not exist");
    Dataset dataset = load_dataset(file);
    for (const auto& column : dataset.columns) {
      if (workflow_.symbols.find(column)) {
        reader.fail("dataset column \"" + column + "\" clashes with another variable");
      }
      std::size_t slot = workflow_.symbols.declare(column);
      static_slots_.insert(slot);
      dataset.slots.push_back(slot);
    }
    workflow_.dataset = std::move(dataset);
  }

  // Declares every variable first, so initialisers may refer to each other
  // in any order; then evaluates them in dependency order.
  void parse_variables(const JsonReader& reader) {
    reader.as_object();
    std::vector<std::pair<std::size_t, JsonReader>> pending;
    for (const auto& item : reader.value().items()) {
      auto member = reader.at(item.key());
      require_new_variable(member, item.key());
      std::size_t slot = workflow_.symbols.declare(item.key());
      static_slots_.insert(slot);
      pending.emplace_back(slot, member);
    }
    std::map<std::size_t, VariableInit> inits;
    std::map<std::size_t, std::vector<std::size_t>> dependencies;
    std::map<std::size_t, std::string> locations;
    for (const auto& [slot, member] : pending) {
      e2e::Template value = compile(member, scalar_text(member), e2e::TemplateEscape::kNone);
      for (std::size_t used : value.referenced_slots()) {
        if (!static_slots_.count(used)) {
          member.fail(
              "a variable's initial value may use env fields, built-ins, dataset columns "
              "and other variables, not \"" +
              workflow_.symbols.name(used) + "\" (captured at run time)");
        }
      }
      dependencies[slot] = value.referenced_slots();
      locations[slot] = member.pointer();
      inits[slot] = VariableInit{slot, std::move(value)};
    }
    // Depth-first topological order; a cycle names the variable it closes at.
    std::map<std::size_t, int> state;  // 0 new, 1 visiting, 2 done
    std::function<void(std::size_t)> visit = [&](std::size_t slot) {
      if (!inits.count(slot) || state[slot] == 2) return;
      if (state[slot] == 1) {
        throw core::InputError(current_file(reader), locations[slot],
                               "variable \"" + workflow_.symbols.name(slot) +
                                   "\" depends on itself through other variables");
      }
      state[slot] = 1;
      for (std::size_t used : dependencies[slot]) visit(used);
      state[slot] = 2;
      workflow_.variables.push_back(inits[slot]);
    };
    for (const auto& [slot, member] : pending) visit(slot);
  }

  static std::string current_file(const JsonReader& reader) { return reader.file(); }

  void require_new_variable(const JsonReader& at, const std::string& name) {
    if (!is_identifier(name)) {
      at.fail("\"" + name + "\" is not a valid variable name (letters, digits, _)");
    }
    if (e2e::is_template_builtin(name)) at.fail("\"" + name + "\" is a built-in template name");
    if (workflow_.symbols.find(name)) at.fail("variable \"" + name + "\" is already declared");
  }

  std::vector<std::pair<std::string, e2e::Template>> parse_headers(const JsonReader& reader) {
    std::vector<std::pair<std::string, e2e::Template>> headers;
    for (const auto& item : reader.as_object().items()) {
      auto member = reader.at(item.key());
      if (item.key().empty()) member.fail("a header name must not be empty");
      headers.emplace_back(item.key(),
                           compile(member, member.as_string(), e2e::TemplateEscape::kNone));
    }
    return headers;
  }

  Step parse_step(const JsonReader& reader, const std::string& path, const std::string& name_prefix,
                  const std::vector<std::pair<std::string, e2e::Template>>& default_headers) {
    reader.reject_unknown_keys({"name", "method", "url", "headers", "query", "body", "form",
                                "multipart", "capture", "assert", "poll", "think_ms",
                                "timeout_ms", "sign", "follow_redirects", "auth", "retry", "when",
                                "clear_cookies"});
    Step step;
    auto name = reader.at("name");
    if (!is_step_name(name.as_string())) {
      name.fail("\"" + name.as_string() + "\" is not a valid step name (letters, digits, _ and -)");
    }
    step.name = name_prefix + name.as_string();
    if (!step_names_.insert(step.name).second)
      name.fail("step name \"" + step.name + "\" is used twice");
    step.source_file = path;
    step.location = reader.pointer();

    if (reader.has("method")) {
      auto method = reader.at("method");
      static const std::set<std::string> kMethods{"GET",    "POST", "PUT",    "PATCH",
                                                  "DELETE", "HEAD", "OPTIONS"};
      if (!kMethods.count(method.as_string())) {
        method.fail("method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
      }
      step.method = method.as_string();
    }
    auto url = reader.at("url");
    step.url = compile(url, url.as_string(), e2e::TemplateEscape::kNone);

    // A step's header replaces a workflow default of the same name (any
    // case); null removes the default (a webhook Stripe sends carries no apikey).
    step.headers = default_headers;
    if (reader.has("headers")) {
      auto headers = reader.at("headers");
      for (const auto& item : headers.as_object().items()) {
        const std::string& header = item.key();
        auto same = [&header](const auto& existing) {
          return lowercase(existing.first) == lowercase(header);
        };
        step.headers.erase(std::remove_if(step.headers.begin(), step.headers.end(), same),
                           step.headers.end());
        if (item.value().is_null()) continue;
        auto member = headers.at(header);
        if (header.empty()) member.fail("a header name must not be empty");
        step.headers.emplace_back(header,
                                  compile(member, member.as_string(), e2e::TemplateEscape::kNone));
      }
    }
    if (reader.has("query")) {
      auto query = reader.at("query");
      for (const auto& item : query.as_object().items()) {
        auto member = query.at(item.key());
        step.query.emplace_back(
            compile(query, item.key(), e2e::TemplateEscape::kUrlComponent),
            compile(member, scalar_text(member), e2e::TemplateEscape::kUrlComponent));
      }
    }
    if (reader.has("body") + reader.has("form") + reader.has("multipart") > 1) {
      reader.fail("a step has at most one of: body, form, multipart");
    }
    if (reader.has("body")) parse_body(reader.at("body"), step);
    if (reader.has("form")) parse_form(reader.at("form"), step);
    if (reader.has("multipart")) parse_multipart(reader.at("multipart"), path, step);
    if (reader.has("follow_redirects")) parse_redirects(reader.at("follow_redirects"), step);
    if (reader.has("auth")) parse_auth(reader.at("auth"), step);
    if (reader.has("retry")) parse_retry(reader.at("retry"), step);
    if (reader.has("when")) parse_when(reader.at("when"), step);
    if (reader.has("clear_cookies")) step.clear_cookies = reader.at("clear_cookies").as_bool();
    if (reader.has("sign")) {
      auto sign = reader.at("sign");
      sign.reject_unknown_keys({"stripe"});
      step.sign_stripe = sign.at("stripe").as_bool();
    }
    step.think = milliseconds_or(reader, "think_ms", 0, true);
    step.timeout = milliseconds_or(reader, "timeout_ms", 30000, false);

    // Assertions see the variables known before this step; its own captures
    // are stored only after its assertions pass.
    if (reader.has("assert")) {
      auto assertions = reader.at("assert");
      for (std::size_t i = 0; i < assertions.as_array().size(); ++i) {
        step.assertions.push_back(parse_assertion(assertions.at(i)));
      }
    }
    if (reader.has("poll")) {
      auto poll = reader.at("poll");
      poll.reject_unknown_keys({"interval_ms", "timeout_ms"});
      PollSpec spec;
      spec.interval = milliseconds_or(poll, "interval_ms", spec.interval.count(), false);
      spec.timeout = milliseconds_or(poll, "timeout_ms", spec.timeout.count(), false);
      if (spec.interval > spec.timeout) poll.fail("interval_ms must not exceed timeout_ms");
      if (step.assertions.empty()) poll.fail("a polled step needs assertions to know when to stop");
      step.poll = spec;
      if (step.retry) poll.fail("a step polls or retries, not both");
    }
    if (reader.has("capture")) {
      auto captures = reader.at("capture");
      for (std::size_t i = 0; i < captures.as_array().size(); ++i) {
        step.captures.push_back(parse_capture(captures.at(i)));
      }
    }
    return step;
  }

  // A JSON body becomes one template over its compact text. Each string is
  // compiled at its own pointer (so an unknown variable is reported there)
  // with variables JSON-escaped; a string that is exactly "{{raw:name}}" is
  // replaced by the value unquoted, for numbers, booleans and captured JSON.
  void parse_body(const JsonReader& body, Step& step) {
    if (body.value().is_string()) {
      step.body = compile(body, body.as_string(), e2e::TemplateEscape::kNone);
      step.body_kind = BodyKind::kText;
      return;
    }
    e2e::Template document;
    append_json(body, document);
    step.body = std::move(document);
    step.body_is_json = true;
    step.body_kind = BodyKind::kJson;
  }

  // {"name": value}: application/x-www-form-urlencoded, names and values
  // percent-encoded (literal text too). Fields are sent in name order (the
  // order a JSON object keeps here).
  void parse_form(const JsonReader& form, Step& step) {
    for (const auto& item : form.as_object().items()) {
      auto member = form.at(item.key());
      if (item.key().empty()) member.fail("a form field name must not be empty");
      step.form.emplace_back(
          compile(form, item.key(), e2e::TemplateEscape::kUrlComponent)
              .with_literals_percent_encoded(),
          compile(member, scalar_text(member), e2e::TemplateEscape::kUrlComponent)
              .with_literals_percent_encoded());
    }
    step.body_kind = BodyKind::kForm;
  }

  // [{"name", "value"} | {"name", "file", "filename"?, "content_type"?} |
  //  {"name", "generate": {"size", "type"}, "filename"?}]
  void parse_multipart(const JsonReader& parts, const std::string& path, Step& step) {
    if (parts.as_array().empty()) parts.fail("a multipart body needs at least one part");
    for (std::size_t i = 0; i < parts.value().size(); ++i) {
      auto reader = parts.at(i);
      reader.reject_unknown_keys({"name", "value", "file", "generate", "filename", "content_type"});
      MultipartPart part;
      part.name = reader.at("name").as_string();
      if (part.name.empty()) reader.at("name").fail("a part name must not be empty");
      const int sources = reader.has("value") + reader.has("file") + reader.has("generate");
      if (sources != 1) reader.fail("a part needs exactly one of: value, file, generate");
      if (reader.has("value")) {
        if (reader.has("filename") || reader.has("content_type")) {
          reader.fail("filename and content_type belong to file parts");
        }
        auto value = reader.at("value");
        part.value = compile(value, scalar_text(value), e2e::TemplateEscape::kNone);
      } else if (reader.has("file")) {
        auto file = reader.at("file");
        const std::string target = resolve_relative(path, file.as_string());
        std::error_code error;
        if (!fs::is_regular_file(target, error)) {
          file.fail("file \"" + target + "\" does not exist");
        }
        part.is_file = true;
        part.bytes = std::make_shared<const std::string>(read_file_bytes(file, target));
        part.filename = fs::path(target).filename().string();
        part.content_type = content_type_for_extension(fs::path(target).extension().string());
        part.origin = file.as_string();
      } else {
        auto generate = reader.at("generate");
        generate.reject_unknown_keys({"size", "type"});
        const std::int64_t size = generate.at("size").as_integer();
        if (size < 0 || size > kMaxGeneratedBytes) {
          generate.at("size").fail("a generated size is 0 to " +
                                   std::to_string(kMaxGeneratedBytes) + " bytes");
        }
        part.content_type = generate.at("type").as_string();
        if (part.content_type.empty()) generate.at("type").fail("a content type must not be empty");
        part.is_file = true;
        part.bytes = std::make_shared<const std::string>(
            generate_content(part.content_type, static_cast<std::size_t>(size)));
        part.filename = "generated" + extension_for_content_type(part.content_type);
        part.origin = "generated " + std::to_string(size) + " bytes";
      }
      if (reader.has("filename")) part.filename = reader.at("filename").as_string();
      if (reader.has("content_type")) part.content_type = reader.at("content_type").as_string();
      step.multipart.push_back(std::move(part));
    }
    step.multipart_boundary = "golive-" + step.name + "-" + multipart_boundary_suffix(step);
    step.body_kind = BodyKind::kMultipart;
  }

  static std::string read_file_bytes(const JsonReader& at, const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) at.fail("cannot read \"" + file + "\"");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  }

  // A boundary no part contains (RFC 2046 section 5.1.1).
  static std::string multipart_boundary_suffix(const Step& step) {
    for (std::uint64_t salt = 0x9e3779b97f4a7c15ULL;; salt = salt * 6364136223846793005ULL + 1) {
      char hex[17];
      std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(salt));
      const std::string candidate = std::string("golive-") + step.name + "-" + hex;
      bool clash = false;
      for (const auto& part : step.multipart) {
        if (part.bytes && part.bytes->find(candidate) != std::string::npos) clash = true;
      }
      if (!clash) return hex;
    }
  }

  void parse_redirects(const JsonReader& reader, Step& step) {
    if (reader.value().is_boolean()) {
      if (reader.as_bool()) step.follow_redirects = RedirectSpec{};
      return;
    }
    reader.reject_unknown_keys({"max"});
    RedirectSpec spec;
    const std::int64_t max = reader.at("max").as_integer();
    if (max < 1 || max > 50) reader.at("max").fail("max is 1 to 50 hops");
    spec.max_hops = static_cast<std::size_t>(max);
    step.follow_redirects = spec;
  }

  // Credentials come from the environment: a secret written literally in a
  // workflow file would be committed with it.
  e2e::Template secret_template(const JsonReader& at) {
    e2e::Template secret = compile(at, at.as_string(), e2e::TemplateEscape::kNone);
    if (secret.referenced_slots().empty()) {
      at.fail("a credential is a template such as \"{{env.service_role_key}}\" or a variable "
              "the environment file's e2e.variables sets, never literal text");
    }
    return secret;
  }

  void parse_auth(const JsonReader& reader, Step& step) {
    reader.reject_unknown_keys({"basic", "bearer", "digest"});
    if (reader.has("basic") + reader.has("bearer") + reader.has("digest") != 1) {
      reader.fail("auth needs exactly one of: basic, bearer, digest");
    }
    if (reader.has("bearer")) {
      step.auth.scheme = AuthScheme::kBearer;
      step.auth.secret = secret_template(reader.at("bearer"));
    } else {
      const bool basic = reader.has("basic");
      auto credentials = reader.at(basic ? "basic" : "digest");
      credentials.reject_unknown_keys({"username", "password"});
      auto username = credentials.at("username");
      step.auth.scheme = basic ? AuthScheme::kBasic : AuthScheme::kDigest;
      step.auth.username = compile(username, username.as_string(), e2e::TemplateEscape::kNone);
      step.auth.secret = secret_template(credentials.at("password"));
    }
    for (const auto& [name, value] : step.headers) {
      if (lowercase(name) == "authorization") {
        reader.fail("the step also has an Authorization header (set one or the other; "
                    "\"Authorization\": null removes a default)");
      }
    }
  }

  void parse_retry(const JsonReader& reader, Step& step) {
    reader.reject_unknown_keys({"attempts", "delay_ms", "on"});
    RetrySpec spec;
    const std::int64_t attempts = reader.at("attempts").as_integer();
    if (attempts < 2 || attempts > 20) reader.at("attempts").fail("attempts is 2 to 20 sends");
    spec.attempts = static_cast<std::size_t>(attempts);
    spec.delay = milliseconds_or(reader, "delay_ms", spec.delay.count(), true);
    auto on = reader.at("on");
    if (on.as_array().empty()) on.fail("list the statuses or error categories to retry on");
    static const std::set<std::string> kCategories{"dns",     "connect", "tls",  "timeout",
                                                   "reset",   "protocol", "other"};
    for (std::size_t i = 0; i < on.value().size(); ++i) {
      auto item = on.at(i);
      if (item.value().is_number_integer()) {
        const std::int64_t status = item.as_integer();
        if (status < 100 || status > 599) item.fail("an HTTP status is between 100 and 599");
        spec.statuses.push_back(static_cast<int>(status));
      } else if (item.value().is_string() && kCategories.count(item.as_string())) {
        spec.errors.push_back(item.as_string());
      } else {
        item.fail("retry on a status (503) or an error category: dns, connect, tls, timeout, "
                  "reset, protocol, other");
      }
    }
    step.retry = spec;
  }

  void parse_when(const JsonReader& reader, Step& step) {
    reader.reject_unknown_keys({"var", "equals", "not_equals", "exists"});
    WhenSpec when;
    auto var = reader.at("var");
    when.variable = var.as_string();
    auto slot = workflow_.symbols.find(when.variable);
    if (!slot) var.fail("no variable \"" + when.variable + "\" is declared or captured before this step");
    when.slot = *slot;
    if (reader.has("equals") + reader.has("not_equals") + reader.has("exists") != 1) {
      reader.fail("when needs exactly one of: equals, not_equals, exists");
    }
    if (reader.has("exists")) {
      when.kind = WhenSpec::Kind::kExists;
      when.should_exist = reader.at("exists").as_bool();
      when.written = when.variable + (when.should_exist ? " exists" : " does not exist");
    } else {
      const bool equals = reader.has("equals");
      auto expected = reader.at(equals ? "equals" : "not_equals");
      when.kind = equals ? WhenSpec::Kind::kEquals : WhenSpec::Kind::kNotEquals;
      when.expected = compile(expected, scalar_text(expected), e2e::TemplateEscape::kNone);
      when.written = when.variable + (equals ? " equals \"" : " differs from \"") +
                     scalar_text(expected) + "\"";
    }
    step.when = std::move(when);
  }

  HtmlQuery parse_html_query(const JsonReader& reader) {
    HtmlQuery query;
    const bool css = reader.has("html");
    auto selector = reader.at(css ? "html" : "xpath");
    query.written = selector.as_string();
    try {
      query.xpath = css ? css_to_xpath(query.written) : query.written;
      validate_xpath(query.xpath);
    } catch (const std::invalid_argument& e) {
      selector.fail(e.what());
    }
    if (reader.has("attribute")) {
      query.attribute = reader.at("attribute").as_string();
      if (query.attribute.empty()) reader.at("attribute").fail("an attribute name must not be empty");
    }
    return query;
  }

  void append_json(const JsonReader& node, e2e::Template& out) {
    static const std::regex kRawPlaceholder(R"(^\{\{\s*raw:\s*([A-Za-z0-9_.\-]+)\s*\}\}$)");
    const auto& value = node.value();
    if (value.is_object()) {
      out.append_literal("{");
      bool first = true;
      for (const auto& item : value.items()) {
        if (!first) out.append_literal(",");
        first = false;
        out.append(
            compile(node, nlohmann::json(item.key()).dump(), e2e::TemplateEscape::kJsonString));
        out.append_literal(":");
        append_json(node.at(item.key()), out);
      }
      out.append_literal("}");
    } else if (value.is_array()) {
      out.append_literal("[");
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out.append_literal(",");
        append_json(node.at(i), out);
      }
      out.append_literal("]");
    } else if (value.is_string()) {
      const std::string& text = value.get_ref<const std::string&>();
      std::smatch raw;
      if (std::regex_match(text, raw, kRawPlaceholder)) {
        out.append(compile(node, "{{" + raw[1].str() + "}}", e2e::TemplateEscape::kNone));
      } else {
        // The dumped string keeps placeholders intact and its literal text escaped.
        out.append(compile(node, nlohmann::json(text).dump(), e2e::TemplateEscape::kJsonString));
      }
    } else {
      out.append_literal(value.dump());
    }
  }

  nlohmann::json::json_pointer parse_pointer(const JsonReader& reader) {
    const std::string text = reader.as_string();
    try {
      return nlohmann::json::json_pointer(text);
    } catch (const nlohmann::json::exception& e) {
      reader.fail("\"" + text + "\" is not a JSON pointer (use \"\" or \"/a/0/b\")");
    }
  }

  std::regex parse_regex(const JsonReader& reader) {
    try {
      return std::regex(reader.as_string(), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      reader.fail("invalid regular expression \"" + reader.as_string() + "\": " + e.what());
    }
  }

  Capture parse_capture(const JsonReader& reader) {
    reader.reject_unknown_keys(
        {"var", "json", "header", "regex", "status", "cookie", "html", "xpath", "attribute", "url"});
    Capture capture;
    auto var = reader.at("var");
    capture.variable = var.as_string();
    if (!is_identifier(capture.variable)) {
      var.fail("\"" + capture.variable + "\" is not a valid variable name (letters, digits, _)");
    }
    if (e2e::is_template_builtin(capture.variable))
      var.fail("cannot capture into a built-in name");
    int sources = reader.has("json") + reader.has("header") + reader.has("regex") +
                  reader.has("status") + reader.has("cookie") + reader.has("html") +
                  reader.has("xpath") + reader.has("url");
    if (sources != 1) {
      reader.fail(
          "a capture needs exactly one of: json, header, regex, status, cookie, html, xpath, url");
    }
    if (reader.has("attribute") && !reader.has("html") && !reader.has("xpath")) {
      reader.at("attribute").fail("attribute belongs to html and xpath captures");
    }
    if (reader.has("json")) {
      capture.source = CaptureSource::kJson;
      capture.expression = reader.at("json").as_string();
      capture.pointer = parse_pointer(reader.at("json"));
    } else if (reader.has("header")) {
      capture.source = CaptureSource::kHeader;
      capture.expression = reader.at("header").as_string();
      capture.header = lowercase(capture.expression);
    } else if (reader.has("regex")) {
      capture.source = CaptureSource::kRegex;
      capture.expression = reader.at("regex").as_string();
      capture.pattern = parse_regex(reader.at("regex"));
      if (capture.pattern.mark_count() < 1) {
        reader.at("regex").fail("a capturing regex needs a group: its group 1 is stored");
      }
    } else if (reader.has("cookie")) {
      if (!workflow_.cookies) reader.at("cookie").fail("cookie captures need the cookie jar (\"cookies\": false turns it off)");
      capture.source = CaptureSource::kCookie;
      capture.cookie = capture.expression = reader.at("cookie").as_string();
    } else if (reader.has("html") || reader.has("xpath")) {
      capture.source = CaptureSource::kHtml;
      capture.html = parse_html_query(reader);
      capture.expression = capture.html.written;
    } else if (reader.has("url")) {
      capture.source = CaptureSource::kUrl;
      if (!reader.at("url").as_bool()) reader.at("url").fail("write \"url\": true");
      capture.expression = "url";
    } else {
      capture.source = CaptureSource::kStatus;
      if (!reader.at("status").as_bool()) reader.at("status").fail("write \"status\": true");
      capture.expression = "status";
    }
    capture.slot = workflow_.symbols.declare(capture.variable);
    return capture;
  }

  Assertion parse_assertion(const JsonReader& reader) {
    Assertion assertion;
    assertion.location = reader.pointer();
    reader.as_object();
    if (reader.has("status")) {
      reader.reject_unknown_keys({"status"});
      assertion.kind = AssertionKind::kStatus;
      auto status = reader.at("status");
      auto add = [&assertion](const JsonReader& code) {
        std::int64_t value = code.as_integer();
        if (value < 100 || value > 599) code.fail("an HTTP status is between 100 and 599");
        assertion.statuses.push_back(static_cast<int>(value));
      };
      if (status.value().is_array()) {
        if (status.value().empty()) status.fail("list at least one status");
        for (std::size_t i = 0; i < status.value().size(); ++i) add(status.at(i));
      } else {
        add(status);
      }
    } else if (reader.has("json")) {
      reader.reject_unknown_keys({"json", "equals", "exists", "matches", "type", "length"});
      assertion.pointer_text = reader.at("json").as_string();
      assertion.pointer = parse_pointer(reader.at("json"));
      int checks = reader.has("equals") + reader.has("exists") + reader.has("matches") +
                   reader.has("type") + reader.has("length");
      if (checks != 1)
        reader.fail("a json assertion needs exactly one of: equals, exists, matches, type, length");
      if (reader.has("equals")) {
        assertion.kind = AssertionKind::kJsonEquals;
        auto equals = reader.at("equals");
        assertion.expected_is_text = equals.value().is_string();
        if (assertion.expected_is_text) {
          assertion.expected_text =
              compile(equals, equals.as_string(), e2e::TemplateEscape::kNone);
        } else {
          assertion.expected_json = equals.value();
        }
      } else if (reader.has("exists")) {
        assertion.kind = AssertionKind::kJsonExists;
        assertion.should_exist = reader.at("exists").as_bool();
      } else if (reader.has("matches")) {
        assertion.kind = AssertionKind::kJsonMatches;
        assertion.pattern_text = reader.at("matches").as_string();
        assertion.pattern = parse_regex(reader.at("matches"));
      } else if (reader.has("type")) {
        assertion.kind = AssertionKind::kJsonType;
        auto type = reader.at("type");
        static const std::set<std::string> kTypes{"string", "number", "integer", "boolean",
                                                  "object", "array",  "null"};
        if (!kTypes.count(type.as_string())) {
          type.fail("type must be one of string, number, integer, boolean, object, array, null");
        }
        assertion.type_name = type.as_string();
      } else {
        assertion.kind = AssertionKind::kJsonLength;
        auto length = reader.at("length");
        if (length.as_integer() < 0) length.fail("a length is zero or more");
        assertion.length = static_cast<std::size_t>(length.as_integer());
      }
    } else if (reader.has("header")) {
      reader.reject_unknown_keys({"header", "equals", "matches", "exists"});
      assertion.header = lowercase(reader.at("header").as_string());
      int checks = reader.has("equals") + reader.has("matches") + reader.has("exists");
      if (checks != 1)
        reader.fail("a header assertion needs exactly one of: equals, matches, exists");
      if (reader.has("equals")) {
        assertion.kind = AssertionKind::kHeaderEquals;
        auto equals = reader.at("equals");
        assertion.expected_text = compile(equals, equals.as_string(), e2e::TemplateEscape::kNone);
      } else if (reader.has("matches")) {
        assertion.kind = AssertionKind::kHeaderMatches;
        assertion.pattern_text = reader.at("matches").as_string();
        assertion.pattern = parse_regex(reader.at("matches"));
      } else {
        assertion.kind = AssertionKind::kHeaderExists;
        assertion.should_exist = reader.at("exists").as_bool();
      }
    } else if (reader.has("body_contains") || reader.has("body_not_contains")) {
      bool contains = reader.has("body_contains");
      const char* key = contains ? "body_contains" : "body_not_contains";
      reader.reject_unknown_keys({key});
      assertion.kind = contains ? AssertionKind::kBodyContains : AssertionKind::kBodyNotContains;
      auto text = reader.at(key);
      if (text.as_string().empty()) text.fail("the text must not be empty");
      assertion.expected_text = compile(text, text.as_string(), e2e::TemplateEscape::kNone);
    } else if (reader.has("cookie")) {
      parse_cookie_assertion(reader, assertion);
    } else if (reader.has("html") || reader.has("xpath")) {
      reader.reject_unknown_keys({"html", "xpath", "attribute", "exists", "equals", "matches", "count"});
      if (reader.has("html") && reader.has("xpath")) reader.fail("use html or xpath, not both");
      assertion.html = parse_html_query(reader);
      const int checks = reader.has("exists") + reader.has("equals") + reader.has("matches") +
                         reader.has("count");
      if (checks != 1) {
        reader.fail("an html assertion needs exactly one of: exists, equals, matches, count");
      }
      if (reader.has("exists")) {
        assertion.kind = AssertionKind::kHtmlExists;
        assertion.should_exist = reader.at("exists").as_bool();
      } else if (reader.has("equals")) {
        assertion.kind = AssertionKind::kHtmlEquals;
        auto equals = reader.at("equals");
        assertion.expected_text = compile(equals, scalar_text(equals), e2e::TemplateEscape::kNone);
      } else if (reader.has("matches")) {
        assertion.kind = AssertionKind::kHtmlMatches;
        assertion.pattern_text = reader.at("matches").as_string();
        assertion.pattern = parse_regex(reader.at("matches"));
      } else {
        assertion.kind = AssertionKind::kHtmlCount;
        auto count = reader.at("count");
        if (count.as_integer() < 0) count.fail("a count is zero or more");
        assertion.length = static_cast<std::size_t>(count.as_integer());
      }
    } else if (reader.has("url")) {
      reader.reject_unknown_keys({"url"});
      auto url = reader.at("url");
      url.reject_unknown_keys({"equals", "matches"});
      if (url.has("equals") == url.has("matches")) url.fail("a url assertion needs one of: equals, matches");
      if (url.has("equals")) {
        assertion.kind = AssertionKind::kUrlEquals;
        auto equals = url.at("equals");
        assertion.expected_text = compile(equals, equals.as_string(), e2e::TemplateEscape::kNone);
      } else {
        assertion.kind = AssertionKind::kUrlMatches;
        assertion.pattern_text = url.at("matches").as_string();
        assertion.pattern = parse_regex(url.at("matches"));
      }
    } else if (reader.has("redirects")) {
      reader.reject_unknown_keys({"redirects"});
      assertion.kind = AssertionKind::kRedirectCount;
      auto count = reader.at("redirects");
      if (count.as_integer() < 0) count.fail("a redirect count is zero or more");
      assertion.length = static_cast<std::size_t>(count.as_integer());
    } else if (reader.has("latency_ms_below")) {
      reader.reject_unknown_keys({"latency_ms_below"});
      assertion.kind = AssertionKind::kLatencyBelow;
      auto budget = reader.at("latency_ms_below");
      assertion.latency_ms = budget.as_number();
      if (assertion.latency_ms <= 0) budget.fail("a latency budget is more than 0 ms");
    } else {
      // Name what was there: a misspelt key ("statuz") is the usual cause.
      std::string found;
      if (reader.value().is_object() && !reader.value().empty()) {
        found = " (found \"" + reader.value().begin().key() + "\")";
      }
      reader.fail(std::string("an assertion needs one of: status, json, header, body_contains, "
                              "body_not_contains, latency_ms_below, cookie, html, xpath, url, "
                              "redirects") +
                  found);
    }
    return assertion;
  }

  // {"cookie": name, "exists"?, "equals"?, "matches"?, "secure"?, "http_only"?,
  //  "same_site"?, "path"?, "domain"?, "session"?}: every given member must hold.
  void parse_cookie_assertion(const JsonReader& reader, Assertion& assertion) {
    reader.reject_unknown_keys({"cookie", "exists", "equals", "matches", "secure", "http_only",
                                "same_site", "path", "domain", "session"});
    if (!workflow_.cookies) {
      reader.at("cookie").fail("cookie assertions need the cookie jar (\"cookies\": false turns it off)");
    }
    assertion.kind = AssertionKind::kCookie;
    assertion.cookie = reader.at("cookie").as_string();
    if (assertion.cookie.empty()) reader.at("cookie").fail("a cookie name must not be empty");
    assertion.should_exist = reader.has("exists") ? reader.at("exists").as_bool() : true;
    if (!assertion.should_exist && reader.value().size() > 2) {
      reader.fail("\"exists\": false cannot be combined with other cookie checks");
    }
    if (reader.has("equals")) {
      auto equals = reader.at("equals");
      assertion.cookie_has_equals = true;
      assertion.expected_text = compile(equals, equals.as_string(), e2e::TemplateEscape::kNone);
    }
    if (reader.has("matches")) {
      assertion.cookie_has_matches = true;
      assertion.pattern_text = reader.at("matches").as_string();
      assertion.pattern = parse_regex(reader.at("matches"));
    }
    CookieExpectation& flags = assertion.cookie_flags;
    if (reader.has("secure")) flags.secure = reader.at("secure").as_bool();
    if (reader.has("http_only")) flags.http_only = reader.at("http_only").as_bool();
    if (reader.has("session")) flags.session = reader.at("session").as_bool();
    if (reader.has("same_site")) {
      auto same_site = reader.at("same_site");
      const std::string value = lowercase(same_site.as_string());
      if (value != "lax" && value != "strict" && value != "none" && !value.empty()) {
        same_site.fail("same_site is Lax, Strict, None or \"\" (not set)");
      }
      flags.same_site = same_site.as_string();
    }
    if (reader.has("path")) flags.path = reader.at("path").as_string();
    if (reader.has("domain")) flags.domain = lowercase(reader.at("domain").as_string());
  }

  e2e::Template compile(const JsonReader& at, const std::string& text,
                         e2e::TemplateEscape escape) {
    try {
      return e2e::Template::compile(text, workflow_.symbols, escape);
    } catch (const e2e::TemplateError& e) {
      at.fail(std::string(e.what()) + " (character " + std::to_string(e.offset() + 1) + ")");
    }
  }

  Workflow& workflow_;
  std::set<std::size_t> static_slots_;  // slots known before the first step runs
  std::set<std::string> step_names_;
  std::vector<std::string> include_stack_;  // canonical paths being parsed
};

}  // namespace

Workflow parse_workflow(const nlohmann::json& document, const std::string& path) {
  Workflow workflow;
  workflow.file = path;
  workflow.name = fs::path(path).stem().string();
  if (!is_step_name(workflow.name)) {
    throw core::InputError(path, "",
                           "a workflow file name must be letters, digits, _ and - (it becomes "
                           "part of check ids)");
  }
  WorkflowParser(workflow).parse_root(document, path);
  return workflow;
}

Workflow load_workflow(const std::string& path) {
  return parse_workflow(core::load_json_file(path), path);
}

std::vector<std::string> list_workflow_files(const std::string& directory) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path().string());
    }
  }
  if (error) throw core::InputError(directory, "", "cannot list workflows: " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace golive::e2e
