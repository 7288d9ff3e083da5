// Stripe event fixtures: contract/events/<type>.json, in Stripe's event shape
// (id, object, api_version, created, data.object, data.previous_attributes,
// livemode, pending_webhooks, request, type), with {{name}} placeholders so
// every run uses fresh ids and never collides with an earlier one.
//
// Rendering walks the JSON tree rather than the text (e2e::Template renders
// text and cannot turn "{{created}}" into the number Stripe sends): a string
// that is exactly one placeholder is replaced by the variable's JSON value
// (so numbers stay numbers), and placeholders inside longer strings are
// replaced by the value's text. An unknown placeholder is an InputError.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace golive::contract {

// The event types that have a fixture, in the order Stripe usually sends them.
const std::vector<std::string>& stripe_fixture_types();

// Variables of one rendered event, by placeholder name.
using EventVariables = std::map<std::string, nlohmann::json>;

class StripeEventFixtures {
 public:
  // Loads every <type>.json of stripe_fixture_types() from `directory`.
  // Throws InputError naming a missing or malformed file.
  explicit StripeEventFixtures(std::string directory);

  // The event of `type` with its placeholders replaced. Throws InputError
  // (file + JSON pointer) when a placeholder has no variable.
  nlohmann::json render(const std::string& type, const EventVariables& variables) const;

  const std::string& directory() const { return directory_; }
  bool has(const std::string& type) const { return templates_.count(type) > 0; }
  // The unrendered fixture of `type` (placeholders in place); it must exist.
  const nlohmann::json& template_of(const std::string& type) const { return templates_.at(type); }

 private:
  std::string directory_;
  std::map<std::string, nlohmann::json> templates_;  // by event type
};

// Replaces placeholders in `document`; `origin` names it in errors.
nlohmann::json render_event_template(const nlohmann::json& document,
                                     const EventVariables& variables, const std::string& origin);

// Fresh identifiers for one run: "<prefix>_golive_<run tag>_<counter><random hex>".
class StripeIdFactory {
 public:
  StripeIdFactory();
  std::string next(const std::string& prefix);  // e.g. next("evt") -> "evt_golive_ab12cd34_7f..."
  // The part shared by every id of this factory ("golive_ab12cd34"), for cleanup.
  const std::string& run_tag() const { return run_tag_; }

 private:
  std::string run_tag_;
  std::uint64_t counter_ = 0;
};

}  // namespace golive::contract
