// Rendering one attempt of a step into an HttpRequest: URL (relative URLs get
// the environment's base_url), query, headers, body, and the Stripe-Signature
// of `sign: {"stripe": true}` computed over the final rendered body; and
// rewriting that request for the hop a followed redirect leads to.
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

// 301, 302, 303, 307 and 308: the statuses follow_redirects follows.
bool is_redirect(int status);

// RFC 3986 section 5.2 for the Location forms servers send: absolute,
// scheme-relative, absolute-path and relative-path references against the
// URL the redirect came from.
std::string resolve_location(const std::string& base, const std::string& location);

// Removes every header called `name` (lowercase), in any case.
void remove_header(http::HeaderList& headers, std::string_view name);

// Turns `request`, sent to `from_url`, into the hop a `status` redirect to
// `target` asks for: 303 (and 301/302 after a POST) become a bodiless GET,
// and an Authorization header does not leave its origin.
void redirect_request(http::HttpRequest& request, int status, const std::string& from_url,
                      const std::string& target);

}  // namespace golive::e2e
