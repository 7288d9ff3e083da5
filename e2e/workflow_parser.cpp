#include "e2e/workflow_parser.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "core/ascii_case.hpp"
#include "core/input_error.hpp"
#include "e2e/dataset.hpp"
#include "e2e/web_step_parser.hpp"
#include "e2e/workflow_parse_support.hpp"

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

class WorkflowParser {
 public:
  explicit WorkflowParser(Workflow& workflow)
      : workflow_(workflow), compile_(workflow.symbols), web_(workflow) {
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
        {"description", "variables", "dataset", "headers", "steps", "cleanup", "cookies", "openapi"});
    if (root.has("openapi")) {
      auto openapi = root.at("openapi");
      if (!is_root) openapi.fail("only the top-level workflow may name an OpenAPI document");
      workflow_.openapi = resolve_relative(path, openapi.as_string());
      if (!fs::exists(workflow_.openapi)) openapi.fail("OpenAPI document \"" + workflow_.openapi + "\" does not exist");
    }
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
      e2e::Template value = compile_(member, scalar_text(member), e2e::TemplateEscape::kNone);
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
                           compile_(member, member.as_string(), e2e::TemplateEscape::kNone));
    }
    return headers;
  }

  Step parse_step(const JsonReader& reader, const std::string& path, const std::string& name_prefix,
                  const std::vector<std::pair<std::string, e2e::Template>>& default_headers) {
    reader.reject_unknown_keys({"name", "method", "url", "headers", "query", "body", "form",
                                "multipart", "capture", "assert", "poll", "think_ms",
                                "timeout_ms", "sign", "follow_redirects", "auth", "retry", "when",
                                "clear_cookies", "description"});
    if (reader.has("description")) reader.at("description").as_string();  // for readers only
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
    step.url = compile_(url, url.as_string(), e2e::TemplateEscape::kNone);

    // A step's header replaces a workflow default of the same name (any
    // case); null removes the default (a webhook Stripe sends carries no apikey).
    step.headers = default_headers;
    if (reader.has("headers")) {
      auto headers = reader.at("headers");
      for (const auto& item : headers.as_object().items()) {
        const std::string& header = item.key();
        auto same = [&header](const auto& existing) {
          return core::ascii_lower(existing.first) == core::ascii_lower(header);
        };
        step.headers.erase(std::remove_if(step.headers.begin(), step.headers.end(), same),
                           step.headers.end());
        if (item.value().is_null()) continue;
        auto member = headers.at(header);
        if (header.empty()) member.fail("a header name must not be empty");
        step.headers.emplace_back(header,
                                  compile_(member, member.as_string(), e2e::TemplateEscape::kNone));
      }
    }
    if (reader.has("query")) {
      auto query = reader.at("query");
      for (const auto& item : query.as_object().items()) {
        auto member = query.at(item.key());
        step.query.emplace_back(
            compile_(query, item.key(), e2e::TemplateEscape::kUrlComponent),
            compile_(member, scalar_text(member), e2e::TemplateEscape::kUrlComponent));
      }
    }
    if (reader.has("body") + reader.has("form") + reader.has("multipart") > 1) {
      reader.fail("a step has at most one of: body, form, multipart");
    }
    if (reader.has("body")) parse_body(reader.at("body"), step);
    web_.parse_step_members(reader, path, step);
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
      step.body = compile_(body, body.as_string(), e2e::TemplateEscape::kNone);
      step.body_kind = BodyKind::kText;
      return;
    }
    e2e::Template document;
    append_json(body, document);
    step.body = std::move(document);
    step.body_is_json = true;
    step.body_kind = BodyKind::kJson;
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
            compile_(node, nlohmann::json(item.key()).dump(), e2e::TemplateEscape::kJsonString));
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
        out.append(compile_(node, "{{" + raw[1].str() + "}}", e2e::TemplateEscape::kNone));
      } else {
        // The dumped string keeps placeholders intact and its literal text escaped.
        out.append(compile_(node, nlohmann::json(text).dump(), e2e::TemplateEscape::kJsonString));
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
      capture.header = core::ascii_lower(capture.expression);
    } else if (reader.has("regex")) {
      capture.source = CaptureSource::kRegex;
      capture.expression = reader.at("regex").as_string();
      capture.pattern = parse_regex(reader.at("regex"));
      if (capture.pattern.mark_count() < 1) {
        reader.at("regex").fail("a capturing regex needs a group: its group 1 is stored");
      }
    } else if (WebStepParser::is_web_capture(reader)) {
      web_.parse_capture(reader, capture);
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
              compile_(equals, equals.as_string(), e2e::TemplateEscape::kNone);
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
      assertion.header = core::ascii_lower(reader.at("header").as_string());
      int checks = reader.has("equals") + reader.has("matches") + reader.has("exists");
      if (checks != 1)
        reader.fail("a header assertion needs exactly one of: equals, matches, exists");
      if (reader.has("equals")) {
        assertion.kind = AssertionKind::kHeaderEquals;
        auto equals = reader.at("equals");
        assertion.expected_text = compile_(equals, equals.as_string(), e2e::TemplateEscape::kNone);
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
      assertion.expected_text = compile_(text, text.as_string(), e2e::TemplateEscape::kNone);
    } else if (WebStepParser::is_web_assertion(reader)) {
      web_.parse_assertion(reader, assertion);
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

  Workflow& workflow_;
  TemplateCompiler compile_;
  WebStepParser web_;  // form, multipart, redirects, auth, retry, when, cookies, HTML
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
