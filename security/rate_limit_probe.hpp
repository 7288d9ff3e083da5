// `golive probe ratelimit`: bounded bursts from one client at the signup and
// token endpoints must meet 429 (with Retry-After) at or before request
// number settings.max_requests_before_429; and, when the environment says
// captcha is required, a signup without a captcha token is refused.
//
// The bursts send requests the target refuses after its limiter (signup with
// a too-short password, login of an unknown email), so no account is
// created; an account created anyway is deleted again.
//
// Check ids: security.ratelimit.signup, security.ratelimit.token,
// security.authz.captcha_signup.
#pragma once

#include "core/result_stream.hpp"
#include "security/http_probe_support.hpp"

namespace golive::security {

void run_rate_limit_probe(const ProbeClient& client, const HttpSecuritySettings& settings,
                          core::ResultSink& sink);

}  // namespace golive::security
