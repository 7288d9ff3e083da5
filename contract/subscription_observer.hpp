// SubscriptionObserver: reads what a webhook delivery did to the target.
// With a database_url it reads PostgreSQL directly (subscriptions and
// webhook_events, whatever RLS says); without one it asks the API as the
// subscribing user (GET /rest/v1/subscriptions, which RLS lets an owner read)
// and webhook_events cannot be seen.
//
// Read failures throw std::runtime_error; the scenario runner turns them into
// an `error` CheckResult.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/environment.hpp"
#include "target/postgres.hpp"

namespace golive::contract {

struct SubscriptionState {
  bool exists = false;
  std::string status;                  // subscriptions.status
  std::int64_t last_event_created = 0; // unix s of the newest applied event
  std::int64_t update_count = 0;       // events applied to the row
  nlohmann::json to_json() const;
};

class SubscriptionObserver {
 public:
  // Connects when env.database_url is set; throws std::runtime_error when
  // that connection fails (the caller reports it once).
  explicit SubscriptionObserver(const config::Environment& env);

  bool reads_database() const { return database_ != nullptr; }
  const char* source() const { return reads_database() ? "database" : "api"; }

  // The row keyed by Stripe's subscription id; `user_token` is used only
  // through the API.
  SubscriptionState subscription(const std::string& stripe_subscription_id,
                                 const std::string& user_token);
  // Rows of webhook_events with this id; nullopt without a database.
  std::optional<std::int64_t> webhook_event_rows(const std::string& event_id);
  // Deletes this run's webhook_events rows (ids containing `run_tag`); no-op
  // without a database. Returns the number deleted.
  std::int64_t delete_webhook_events(const std::string& run_tag);

 private:
  const config::Environment& env_;
  std::unique_ptr<pqxx::connection> database_;
};

}  // namespace golive::contract
