#include "import/workflow_builder.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "core/ascii_case.hpp"
#include "core/encoding.hpp"
#include "core/input_error.hpp"
#include "core/url.hpp"
#include "e2e/workflow_parser.hpp"
#include "import/correlation.hpp"
#include "import/value_mapping.hpp"

namespace golive::imports {

namespace {

enum class BodyKind { kNone, kJson, kForm, kText };

struct StepDraft {
  const RecordedExchange* exchange = nullptr;
  std::string name;
  std::string resource;  // the last meaningful path segment ("courses")
  std::string url;       // before rewriting
  std::vector<std::pair<std::string, std::string>> query;  // decoded; empty when kept in the URL
  HeaderList headers;    // minimised
  BodyKind body_kind = BodyKind::kNone;
  nlohmann::ordered_json json_body;
  std::vector<std::pair<std::string, std::string>> form;
  std::string text_body;
  std::vector<std::pair<std::string, std::string>> multipart;  // name, value ("@file" for a file)
  std::string basic_user;
  std::string basic_password;  // becomes a variable, never a literal
  nlohmann::ordered_json captures = nlohmann::ordered_json::array();
  double think_ms = 0;
};

const std::set<std::string> kDroppedHeaders = {
    "cookie", "host", "content-length", "connection", "keep-alive", "proxy-connection", "transfer-encoding",
    "upgrade", "te", "trailer", "accept-encoding", "user-agent", "referer", "origin", "accept-language",
    "cache-control", "pragma", "dnt", "priority", "upgrade-insecure-requests", "if-none-match",
    "if-modified-since", "purpose", "x-client-data", "expect"};

const std::vector<std::string> kAssetExtensions = {".js",  ".mjs", ".css", ".map",   ".png", ".jpg",  ".jpeg",
                                                   ".gif", ".svg", ".ico", ".webp",  ".avif", ".woff", ".woff2",
                                                   ".ttf", ".otf", ".eot", ".mp4",   ".webm", ".mp3", ".wasm"};

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_asset(const RecordedExchange& exchange, const core::Url& url) {
  const std::string path = core::ascii_lower(std::string(url.path()));
  for (const auto& extension : kAssetExtensions) {
    if (ends_with(path, extension)) return true;
  }
  if (!exchange.response) return false;
  const std::string& mime = exchange.response->mime_type;
  for (const char* prefix : {"image/", "font/", "video/", "audio/", "text/css", "text/javascript",
                             "application/javascript", "application/x-javascript", "application/font",
                             "application/wasm"}) {
    if (mime.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

bool keeps_header(const std::string& name, const std::string& value, BodyKind body_kind,
                  const std::string& body_type) {
  const std::string lower = core::ascii_lower(name);
  if (lower.empty() || lower[0] == ':' || kDroppedHeaders.count(lower) || lower.rfind("sec-", 0) == 0) return false;
  if (lower == "accept") return value != "*/*" && value.rfind("text/html", 0) != 0;
  if (lower == "content-type") {
    if (body_kind == BodyKind::kJson) return body_type.find("json") == std::string::npos || body_type != "application/json";
    if (body_kind == BodyKind::kForm) return false;
    return body_kind != BodyKind::kNone;
  }
  return true;
}

std::string resource_of(const std::string& path) {
  std::string resource;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string segment = core::percent_decode(path.substr(start, end - start));
    bool numeric = !segment.empty() && std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!segment.empty() && !numeric && !looks_generated(segment) && segment.find("{{") == std::string::npos) {
      resource = segment;
    }
    start = end + 1;
  }
  return resource;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_pairs(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::set<std::string> names;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('&', start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    std::size_t equals = part.find('=');
    if (equals == std::string::npos) return std::nullopt;
    std::string name = core::percent_decode(part.substr(0, equals), true);
    if (name.empty() || !names.insert(name).second) return std::nullopt;
    pairs.emplace_back(name, core::percent_decode(part.substr(equals + 1), true));
    start = end + 1;
  }
  return pairs;
}

// "{{" has no escape in the workflow language: a recorded literal that holds
// one is broken up so it stays literal text.
std::string neutralise_braces(std::string text, bool& changed) {
  for (std::size_t at = text.find("{{"); at != std::string::npos; at = text.find("{{", at + 2)) {
    text.replace(at, 2, "{ {");
    changed = true;
  }
  return text;
}

template <typename Json, typename Visit>
void for_each_string(Json& value, Visit&& visit) {
  if (value.is_object() || value.is_array()) {
    for (auto& member : value) for_each_string(member, visit);
  } else if (value.is_string()) {
    visit(value.template get_ref<std::string&>());
  }
}

// Every string a draft's request sends, in one text (for matching).
std::string request_text(StepDraft& draft) {
  std::string text = draft.url + "\n";
  for (const auto& [name, value] : draft.query) text += value + "\n";
  for (const auto& [name, value] : draft.headers) text += value + "\n";
  for (const auto& [name, value] : draft.form) text += value + "\n";
  text += draft.text_body + "\n";
  for_each_string(draft.json_body, [&](std::string& value) { text += value + "\n"; });
  for (const auto& [name, value] : draft.multipart) text += value + "\n";
  return text;
}

void neutralise_draft(StepDraft& draft, bool& braces) {
  auto apply = [&](std::string& text) { text = neutralise_braces(text, braces); };
  for (auto& entry : draft.query) apply(entry.second);
  for (auto& entry : draft.headers) apply(entry.second);
  for (auto& entry : draft.form) apply(entry.second);
  apply(draft.text_body);
  for_each_string(draft.json_body, apply);
  for (auto& entry : draft.multipart) apply(entry.second);
}

void rewrite_draft(StepDraft& draft, const ValueMapping& mapping) {
  auto apply = [&](std::string& text) { text = mapping.rewrite(text); };
  apply(draft.url);
  for (auto& entry : draft.query) apply(entry.second);
  for (auto& entry : draft.headers) apply(entry.second);
  for (auto& entry : draft.form) apply(entry.second);
  apply(draft.text_body);
  for_each_string(draft.json_body, apply);
  for (auto& entry : draft.multipart) apply(entry.second);
  if (!draft.basic_password.empty()) draft.basic_password = mapping.rewrite(draft.basic_password);
}

std::string unique_name(const std::string& base, std::set<std::string>& taken) {
  std::string name = base;
  for (int n = 2; taken.count(name); ++n) name = base + "_" + std::to_string(n);
  taken.insert(name);
  return name;
}

bool host_matches(const core::Url& url, const std::string& wanted) {
  if (wanted.find(':') != std::string::npos && wanted.find(']') == std::string::npos) {
    return url.authority() == core::ascii_lower(wanted);
  }
  return url.host == core::normalize_host(wanted) || url.authority() == core::ascii_lower(wanted);
}

}  // namespace

ImportResult build_workflow(std::vector<RecordedExchange> exchanges, const ImportOptions& options) {
  ImportResult result;
  ImportSummary& summary = result.summary;
  summary.read = exchanges.size();
  std::stable_sort(exchanges.begin(), exchanges.end(),
                   [](const RecordedExchange& a, const RecordedExchange& b) { return a.started_ms < b.started_ms; });

  std::vector<std::string> hosts = options.hosts;
  if (hosts.empty()) {
    for (const auto& exchange : exchanges) {
      if (auto url = core::parse_url(exchange.url)) {
        hosts.push_back(url->authority());
        break;
      }
    }
  }
  // The app's origin (its URLs become relative to env.base_url): the first
  // recorded origin that the first matching host entry accepts.
  std::string primary_authority;
  for (const auto& host : hosts) {
    for (const auto& exchange : exchanges) {
      auto url = core::parse_url(exchange.url);
      if (url && host_matches(*url, host)) {
        primary_authority = url->authority();
        break;
      }
    }
    if (!primary_authority.empty()) break;
  }

  // 1. What is kept, and each step's shape before any value is rewritten.
  std::vector<StepDraft> drafts;
  bool braces = false;  // a recorded "{{" was broken up
  std::set<std::string> step_names;
  for (const auto& exchange : exchanges) {
    auto url = core::parse_url(exchange.url);
    // Without the query: a dropped request's parameters may hold a credential.
    const std::string label = exchange.method + " " + exchange.url.substr(0, exchange.url.find('?')).substr(0, 120);
    if (!url) {
      summary.dropped.push_back(label + ": not an http(s) URL");
      continue;
    }
    bool kept_host = std::any_of(hosts.begin(), hosts.end(), [&](const std::string& h) { return host_matches(*url, h); });
    if (!kept_host) {
      summary.dropped.push_back(label + ": host " + url->authority() + " is not the app's (--host)");
      continue;
    }
    if (exchange.method == "OPTIONS") {
      summary.dropped.push_back(label + ": CORS preflight (the runner's requests need none)");
      continue;
    }
    if (!options.keep_assets && is_asset(exchange, *url)) {
      summary.dropped.push_back(label + ": static asset (--keep-assets keeps them)");
      continue;
    }
    StepDraft draft;
    draft.exchange = &exchange;
    std::string path(url->path());
    std::string query_text = url->target.size() > path.size() ? url->target.substr(path.size() + 1) : "";
    if (auto hash = query_text.find('#'); hash != std::string::npos) query_text.resize(hash);
    draft.resource = resource_of(path);
    if (!options.input_has_templates) path = neutralise_braces(path, braces);
    if (url->authority() == primary_authority) {
      std::string prefixed = path;
      for (const auto& [field, prefix] : options.path_prefixes) {
        if (!prefix.empty() && path.rfind(prefix, 0) == 0 && (path.size() == prefix.size() || path[prefix.size()] == '/')) {
          prefixed = "{{env.paths." + field + "}}" + path.substr(prefix.size());
          break;
        }
      }
      draft.url = prefixed;
    } else {
      draft.url = url->scheme + "://" + (url->explicit_port ? url->authority() : url->host) + path;
    }
    if (!query_text.empty()) {
      if (auto pairs = parse_pairs(query_text)) {
        draft.query = *pairs;
      } else {
        draft.url += "?" + query_text;
      }
    }
    const std::string& type = exchange.body_type;
    if (!exchange.body.empty()) {
      auto parsed = nlohmann::ordered_json::parse(exchange.body, nullptr, false);
      if (type.find("json") != std::string::npos && !parsed.is_discarded()) {
        draft.body_kind = BodyKind::kJson;
        draft.json_body = parsed;
      } else if (type == "application/x-www-form-urlencoded" && parse_pairs(exchange.body)) {
        draft.body_kind = BodyKind::kForm;
        draft.form = *parse_pairs(exchange.body);
      } else {
        draft.body_kind = BodyKind::kText;
        draft.text_body = exchange.body;
      }
    }
    draft.multipart = exchange.multipart;
    if (exchange.basic_auth) {
      draft.basic_user = exchange.basic_auth->first;
      draft.basic_password = exchange.basic_auth->second;
    }
    for (const auto& [name, value] : exchange.headers) {
      if (!draft.multipart.empty() && core::ascii_lower(name) == "content-type") continue;
      if (keeps_header(name, value, draft.body_kind, type)) draft.headers.emplace_back(name, value);
    }
    if (!options.input_has_templates) neutralise_draft(draft, braces);
    draft.name = unique_name(variable_name(!exchange.name.empty() ? exchange.name
                                           : core::ascii_lower(exchange.method) + "_" +
                                                 (draft.resource.empty() ? "root" : draft.resource)),
                             step_names);
    for (const auto& capture : exchange.captures) draft.captures.push_back(capture);
    drafts.push_back(std::move(draft));
  }
  if (drafts.empty()) {
    throw core::InputError(options.source_name, "",
                           "no request to import: " + std::to_string(summary.read) +
                               " read, all dropped (hosts kept: " +
                               (hosts.empty() ? std::string("none") : hosts.front()) + "; see --host, --keep-assets)");
  }

  // 2. Values: generated credentials, the environment's secrets, correlation, secret rules.
  ValueMapping mapping;
  std::map<std::string, std::string> variables;  // name -> template; also the names taken
  std::vector<std::string> variable_order;
  auto declare = [&](const std::string& name, const std::string& value) {
    variables[name] = value;
    variable_order.push_back(name);
  };
  for (const auto& [name, value] : options.declared_variables) declare(name, value);
  for (const auto& draft : drafts) {
    for (const auto& capture : draft.captures) variables[capture["var"].get<std::string>()] = "";
  }
  if (options.generate_credentials) {
    std::map<std::string, std::string> generated;  // literal -> variable
    auto consider = [&](const std::string& key, const std::string& value) {
      const std::string lower = core::ascii_lower(key);
      if (value.size() < 4 || generated.count(value)) return;
      if (lower.find("email") != std::string::npos && value.find('@') != std::string::npos) {
        std::string name = variables.count("email") ? "email_" + std::to_string(variables.size() + 1) : "email";
        declare(name, "{{random.email}}");
        generated[value] = name;
      } else if (lower == "captcha_token" || lower == "captchatoken") {
        mapping.add(value, "{{env.auth.captcha_token}}");
        summary.secrets.push_back("recorded " + key + " -> {{env.auth.captcha_token}}");
        generated[value] = "";
      } else if (lower.find("password") != std::string::npos) {
        std::string name = variables.count("password") ? "password_" + std::to_string(variables.size() + 1) : "password";
        declare(name, "golive-{{random.hex}}");
        generated[value] = name;
      }
    };
    for (auto& draft : drafts) {
      if (draft.json_body.is_object()) {
        for (auto it = draft.json_body.begin(); it != draft.json_body.end(); ++it) {
          if (it.value().is_string()) consider(it.key(), it.value().get<std::string>());
        }
      }
      for (const auto& [name, value] : draft.form) consider(name, value);
    }
    for (const auto& [literal, name] : generated) {
      if (name.empty()) continue;
      mapping.add(literal, "{{" + name + "}}");
      summary.secrets.push_back("recorded " + name + " -> a fresh {{" + name + "}} per run (" + variables[name] + ")");
    }
  }
  std::set<std::string> placeholder_variables;
  if (options.shell_variables) {
    static const std::regex kShellVariable("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)\\}?");
    for (auto& draft : drafts) {
      const std::string text = request_text(draft) + draft.basic_password;
      for (std::sregex_iterator it(text.begin(), text.end(), kShellVariable), end; it != end; ++it) {
        if (mapping.contains(it->str())) continue;
        std::string name = variable_name((*it)[1].str());
        if (!variables.count(name)) placeholder_variables.insert(name);
        variables[name] = "";
        mapping.add(it->str(), "{{" + name + "}}");
        summary.secrets.push_back("shell variable " + it->str() + " in step " + draft.name + " -> {{" + name + "}}");
      }
    }
  }
  for (auto& draft : drafts) {
    if (draft.basic_password.empty() || mapping.contains(draft.basic_password)) continue;
    std::string name = "basic_password";
    for (int n = 2; variables.count(name); ++n) name = "basic_password_" + std::to_string(n);
    variables[name] = "";
    placeholder_variables.insert(name);
    mapping.add(draft.basic_password, "{{" + name + "}}");
    summary.secrets.push_back("the -u password of step " + draft.name + " -> {{" + name + "}}");
  }
  for (const auto& [literal, replacement] : options.environment_secrets) {
    if (literal.size() >= 4) mapping.add(literal, replacement);
  }

  struct Pending {
    CorrelationCandidate candidate;
    std::size_t step;
  };
  std::vector<Pending> pending;
  std::set<std::string> pending_values;
  std::string sent_so_far;  // every request's text so far: values the client already knew
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    StepDraft& draft = drafts[i];
    const std::string sent = request_text(draft);
    for (auto& entry : pending) {
      if (mapping.contains(entry.candidate.value) || sent.find(entry.candidate.value) == std::string::npos) continue;
      std::string name = entry.candidate.suggested_name;
      for (int n = 2; variables.count(name); ++n) name = entry.candidate.suggested_name + "_" + std::to_string(n);
      variables[name] = "";  // a capture: taken, not declared
      nlohmann::ordered_json capture = {{"var", name}};
      for (auto it = entry.candidate.capture.begin(); it != entry.candidate.capture.end(); ++it) capture[it.key()] = it.value();
      drafts[entry.step].captures.push_back(capture);
      mapping.add(entry.candidate.value, "{{" + name + "}}");
      std::string how = capture.contains("json") ? "json " + capture["json"].get<std::string>()
                        : capture.contains("header") ? "header " + capture["header"].get<std::string>()
                                                     : "html " + capture["html"].get<std::string>();
      summary.captures.push_back(name + ": captured by step " + drafts[entry.step].name + " (" + how +
                                 "), sent by step " + draft.name);
    }
    sent_so_far += sent;
    if (draft.exchange->response) {
      for (auto& candidate : correlation_candidates(*draft.exchange->response, draft.resource)) {
        if (pending_values.count(candidate.value) || sent_so_far.find(candidate.value) != std::string::npos) continue;
        pending_values.insert(candidate.value);
        pending.push_back({std::move(candidate), i});
      }
    }
  }
  for (auto& draft : drafts) {
    for (const auto& finding : recognise_credentials(mapping.rewrite(request_text(draft)), mapping, variables)) {
      summary.secrets.push_back(finding.what + " in step " + draft.name + " -> " + finding.replacement);
      if (!finding.variable.empty()) placeholder_variables.insert(finding.variable);
    }
    // A header or query parameter that names a credential and still holds a literal.
    auto literal_credential = [&](const std::string& key, const std::string& value, const char* where) {
      const std::string rewritten = mapping.rewrite(value);
      if (!names_a_credential(key) || rewritten.find("{{") != std::string::npos || value.size() < 4) return;
      std::string name = variable_name(key);
      for (int n = 2; variables.count(name); ++n) name = variable_name(key) + "_" + std::to_string(n);
      variables[name] = "";
      placeholder_variables.insert(name);
      mapping.add(value, "{{" + name + "}}");
      summary.secrets.push_back(std::string("the literal ") + where + " " + key + " in step " + draft.name + " -> {{" +
                                name + "}}");
    };
    for (const auto& [key, value] : draft.headers) literal_credential(key, value, "header");
    for (const auto& [key, value] : draft.query) literal_credential(key, value, "query parameter");
  }
  // Declared values (a Postman collection's variables): secrets become
  // {{env.*}} or are left empty for the environment file, never literal.
  for (const auto& [name, value] : options.declared_variables) {
    std::string text = variables[name];
    for (const auto& finding : recognise_credentials(text, mapping, variables)) {
      summary.secrets.push_back(finding.what + " in variable " + name + " -> " + finding.replacement);
      if (!finding.variable.empty()) placeholder_variables.insert(finding.variable);
    }
    text = mapping.rewrite(text);
    if (names_a_credential(name) && !text.empty() && text.find("{{") == std::string::npos) {
      summary.not_converted.push_back("variable " + name + " holds a credential: declared empty, set it in the "
                                      "environment file's \"e2e\": {\"variables\": {\"" + name + "\": \"${VAR}\"}}");
      text = "";
    }
    variables[name] = text;
  }
  for (const auto& name : placeholder_variables) {
    declare(name, "");
    summary.not_converted.push_back("variable " + name + " is empty: set it in the environment file's "
                                    "\"e2e\": {\"variables\": {\"" + name + "\": \"${VAR}\"}} (a secret the recording held)");
  }

  // 3. Rewrite, think time, default headers.
  for (auto& draft : drafts) rewrite_draft(draft, mapping);
  if (braces) summary.not_converted.push_back("recorded text held \"{{\", written as \"{ {\" (templates have no escape)");
  if (options.think_time) {
    for (std::size_t i = 0; i + 1 < drafts.size(); ++i) {
      const RecordedExchange& now = *drafts[i].exchange;
      double gap = drafts[i + 1].exchange->started_ms - (now.started_ms + now.duration_ms);
      drafts[i].think_ms = std::round(std::clamp(gap, 0.0, options.max_think_ms));
    }
  }
  HeaderList defaults;
  if (drafts.size() >= 2) {
    for (const auto& [name, value] : drafts.front().headers) {
      bool everywhere = std::all_of(drafts.begin(), drafts.end(), [&](const StepDraft& d) {
        return std::any_of(d.headers.begin(), d.headers.end(), [&](const auto& h) {
          return core::ascii_lower(h.first) == core::ascii_lower(name) && h.second == value;
        });
      });
      if (everywhere) defaults.emplace_back(name, value);
    }
    for (auto& draft : drafts) {
      draft.headers.erase(std::remove_if(draft.headers.begin(), draft.headers.end(), [&](const auto& h) {
        return std::any_of(defaults.begin(), defaults.end(), [&](const auto& d) {
          return core::ascii_lower(d.first) == core::ascii_lower(h.first);
        });
      }), draft.headers.end());
    }
  }

  // 4. The workflow document.
  nlohmann::ordered_json& workflow = result.workflow;
  workflow["description"] = "Imported from " + std::filesystem::path(options.source_name).filename().string() + " (" + options.source_kind + "): " +
                            std::to_string(drafts.size()) + " of " + std::to_string(summary.read) +
                            " recorded requests, each asserting " +
                            (drafts.front().exchange->response ? std::string("its recorded status")
                             : options.input_has_templates
                                 ? std::string("what its tests checked (a 2xx status where they checked nothing)")
                                 : std::string("a 2xx status (nothing was recorded: set the expected one)")) +
                            ". Edit freely: it is a normal workflow.";
  if (!variable_order.empty()) {
    workflow["variables"] = nlohmann::ordered_json::object();
    for (const auto& name : variable_order) workflow["variables"][name] = variables[name];
  }
  if (!defaults.empty()) {
    workflow["headers"] = nlohmann::ordered_json::object();
    for (const auto& [name, value] : defaults) workflow["headers"][name] = value;
  }
  workflow["steps"] = nlohmann::ordered_json::array();
  for (auto& draft : drafts) {
    nlohmann::ordered_json step;
    step["name"] = draft.name;
    if (draft.exchange->method != "GET") step["method"] = draft.exchange->method;
    step["url"] = draft.url;
    if (!draft.query.empty()) {
      step["query"] = nlohmann::ordered_json::object();
      for (const auto& [name, value] : draft.query) step["query"][name] = value;
    }
    if (!draft.headers.empty()) {
      step["headers"] = nlohmann::ordered_json::object();
      for (const auto& [name, value] : draft.headers) step["headers"][name] = value;
    }
    if (draft.body_kind == BodyKind::kJson) step["body"] = draft.json_body;
    if (draft.body_kind == BodyKind::kText) step["body"] = draft.text_body;
    if (draft.body_kind == BodyKind::kForm) {
      step["form"] = nlohmann::ordered_json::object();
      for (const auto& [name, value] : draft.form) step["form"][name] = value;
    }
    if (!draft.multipart.empty()) {
      step["multipart"] = nlohmann::ordered_json::array();
      for (const auto& [name, value] : draft.multipart) {
        if (!value.empty() && value[0] == '@') {
          step["multipart"].push_back({{"name", name}, {"file", value.substr(1, value.find(';') - 1)}});
        } else {
          step["multipart"].push_back({{"name", name}, {"value", value}});
        }
      }
    }
    if (!draft.basic_user.empty() || !draft.basic_password.empty()) {
      step["auth"] = {{"basic", {{"username", draft.basic_user}, {"password", draft.basic_password}}}};
    }
    if (draft.exchange->follow_redirects) step["follow_redirects"] = true;
    if (draft.exchange->timeout_ms) step["timeout_ms"] = static_cast<std::int64_t>(std::ceil(*draft.exchange->timeout_ms));
    if (!draft.exchange->assertions.empty()) {
      step["assert"] = nlohmann::ordered_json::array();
      for (const auto& assertion : draft.exchange->assertions) step["assert"].push_back(assertion);
    } else if (draft.exchange->response) {
      step["assert"] = nlohmann::ordered_json::array({{{"status", draft.exchange->response->status}}});
    } else {
      step["assert"] = nlohmann::ordered_json::array({{{"status", {200, 201, 202, 204}}}});
    }
    if (!draft.captures.empty()) step["capture"] = draft.captures;
    if (!draft.exchange->description.empty()) step["description"] = draft.exchange->description;
    if (draft.think_ms > 0) step["think_ms"] = static_cast<std::int64_t>(draft.think_ms);
    workflow["steps"].push_back(std::move(step));
  }
  summary.kept = drafts.size();
  // The parser is the judge: an import never writes a file `golive e2e` refuses.
  e2e::parse_workflow(nlohmann::json::parse(workflow.dump()),
                      options.output_path.empty() ? std::string("imported.json") : options.output_path);
  return result;
}

}  // namespace golive::imports
