#include "contract/event_post_conditions.hpp"

#include "contract/stripe_event_fixtures.hpp"

namespace golive::contract {

namespace {

// The reference target's subscription row, by the id an event carries.
std::string subscription_row(const std::string& id_path) {
  return "SELECT status, user_id::text AS user_id FROM public.subscriptions "
         "WHERE stripe_subscription_id = {{" + id_path + "}}";
}

EventPostCondition condition(std::string type, std::string query,
                             std::map<std::string, std::string> expect) {
  EventPostCondition made;
  made.pointer = "/stripe/observe/events/" + type;
  made.type = std::move(type);
  made.query = std::move(query);
  made.expect = std::move(expect);
  return made;
}

}  // namespace

std::vector<EventPostCondition> read_event_post_conditions(const core::JsonReader& events, bool sql) {
  std::vector<EventPostCondition> conditions;
  for (const auto& item : events.as_object().items()) {
    const core::JsonReader entry = events.at(item.key());
    entry.as_object();
    EventPostCondition made;
    made.type = item.key();
    made.pointer = entry.pointer();
    if (sql) {
      entry.reject_unknown_keys({"query", "expect"});
      made.query = entry.at("query").as_string();
      template_names(made.query, entry.file(), entry.pointer() + "/query");
    } else {
      entry.reject_unknown_keys({"url", "expect"});
      made.url = entry.at("url").as_string();
      template_names(made.url, entry.file(), entry.pointer() + "/url");
      if (made.url.rfind("http://", 0) != 0 && made.url.rfind("https://", 0) != 0) {
        entry.at("url").fail("expected an http:// or https:// URL");
      }
    }
    if (entry.has("expect")) {
      const core::JsonReader expect = entry.at("expect");
      for (const auto& expected : expect.as_object().items()) {
        const core::JsonReader value = expect.at(expected.key());
        if (!sql && (expected.key().empty() || expected.key().front() != '/')) {
          value.fail("a JSON pointer starts with \"/\", e.g. \"/status\"");
        }
        const std::string text = value.value().is_string() ? value.as_string() : value.value().dump();
        template_names(text, value.file(), value.pointer());
        made.expect[expected.key()] = text;
      }
    }
    conditions.push_back(std::move(made));
  }
  if (conditions.empty()) events.fail("names no event type");
  return conditions;
}

std::vector<EventPostCondition> reference_event_post_conditions() {
  // Statuses as fixtures/service/functions/stripe_events.cpp applies them:
  // a subscription event sets the status it carries, deletion cancels, a
  // failed invoice makes the subscription past_due, a paid one active.
  return {
      condition("checkout.session.completed", subscription_row("data.object.subscription"),
                {{"status", "active"}, {"user_id", "{{data.object.metadata.user_id}}"}}),
      condition("customer.subscription.created", subscription_row("data.object.id"),
                {{"status", "{{data.object.status}}"}}),
      condition("customer.subscription.updated", subscription_row("data.object.id"),
                {{"status", "{{data.object.status}}"}}),
      condition("customer.subscription.deleted", subscription_row("data.object.id"),
                {{"status", "canceled"}}),
      condition("invoice.payment_succeeded",
                subscription_row("data.object.parent.subscription_details.subscription"),
                {{"status", "active"}}),
      condition("invoice.payment_failed",
                subscription_row("data.object.parent.subscription_details.subscription"),
                {{"status", "past_due"}}),
  };
}

void validate_event_post_conditions(const std::vector<EventPostCondition>& conditions,
                                    const StripeEventFixtures& fixtures, const std::string& file) {
  for (const auto& condition : conditions) {
    if (!fixtures.has(condition.type)) {
      std::string known;
      for (const auto& type : stripe_fixture_types()) known += (known.empty() ? "" : ", ") + type;
      throw core::InputError(file, condition.pointer,
                             "no event fixture of type \"" + condition.type + "\"; known: " + known);
    }
    // The fixture's placeholders stand in for values: the paths are what counts.
    const TemplateVariables paths = flatten_event(fixtures.template_of(condition.type));
    auto check = [&](const std::string& text, const std::string& pointer) {
      for (const auto& name : template_names(text, file, pointer)) {
        if (paths.count(name) == 0) {
          throw core::InputError(file, pointer,
                                 "{{" + name + "}} is not a field of a " + condition.type +
                                     " event (a dotted path such as {{data.object.id}})");
        }
      }
    };
    check(condition.sql_or_url(), condition.pointer + (condition.query.empty() ? "/url" : "/query"));
    for (const auto& [key, value] : condition.expect)
      check(value, condition.pointer + "/expect/" + core::escape_pointer_token(key));
  }
}

std::vector<std::string> unmet_expectations(const EventPostCondition& condition,
                                            const TemplateVariables& event,
                                            const EventObservation& observed) {
  std::vector<std::string> unmet;
  if (!observed.found) {
    unmet.push_back(condition.type + " left nothing at " + observed.read);
    return unmet;
  }
  for (const auto& [key, value] : condition.expect) {
    const std::string expected = render_template(value, event, /*url_encode=*/false);
    const auto seen = observed.values.find(key);
    if (seen == observed.values.end()) {
      unmet.push_back(condition.type + ": " + key + " is absent, expected \"" + expected + "\"");
    } else if (seen->second != expected) {
      unmet.push_back(condition.type + ": " + key + " is \"" + seen->second + "\", expected \"" +
                      expected + "\"");
    }
  }
  return unmet;
}

}  // namespace golive::contract
