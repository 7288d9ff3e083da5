#include "observability/sentry_api.hpp"

#include <chrono>

#include "core/encoding.hpp"
#include "http/curl/curl_http_client.hpp"

namespace golive::observability {

namespace {

constexpr auto kApiTimeout = std::chrono::milliseconds(10000);

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

SentryApiSettings read_sentry_api_settings(const core::JsonReader& reader) {
  reader.as_object();
  reader.reject_unknown_keys({"url", "org", "project", "token"});
  SentryApiSettings api;
  api.url = without_trailing_slash(reader.string_or("url", ""));
  api.org = reader.string_or("org", "");
  api.project = reader.string_or("project", "");
  api.token = reader.string_or("token", "");
  if (api.url.rfind("http://", 0) != 0 && api.url.rfind("https://", 0) != 0) {
    reader.at("url").fail("must be the Sentry base URL (https://sentry.io or a self-hosted one)");
  }
  for (const char* key : {"org", "project", "token"}) {
    if (reader.string_or(key, "").empty()) reader.fail(std::string("needs \"") + key + "\"");
  }
  return api;
}

nlohmann::json sdk_shape_of_api_event(const nlohmann::json& api_event) {
  nlohmann::json event = api_event;
  if (api_event.contains("eventID")) event["event_id"] = api_event["eventID"];
  if (api_event.contains("tags") && api_event["tags"].is_array()) {
    nlohmann::json tags = nlohmann::json::object();
    for (const auto& tag : api_event["tags"]) {
      if (tag.is_object() && tag.contains("key") && tag.contains("value")) tags[tag["key"].get<std::string>()] = tag["value"];
    }
    event["tags"] = tags;
    if (!event.contains("environment") && tags.contains("environment")) event["environment"] = tags["environment"];
  }
  if (api_event.contains("release")) {
    const nlohmann::json& release = api_event["release"];
    if (release.is_object()) {
      event["release"] = release.value("version", "");
    } else if (!release.is_string()) {
      event["release"] = "";
    }
  }
  if (api_event.contains("entries") && api_event["entries"].is_array()) {
    for (const auto& entry : api_event["entries"]) {
      if (entry.is_object() && entry.value("type", "") == "exception" && entry.contains("data")) {
        event["exception"] = entry["data"];
      }
    }
  }
  return event;
}

SentryDelivery accepted_api_delivery(const nlohmann::json& event, const std::string& public_key) {
  SentryDelivery delivery;
  delivery.at = std::chrono::steady_clock::now();
  delivery.endpoint = "api";
  delivery.public_key = public_key;
  delivery.status = 200;
  delivery.body = event.dump();
  delivery.events = {event};
  return delivery;
}

SentryApiSearch search_sentry_events(const config::Environment& env, const SentryApiSettings& api,
                                     const std::string& marker) {
  SentryApiSearch search;
  http::HttpRequest request;
  request.method = "GET";
  request.url = api.url + "/api/0/projects/" + core::percent_encode(api.org) + "/" +
                core::percent_encode(api.project) + "/events/?full=true&statsPeriod=1h&query=" +
                core::percent_encode(marker);
  request.headers = {{"Authorization", "Bearer " + api.token}, {"Accept", "application/json"}};
  request.timeout = kApiTimeout;
  const http::HttpResponse response = http::fetch(request, http::client_options_for(env));
  if (!response.transport_ok()) {
    search.error = "the Sentry API at " + api.url + " did not answer: " + response.error_message;
    return search;
  }
  if (response.status != 200) {
    search.error = "the Sentry API answered " + std::to_string(response.status) +
                   (response.status == 401 || response.status == 403
                        ? " (the token needs project:read or event:read)"
                        : "");
    return search;
  }
  const nlohmann::json list = nlohmann::json::parse(response.body, nullptr, false);
  if (!list.is_array()) {
    search.error = "the Sentry API's events answer is not a JSON list";
    return search;
  }
  for (const auto& event : list) {
    if (event.is_object() && event.dump().find(marker) != std::string::npos) {
      search.events.push_back(sdk_shape_of_api_event(event));
    }
  }
  return search;
}

}  // namespace golive::observability
