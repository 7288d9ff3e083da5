// SubscriptionObserver: how Stripe replay sees what a webhook delivery did to
// the target, as the environment's "stripe.observe" declares it:
//
//   {"kind": "sql"}    queries over database_url; the reference target's are
//                      the defaults (subscription_query, event_query, cleanup_query)
//   {"kind": "http", "state_url": "http://.../subscriptions/{{subscription_id}}",
//    "headers": {...}, "pointers": {"status": "/status", "update_count": "/applied",
//                                   "last_event_created": "/last_event_created"}}
//                      a state URL a receiver exposes to tests: 404 = no such
//                      subscription, 200 = a JSON document read through pointers
//   {"kind": "none"}   nothing is observed: post-condition checks are skipped
//
// Absent: "sql" with the defaults when database_url is set; otherwise the
// Supabase REST API as the subscribing user ("api": GET <rest>/subscriptions,
// which RLS lets an owner read) when a user can be obtained, else none.
//
// Templates take {{subscription_id}}, {{customer_id}}, {{user_id}} (and
// {{event_id}} in event_query, {{run_tag}} in cleanup_query); in SQL they
// become bind parameters, never text. "events" adds a post-condition per
// event type (contract/event_post_conditions.hpp). An unknown variable, a query that does
// not run, or a state URL that does not answer JSON is an InputError naming
// the key (exit 2), found by preflight() before the first delivery.
//
// Read failures during a run throw std::runtime_error; the scenario runner
// turns them into an `error` CheckResult.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <map>
#include <set>
#include <string>

#include "config/environment.hpp"
#include "contract/event_post_conditions.hpp"
#include "target/postgres.hpp"

namespace golive::contract {

// What an observer can read about one subscription.
enum class ObservedField { kStatus, kUpdateCount, kLastEventCreated };

// The stripe.observe key that makes a field visible, e.g.
// "stripe.observe.pointers.update_count".
std::string field_setting(ObservedField field);
const char* field_name(ObservedField field);

struct SubscriptionState {
  bool exists = false;
  std::string status;                  // subscriptions.status
  std::int64_t last_event_created = 0; // unix s of the newest applied event
  std::int64_t update_count = 0;       // events applied to the row
  nlohmann::json to_json() const;
};

// The identifiers a template may use for one subscription.
struct ObservedSubscription {
  std::string subscription_id;
  std::string customer_id;
  std::string user_id;
  std::string user_token;  // the subscribing user's token; "api" observer only
};

enum class ObserverKind { kNone, kSql, kHttp, kSupabaseApi };

// The parsed "stripe.observe" section. Throws InputError (file + pointer).
struct ObserveSettings {
  ObserverKind kind = ObserverKind::kNone;
  bool declared = false;  // the environment has a stripe.observe section
  std::string subscription_query;
  std::string event_query;    // "" = webhook_events rows are not checked
  std::string cleanup_query;  // "" = nothing deleted afterwards
  std::string state_url;
  std::map<std::string, std::string> headers;
  std::map<ObservedField, std::string> pointers;  // JSON pointers into the state document
  // Per event type, what a delivered event must leave ("events"); for "sql"
  // the reference target's when the environment writes no queries.
  std::vector<EventPostCondition> events;
};
ObserveSettings read_observe_settings(const config::Environment& env, bool user_available);

class SubscriptionObserver {
 public:
  // Connects for "sql"; throws std::runtime_error when that connection fails
  // (the caller reports it once).
  SubscriptionObserver(const config::Environment& env, ObserveSettings settings);

  ObserverKind kind() const { return settings_.kind; }
  bool observes() const { return settings_.kind != ObserverKind::kNone; }
  bool sees(ObservedField field) const { return fields_.count(field) > 0; }
  bool sees_webhook_rows() const { return database_ && !settings_.event_query.empty(); }
  // "database", "http", "api" or "none", for evidence.
  const char* source() const;

  // Checks the configuration against the target before any delivery: the
  // SQL runs (and names the columns it returns), the state URL answers 404 or
  // JSON. Throws InputError naming the stripe.observe key.
  void preflight(const std::string& probe_subscription_id);

  SubscriptionState subscription(const ObservedSubscription& which);
  // Rows of webhook_events with this id; nullopt when not observable.
  std::optional<std::int64_t> webhook_event_rows(const std::string& event_id);
  const std::vector<EventPostCondition>& event_post_conditions() const { return settings_.events; }
  // Reads what a delivered event left, through its post-condition's query
  // or URL; `event` is the delivered event, flattened. Throws
  // std::runtime_error when the read fails.
  EventObservation observe_event(const EventPostCondition& condition, const TemplateVariables& event);

  // Runs cleanup_query for this run's rows; no-op without one.
  void clean_up(const std::string& run_tag);

 private:
  SubscriptionState from_sql(const ObservedSubscription& which);
  SubscriptionState from_http(const ObservedSubscription& which);
  SubscriptionState from_supabase_api(const ObservedSubscription& which);
  // GET of a state document: nullopt on 404; throws on anything but 200 JSON.
  std::optional<nlohmann::json> state_document(const std::string& url, const std::string& key);
  void preflight_event_queries();

  const config::Environment& env_;
  ObserveSettings settings_;
  std::set<ObservedField> fields_;
  std::unique_ptr<pqxx::connection> database_;
};

}  // namespace golive::contract
