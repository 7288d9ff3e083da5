// Rendering one attempt of a step into an HttpRequest: URL (relative URLs get
// the environment's base_url), query, headers, body, and the Stripe-Signature
// of `sign: {"stripe": true}` computed over the final rendered body.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"
#include "e2e/template.hpp"
#include "e2e/workflow.hpp"

namespace golive::e2e {

// What a request needs from the environment beyond the template values.
struct RequestContext {
  std::string_view base_url;               // prefixed to relative URLs
  std::string_view stripe_webhook_secret;  // whsec_...; empty: signed steps cannot run
};

struct RenderFailure {
  enum class Kind {
    kUnsetVariable,    // a variable the step reads was never captured (an earlier step failed)
    kMissingEnvField,  // an env.* field the step reads is empty in this environment
    kCannotSign,       // sign.stripe without a webhook secret
  };
  Kind kind;
  std::string message;
};

// Fills `request` (reusing its buffers) for one attempt of `step`, or returns
// why it cannot be sent. Also checks that every variable the step's
// assertions read is set, so evaluation never meets an unset one.
std::optional<RenderFailure> render_step_request(const Step& step,
                                                 const e2e::TemplateValues& values,
                                                 const e2e::TemplateSymbols& symbols,
                                                 const RequestContext& context,
                                                 http::HttpRequest& request);

// One line per multipart part for evidence: names, filenames, types and
// sizes, never the bytes.
std::vector<std::string> describe_multipart(const Step& step);

}  // namespace golive::e2e
