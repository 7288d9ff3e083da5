// TargetProfile: the names of the API under test that are specific to its
// schema, so that no probe hard-codes a table of the reference target. Read
// from the environment's optional "target" section; every key defaults to
// the reference target's (fixtures/SCHEMA.md):
//
//   "target": {"owned_table": "notes", "owner_column": "owner_id",
//              "owned_text_column": "body", "public_read_path": "/rest/v1/products?select=id",
//              "price_id": "price_123", "plan_id": "..."}
#pragma once

#include <string>

#include "config/environment.hpp"

namespace golive::target {

struct TargetProfile {
  // A REST table whose rows belong to one user (cross-user and injection probes).
  std::string owned_table = "courses";
  std::string owner_column = "user_id";      // its column holding auth.uid()
  std::string owned_text_column = "title";   // a free-text column a probe may write
  // A REST read any visitor may make, below base_url (header probes); empty
  // keeps it out of the header paths.
  std::string public_read_path;              // default: <rest>/plans?select=id
  // The Stripe price and the plan row it maps to (webhook replay).
  std::string price_id = "price_test_pro_monthly";
  std::string plan_id = "11111111-0000-4000-8000-000000000001";

  // "<rest>/<owned_table>"
  std::string owned_table_path(const config::Environment& env) const {
    return env.paths.rest + "/" + owned_table;
  }
};

// Throws core::InputError naming the file and the pointer for a value that
// is not a string, or an unknown key.
TargetProfile read_target_profile(const config::Environment& env);

}  // namespace golive::target
