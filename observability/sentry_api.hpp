// Sentry's web API as the place golive finds a provoked event when the
// target's DSN points at real Sentry (a staging project), instead of at
// golive's sink:
//
//   "observability": {"sentry": {"api": {"url": "https://sentry.io", "org": "acme",
//                                        "project": "api", "token": "${SENTRY_AUTH_TOKEN}"}}}
//
// golive lists the project's recent events that match a marker it put in
// the event (the job id, the Stripe event id) with
//   GET <url>/api/0/projects/<org>/<project>/events/?full=true&statsPeriod=1h&query=<marker>
//   Authorization: Bearer <token>            (scope project:read or event:read)
// and turns each into the shape the SDKs send (sentry_event_checks.hpp
// judges that shape): "tags" [{key, value}] become an object, the
// "environment" tag the environment, "release" {version} its version, the
// "exception" entry of "entries" the exception, "eventID" the event_id.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "observability/sentry_sink.hpp"

namespace golive::observability {

struct SentryApiSettings {
  std::string url;      // "https://sentry.io" or a self-hosted base URL; "" = not configured
  std::string org;      // organization slug
  std::string project;  // project slug or id
  std::string token;    // an auth token (a ${VAR}: redacted everywhere)

  bool configured() const { return !url.empty(); }
};

// Reads the "api" object under observability.sentry (`reader` is that object).
SentryApiSettings read_sentry_api_settings(const core::JsonReader& reader);

struct SentryApiSearch {
  std::vector<nlohmann::json> events;  // in the SDKs' shape
  std::string error;                   // "" when the API answered 200 with a list
};

// The project's events of the last hour matching `marker`, keeping only those
// whose JSON contains it (a search that ignored the query matches nothing).
SentryApiSearch search_sentry_events(const config::Environment& env, const SentryApiSettings& api,
                                     const std::string& marker);

// One API event in the shape the SDKs send.
nlohmann::json sdk_shape_of_api_event(const nlohmann::json& api_event);

// An event the API returned (SDK shape) as if the sink had taken it: Sentry
// kept it, so it was accepted, and with the DSN's key (`public_key`).
SentryDelivery accepted_api_delivery(const nlohmann::json& event, const std::string& public_key);

}  // namespace golive::observability
