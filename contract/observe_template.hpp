// The {{name}} templates of "stripe.observe": SQL whose variables become bind
// parameters (never text), and URLs whose variables are percent-encoded.
//
// Two kinds of names exist. The subscription templates take a fixed set
// ({{subscription_id}}, {{customer_id}}, {{user_id}}, ...). The per-event
// templates ("stripe.observe.events") take dotted paths into the delivered
// event ({{data.object.id}}, {{data.object.items.data.0.price.id}}), which
// flatten_event() lists for one event.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace golive::contract {

using TemplateVariables = std::map<std::string, std::string>;

struct TemplatePart {
  bool variable = false;
  std::string text;  // literal text, or the variable's name
};

// The parts of `text` in order. `allowed` lists the names it may use; an
// unknown name or an unclosed "{{" throws InputError(origin, pointer).
std::vector<TemplatePart> split_template(const std::string& text, const std::set<std::string>& allowed,
                                         const std::string& origin, const std::string& pointer);

// The names `text` uses (any name accepted); throws InputError on "{{" unclosed.
std::vector<std::string> template_names(const std::string& text, const std::string& origin,
                                        const std::string& pointer);

// SQL with $1..$n in place of the variables, and their values in order.
std::pair<std::string, std::vector<std::string>> bind_sql(const std::string& text,
                                                          const TemplateVariables& values);

// `text` with its variables replaced, percent-encoded when `url_encode`.
std::string render_template(const std::string& text, const TemplateVariables& values,
                            bool url_encode);

// Every scalar of an event by dotted path ("data.object.id" -> "sub_..."):
// strings as they are, numbers and booleans as JSON text, null as "".
// Array elements are addressed by index ("items.data.0.price.id").
TemplateVariables flatten_event(const nlohmann::json& event);

}  // namespace golive::contract
