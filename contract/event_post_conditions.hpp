// Per-event-type post-conditions of Stripe replay ("stripe.observe.events"):
// for an event type, where to read what a delivered event of that type left
// behind, and what it must be.
//
//   "events": {
//     "customer.subscription.updated": {
//       "query": "SELECT status FROM public.subscriptions WHERE stripe_subscription_id = {{data.object.id}}",
//       "expect": {"status": "{{data.object.status}}"}
//     },
//     "invoice.payment_failed": {"url": "https://.../state/{{data.object.parent.subscription_details.subscription}}",
//                                "expect": {"/status": "past_due"}}
//   }
//
// "query" (observe kind "sql") returns one row; "expect" names its columns.
// "url" (observe kind "http") answers 404 (nothing left) or 200 with JSON;
// "expect" names JSON pointers into it. Both take {{dotted.paths}} into the
// delivered event, bound as SQL parameters or percent-encoded in URLs; the
// expected values take them too. Without "expect", the event must leave a
// row or a document. The reference target's post-conditions are the
// defaults of "sql" when the environment writes no queries of its own.
//
// Mistakes are InputErrors naming the key, found before the first delivery:
// a type without an event fixture, a path the fixture does not have, a query
// that does not run or lacks an expected column.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "contract/observe_template.hpp"
#include "core/input_error.hpp"

namespace golive::contract {

class StripeEventFixtures;

struct EventPostCondition {
  std::string type;   // Stripe event type, e.g. "invoice.payment_failed"
  std::string query;  // sql: the row the event left (one row)
  std::string url;    // http: the document the event left
  std::map<std::string, std::string> expect;  // column or JSON pointer -> expected value template
  std::string pointer;  // "/stripe/observe/events/<type>", for messages

  const std::string& sql_or_url() const { return query.empty() ? url : query; }
};

// What the target holds after one event, read through a post-condition.
struct EventObservation {
  bool found = false;                         // a row, or a 200 document
  std::map<std::string, std::string> values;  // column or pointer -> value as text
  std::string read;                           // the query or URL as run, for evidence
};

// Parses "stripe.observe.events" for observer kind "sql" (`sql` true) or
// "http". Throws InputError naming the key.
std::vector<EventPostCondition> read_event_post_conditions(const core::JsonReader& events, bool sql);

// The reference target's post-conditions (fixtures/SCHEMA.md), the defaults
// of "sql".
std::vector<EventPostCondition> reference_event_post_conditions();

// Checks every type has a fixture and every {{path}} exists in it. Throws
// InputError naming the key.
void validate_event_post_conditions(const std::vector<EventPostCondition>& conditions,
                                    const StripeEventFixtures& fixtures, const std::string& file);

// The failed expectations of one delivered event; empty = the post-condition
// holds. `event` is the delivered event's flattened form.
std::vector<std::string> unmet_expectations(const EventPostCondition& condition,
                                            const TemplateVariables& event,
                                            const EventObservation& observed);

}  // namespace golive::contract
