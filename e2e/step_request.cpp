#include "e2e/step_request.hpp"

#include <strings.h>

#include <chrono>

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

}  // namespace

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

}  // namespace golive::e2e
