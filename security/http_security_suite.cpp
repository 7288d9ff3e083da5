#include "security/http_security_suite.hpp"

#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "security/authz_probe.hpp"
#include "security/cors_probe.hpp"
#include "security/header_probe.hpp"
#include "security/http_probe_support.hpp"
#include "security/injection_probe.hpp"
#include "security/authz_resources.hpp"
#include "security/rate_limit_probe.hpp"
#include "security/secrets_probe.hpp"
#include "security/storage_probe.hpp"

namespace golive::security {

void run_http_security_suite(const config::Environment& env, const HttpSecurityOptions& options,
                             core::ResultSink& sink) {
  for (const auto& family : options.families) {
    if (!http_security_families().count(family)) {
      throw core::InputError("<command line>", "",
                             "unknown HTTP security family \"" + family +
                                 "\" (known: headers, cors, authz, injection, storage, secrets, "
                                 "ratelimit)");
    }
  }
  const HttpSecuritySettings settings = read_http_security_settings(env);
  const auto selected = [&](const char* family) {
    return options.families.empty() || options.families.count(family) > 0;
  };
  // Validated before any traffic, so a bad section fails fast with exit 2.
  if (selected("injection")) (void)read_injection_settings(env);
  if (selected("authz")) (void)read_authz_resources(env);
  StorageSettings storage_settings;
  if (selected("storage")) storage_settings = read_storage_settings(env);
  if (selected("secrets")) (void)read_secrets_settings(env);
  const ProbeClient client(env, options.request_timeout, options.request_observer);

  ScoreCard score;
  const bool headers = selected("headers");
  if (headers) run_header_probe(client, settings, sink, score);
  // `headers` includes CORS: its score counts a trusting CORS policy.
  if ((headers || selected("cors")) && !core::interrupted()) run_cors_probe(client, settings, sink, score);
  if (headers && !core::interrupted()) record_header_score(score, settings, sink);

  if (selected("authz") && !core::interrupted()) run_authz_probe(client, sink);
  if (selected("injection") && !core::interrupted()) run_injection_probe(client, sink);
  // storage signs up two users: before the rate-limit bursts spend the signups.
  if (selected("storage") && !core::interrupted()) run_storage_probe(client, storage_settings, sink);
  if (selected("secrets") && !core::interrupted()) {
    run_secrets_probe(env, options.request_timeout, sink);
  }
  if (selected("ratelimit") && !core::interrupted()) run_rate_limit_probe(client, settings, sink);
}

std::vector<config::Capability> http_security_capabilities(const config::Environment& env) {
  return {{"security.jwt", !env.jwt_secret.empty(),
           env.jwt_secret.empty()
               ? "no jwt_secret: forged service_role tokens will be tested unsigned only"
               : "JWT forging probes enabled"},
          {"security.http", true, "authz, injection, headers, rate limit, storage probes"}};
}

}  // namespace golive::security
