#include "e2e/step_request.hpp"

#include <strings.h>

#include <algorithm>
#include <chrono>

#include "core/ascii_case.hpp"
#include "core/encoding.hpp"
#include "core/url.hpp"
#include "target/stripe_signature.hpp"

namespace golive::e2e {

namespace {

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

bool has_header(const http::HeaderList& headers, const char* name) {
  for (const auto& header : headers) {
    if (strcasecmp(header.first.c_str(), name) == 0) return true;
  }
  return false;
}

RenderFailure unset_variable(const e2e::TemplateSymbols& symbols, std::size_t slot,
                             const std::string& where) {
  // env.* fields occupy the first slots; an empty one is never set.
  if (slot < environment_field_names().size()) {
    return {RenderFailure::Kind::kMissingEnvField,
            "the environment has no " + symbols.name(slot).substr(4) + " (used in " + where + ")"};
  }
  return {RenderFailure::Kind::kUnsetVariable,
          "variable \"" + symbols.name(slot) + "\" used in " + where +
              " is not set (the step that captures it did not run or did not capture it)"};
}

// RFC 7578: one part per field or file; file bytes are copied as they are.
std::optional<RenderFailure> render_multipart(const Step& step, const e2e::TemplateValues& values,
                                              const e2e::TemplateSymbols& symbols,
                                              std::string& body) {
  std::size_t size = 0;
  for (const auto& part : step.multipart) size += part.bytes ? part.bytes->size() + 256 : 256;
  body.reserve(size);
  for (const auto& part : step.multipart) {
    body += "--";
    body += step.multipart_boundary;
    body += "\r\nContent-Disposition: form-data; name=\"";
    body += part.name;
    body += '"';
    if (part.is_file) {
      body += "; filename=\"";
      body += part.filename;
      body += "\"\r\nContent-Type: ";
      body += part.content_type;
    }
    body += "\r\n\r\n";
    if (part.is_file) {
      body += *part.bytes;
    } else if (auto missing = part.value.render_into(values, body)) {
      return unset_variable(symbols, *missing, "multipart part " + part.name);
    }
    body += "\r\n";
  }
  body += "--";
  body += step.multipart_boundary;
  body += "--\r\n";
  return std::nullopt;
}

}  // namespace

std::vector<std::string> describe_multipart(const Step& step) {
  std::vector<std::string> parts;
  for (const auto& part : step.multipart) {
    if (part.is_file) {
      parts.push_back(part.name + ": file \"" + part.filename + "\" (" + part.content_type + ", " +
                      std::to_string(part.bytes ? part.bytes->size() : 0) + " bytes, " +
                      part.origin + ")");
    } else {
      parts.push_back(part.name + ": field");
    }
  }
  return parts;
}

std::optional<RenderFailure> render_step_request(const Step& step,
                                                 const e2e::TemplateValues& values,
                                                 const e2e::TemplateSymbols& symbols,
                                                 const RequestContext& context,
                                                 http::HttpRequest& request) {
  request.method = step.method;
  request.timeout = step.timeout;

  request.url.clear();
  if (auto missing = step.url.render_into(values, request.url)) {
    return unset_variable(symbols, *missing, "the url");
  }
  if (!starts_with(request.url, "http://") && !starts_with(request.url, "https://")) {
    request.url.insert(0, context.base_url);
  }
  char separator = request.url.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : step.query) {
    request.url += separator;
    separator = '&';
    if (auto missing = name.render_into(values, request.url)) {
      return unset_variable(symbols, *missing, "the query");
    }
    request.url += '=';
    if (auto missing = value.render_into(values, request.url)) {
      return unset_variable(symbols, *missing, "the query");
    }
  }

  request.headers.resize(step.headers.size());
  for (std::size_t i = 0; i < step.headers.size(); ++i) {
    auto& [name, value] = request.headers[i];
    name = step.headers[i].first;
    value.clear();
    if (auto missing = step.headers[i].second.render_into(values, value)) {
      return unset_variable(symbols, *missing, "header " + name);
    }
  }

  request.body.clear();
  if (step.body) {
    if (auto missing = step.body->render_into(values, request.body)) {
      return unset_variable(symbols, *missing, "the body");
    }
    if (step.body_is_json && !has_header(request.headers, "content-type")) {
      request.headers.emplace_back("Content-Type", "application/json");
    }
  } else if (step.body_kind == BodyKind::kForm) {
    for (std::size_t i = 0; i < step.form.size(); ++i) {
      if (i > 0) request.body += '&';
      if (auto missing = step.form[i].first.render_into(values, request.body)) {
        return unset_variable(symbols, *missing, "the form");
      }
      request.body += '=';
      if (auto missing = step.form[i].second.render_into(values, request.body)) {
        return unset_variable(symbols, *missing, "the form");
      }
    }
    if (!has_header(request.headers, "content-type")) {
      request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
  } else if (step.body_kind == BodyKind::kMultipart) {
    if (auto failure = render_multipart(step, values, symbols, request.body)) return failure;
    if (!has_header(request.headers, "content-type")) {
      request.headers.emplace_back("Content-Type",
                                   "multipart/form-data; boundary=" + step.multipart_boundary);
    }
  }

  if (step.auth.scheme == AuthScheme::kBasic || step.auth.scheme == AuthScheme::kBearer) {
    std::string credentials;
    if (step.auth.scheme == AuthScheme::kBasic) {
      if (auto missing = step.auth.username.render_into(values, credentials)) {
        return unset_variable(symbols, *missing, "auth");
      }
      credentials += ':';
    }
    if (auto missing = step.auth.secret.render_into(values, credentials)) {
      return unset_variable(symbols, *missing, "auth");
    }
    request.headers.emplace_back("Authorization",
                                 step.auth.scheme == AuthScheme::kBasic
                                     ? "Basic " + core::base64_encode(credentials)
                                     : "Bearer " + credentials);
  } else if (step.auth.scheme == AuthScheme::kDigest) {
    // The credentials must be renderable now; the header is computed from
    // the server's challenge (WorkflowRun answers the 401).
    std::string unused;
    if (auto missing = step.auth.username.render_into(values, unused)) {
      return unset_variable(symbols, *missing, "auth");
    }
    if (auto missing = step.auth.secret.render_into(values, unused)) {
      return unset_variable(symbols, *missing, "auth");
    }
  }

  if (step.sign_stripe) {
    if (context.stripe_webhook_secret.empty()) {
      return RenderFailure{RenderFailure::Kind::kCannotSign,
                           "cannot sign the webhook: the environment has no stripe.webhook_secret"};
    }
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    request.headers.emplace_back(
        "Stripe-Signature", target::stripe_signature_header(
                                request.body, now_s, {std::string(context.stripe_webhook_secret)}));
  }

  for (const auto& assertion : step.assertions) {
    for (const auto& segment : assertion.expected_text.segments()) {
      if (segment.kind == e2e::Template::SegmentKind::kVariable && !values.is_set(segment.slot)) {
        return unset_variable(symbols, segment.slot, "assertion " + assertion.location);
      }
    }
  }
  return std::nullopt;
}

namespace {

bool same_origin(const std::string& a, const std::string& b) {
  const auto x = core::parse_url(a);
  const auto y = core::parse_url(b);
  return x && y && x->scheme == y->scheme && x->authority() == y->authority();
}

}  // namespace

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// RFC 3986 section 5.2 for the Location forms servers send: absolute,
// scheme-relative, absolute-path and relative-path references.
std::string resolve_location(const std::string& base, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  const auto url = core::parse_url(base);
  if (!url) return location;
  const std::string origin =
      url->scheme + "://" + (url->explicit_port ? url->authority() : url->host);
  if (location.rfind("//", 0) == 0) return url->scheme + ":" + location;
  if (!location.empty() && location.front() == '/') return origin + location;
  std::string directory(url->path());
  directory.resize(directory.rfind('/') + 1);
  if (!location.empty() && location.front() == '?') return origin + std::string(url->path()) + location;
  return origin + directory + location;
}

void remove_header(http::HeaderList& headers, std::string_view name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [name](const auto& header) {
                                 return core::ascii_lower(header.first) == name;
                               }),
                headers.end());
}

void redirect_request(http::HttpRequest& request, int status, const std::string& from_url,
                      const std::string& target) {
  // 303, and 301/302 after a POST (as browsers and curl do), become a GET
  // without a body; 307 and 308 repeat the request as it was.
  const bool to_get =
      status == 303 || ((status == 301 || status == 302) && request.method == "POST");
  if (to_get && request.method != "HEAD") {
    request.method = "GET";
    request.body.clear();
    remove_header(request.headers, "content-type");
    remove_header(request.headers, "content-length");
  }
  // Credentials stay with their origin.
  if (!same_origin(from_url, target)) remove_header(request.headers, "authorization");
  request.url = target;
}

}  // namespace golive::e2e
