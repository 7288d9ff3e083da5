#include "security/secrets_probe.hpp"

#include <cctype>
#include <map>
#include <set>

#include "core/ascii_case.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/redactor.hpp"
#include "core/url.hpp"
#include "security/http_probe_support.hpp"

namespace golive::security {

namespace {

using core::Severity;

constexpr std::size_t kMaxScriptsFollowed = 20;  // per run, across all pages
constexpr std::size_t kSlugChars = 60;

constexpr SecretKind kKinds[] = {SecretKind::kStripeLiveKey, SecretKind::kServiceRoleJwt,
                                 SecretKind::kPrivateKeyPem};

Severity severity_of(SecretKind kind) {
  // A live Stripe key moves money; service_role reads every row. A private
  // key's weight depends on what it signs.
  return kind == SecretKind::kPrivateKeyPem ? Severity::kHigh : Severity::kCritical;
}

std::string title_of(SecretKind kind) {
  switch (kind) {
    case SecretKind::kStripeLiveKey:
      return "No live Stripe secret key (sk_live_/rk_live_) is exposed";
    case SecretKind::kServiceRoleJwt:
      return "No service_role key is exposed";
    case SecretKind::kPrivateKeyPem:
      return "No private key is exposed";
    case SecretKind::kStripeWebhookSecret:
      return "No Stripe webhook signing secret is exposed";
  }
  return "No secret is exposed";
}

nlohmann::json coverage_json(const SecretScanReport& report) {
  const auto& c = report.coverage;
  return {{"sources", report.scanned_names},  {"documents_scanned", c.sources_scanned},
          {"bytes_scanned", c.bytes_scanned}, {"skipped_binary", c.skipped_binary},
          {"truncated", c.truncated},         {"skipped_other", c.skipped_other},
          {"not_allowed", report.not_allowed}};
}

std::string url_for(const config::Environment& env, const std::string& path_or_url) {
  return path_or_url.rfind("http://", 0) == 0 || path_or_url.rfind("https://", 0) == 0
             ? path_or_url
             : env.url(path_or_url);
}

void read_url_list(const core::JsonReader& list, std::vector<std::string>& out, bool paths_only) {
  out.clear();
  for (std::size_t i = 0; i < list.as_array().size(); ++i) {
    std::string entry = list.at(i).as_string();
    const bool absolute = entry.rfind("http://", 0) == 0 || entry.rfind("https://", 0) == 0;
    if (entry.empty() || (entry.front() != '/' && (paths_only || !absolute))) {
      list.at(i).fail(paths_only ? "a path must start with '/'"
                                 : "give a path starting with '/' or an http(s) URL");
    }
    out.push_back(std::move(entry));
  }
}

}  // namespace

std::string source_slug(const std::string& source) {
  std::string text = source;
  if (const std::size_t scheme = text.find("://"); scheme != std::string::npos) {
    // A URL: drop the scheme and the port (the reference target's port
    // changes every run; the id must not).
    text = text.substr(scheme + 3);
    const std::size_t path = text.find('/');
    const std::string authority = text.substr(0, path);
    const std::size_t colon = authority.rfind(':');
    const bool numeric_port =
        colon != std::string::npos && colon + 1 < authority.size() &&
        authority.find_first_not_of("0123456789", colon + 1) == std::string::npos;
    if (numeric_port) text.erase(colon, authority.size() - colon);
  }
  std::string slug;
  for (const char raw : text) {
    const char c = core::ascii_lower(raw);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep)
      slug += c;
    else if (!slug.empty() && slug.back() != '_')
      slug += '_';
  }
  while (!slug.empty() && slug.back() == '_') slug.pop_back();
  if (slug.size() > kSlugChars) slug = slug.substr(slug.size() - kSlugChars);
  while (!slug.empty() && slug.front() == '_') slug.erase(slug.begin());
  return slug.empty() ? "source" : slug;
}

SecretsSettings read_secrets_settings(const config::Environment& env) {
  SecretsSettings settings;
  const auto section = env.sections.find("security");
  if (section == env.sections.end() || section->second.is_null()) return settings;
  const core::JsonReader root(section->second, env.source_file, "/security");
  root.as_object();
  if (!root.has("secrets")) return settings;
  const core::JsonReader secrets = root.at("secrets");
  secrets.reject_unknown_keys({"bundle_urls", "page_paths", "follow_scripts", "max_file_bytes"});
  if (secrets.has("bundle_urls"))
    read_url_list(secrets.at("bundle_urls"), settings.bundle_urls, false);
  if (secrets.has("page_paths")) read_url_list(secrets.at("page_paths"), settings.page_paths, true);
  settings.follow_scripts = secrets.bool_or("follow_scripts", settings.follow_scripts);
  if (secrets.has("max_file_bytes")) {
    const auto bytes = secrets.at("max_file_bytes").as_integer();
    if (bytes < 1024 || bytes > std::int64_t{64} * 1024 * 1024) {
      secrets.at("max_file_bytes").fail("must be between 1024 and 67108864 bytes");
    }
    settings.limits.max_file_bytes = static_cast<std::size_t>(bytes);
  }
  return settings;
}

http::ClientOptions allowlisted_engine(const config::Environment& env) {
  return http::client_options_for(env);
}

void record_secret_scan(const SecretScanReport& report, core::ResultSink& sink,
                        const http::ReproductionSecrets* reproduction) {
  std::map<SecretKind, std::size_t> found;
  for (const auto& located : report.findings) {
    const SecretFinding& f = located.finding;
    core::Redactor::global().add_secret(f.secret);
    ++found[f.kind];
    CheckBuilder check(std::string("security.secrets.") + to_string(f.kind) + "." +
                           source_slug(located.source) + "." + std::to_string(f.offset),
                       title_of(f.kind) + ": " + located.source, severity_of(f.kind));
    nlohmann::json evidence = {{"source", located.source},
                               {"offset", f.offset},
                               {"length", f.length},
                               {"kind", to_string(f.kind)},
                               {"redacted", f.redacted}};
    if (f.kind == SecretKind::kServiceRoleJwt) evidence["role"] = "service_role";
    // A fetched document is named by its URL; a walked file by its path.
    if (reproduction != nullptr && core::parse_url(located.source)) {
      http::HttpRequest request;
      request.url = located.source;
      check.reproduce(http::reproduction_of(request, *reproduction));
    }
    sink.record(check.fail(std::string(describe(f.kind)) + " (" + f.redacted + ", " +
                               std::to_string(f.length) + " bytes) at byte " +
                               std::to_string(f.offset) + " of " + located.source,
                           evidence));
  }
  for (const auto& failure : report.failures) {
    CheckBuilder check("security.secrets.unreadable." + source_slug(failure.source),
                       "A source named for the secrets scan can be read", Severity::kMedium);
    sink.record(check.error(failure.source + ": " + failure.reason,
                            {{"source", failure.source}, {"reason", failure.reason}}));
  }
  const bool scanned_any = report.coverage.sources_scanned > 0;
  const double scan_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - report.started)
          .count();
  for (const SecretKind kind : kKinds) {
    if (found.count(kind) > 0) continue;  // its findings are the record
    CheckBuilder check(std::string("security.secrets.") + to_string(kind), title_of(kind),
                       severity_of(kind));
    core::CheckResult result =
        scanned_any
            ? check.pass("none in " + std::to_string(report.coverage.sources_scanned) +
                             " documents (" + std::to_string(report.coverage.bytes_scanned) +
                             " bytes)",
                         coverage_json(report))
            : check.skip("nothing was scanned (no readable text document)", coverage_json(report));
    result.duration_ms = scan_ms;
    sink.record(result);
  }
}

void run_secrets_probe(const config::Environment& env, std::chrono::milliseconds timeout,
                       core::ResultSink& sink) {
  const SecretsSettings settings = read_secrets_settings(env);
  const http::ClientOptions engine = allowlisted_engine(env);
  SecretScanReport report;

  CheckBuilder bundle("security.secrets.bundle", "The frontend bundle carries no server secret",
                      Severity::kCritical);
  if (settings.bundle_urls.empty()) {
    sink.record(bundle.skip(
        "the environment names no frontend bundle (set security.secrets.bundle_urls); only the "
        "served pages and the scripts they load are scanned"));
  } else {
    const std::size_t failures_before = report.failures.size();
    for (const auto& entry : settings.bundle_urls) {
      if (core::interrupted()) return;
      scan_url(url_for(env, entry), engine, timeout, settings.limits, report);
    }
    const std::size_t failed = report.failures.size() - failures_before;
    const nlohmann::json evidence = {{"bundle_urls", settings.bundle_urls}, {"unreadable", failed}};
    if (failed > 0) {
      sink.record(bundle.error(
          std::to_string(failed) + " of " + std::to_string(settings.bundle_urls.size()) +
              " bundles could not be fetched (see security.secrets.unreadable.*)",
          evidence));
    } else {
      sink.record(bundle.pass("fetched and scanned " + std::to_string(settings.bundle_urls.size()) +
                                  " bundles; findings are reported per secret kind",
                              evidence));
    }
  }

  std::set<std::string> seen(report.scanned_names.begin(), report.scanned_names.end());
  std::vector<std::string> scripts;
  for (const auto& path : settings.page_paths) {
    if (core::interrupted()) return;
    const std::string url = env.url(path);
    const std::string body = scan_url(url, engine, timeout, settings.limits, report,
                                      /*missing_is_failure=*/false);
    seen.insert(url);
    if (!settings.follow_scripts || body.empty()) continue;
    for (auto& script : script_sources(body, url)) scripts.push_back(std::move(script));
  }
  std::size_t followed = 0;
  for (const auto& script : scripts) {
    if (core::interrupted() || followed >= kMaxScriptsFollowed) break;
    if (!seen.insert(script).second) continue;
    ++followed;
    // A script on a host outside allowed_hosts (a CDN, an analytics tag) is
    // not fetched, only listed: widen the allowlist to scan it.
    if (!engine.host_policy->allows_url(script)) {
      report.not_allowed.push_back(script);
      continue;
    }
    scan_url(script, engine, timeout, settings.limits, report, /*missing_is_failure=*/false);
  }
  const http::ReproductionSecrets reproduction(env, core::Redactor::global());
  record_secret_scan(report, sink, &reproduction);
}

}  // namespace golive::security
