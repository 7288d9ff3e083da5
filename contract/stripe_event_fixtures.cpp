#include "contract/stripe_event_fixtures.hpp"

#include <string_view>

#include "target/crypto.hpp"
#include "core/input_error.hpp"

namespace golive::contract {

namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string value_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

const nlohmann::json& lookup(const EventVariables& variables, const std::string& name,
                             const std::string& origin, const std::string& pointer) {
  const auto found = variables.find(name);
  if (found == variables.end()) {
    throw core::InputError(origin, pointer, "no value for placeholder {{" + name + "}}");
  }
  return found->second;
}

nlohmann::json render_string(const std::string& text, const EventVariables& variables,
                             const std::string& origin, const std::string& pointer) {
  // A whole-string placeholder keeps the variable's JSON type.
  if (text.size() > 4 && text.rfind("{{", 0) == 0 && text.find("{{", 2) == std::string::npos &&
      text.find("}}") == text.size() - 2) {
    return lookup(variables, trim(std::string_view(text).substr(2, text.size() - 4)), origin,
                  pointer);
  }
  std::string out;
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t open = text.find("{{", position);
    if (open == std::string::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) throw core::InputError(origin, pointer, "unclosed {{");
    out.append(text, position, open - position);
    out += value_text(
        lookup(variables, trim(std::string_view(text).substr(open + 2, close - open - 2)),
               origin, pointer));
    position = close + 2;
  }
  out.append(text, position, std::string::npos);
  return out;
}

nlohmann::json render_node(const nlohmann::json& node, const EventVariables& variables,
                           const std::string& origin, const std::string& pointer) {
  if (node.is_string()) return render_string(node.get<std::string>(), variables, origin, pointer);
  if (node.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, child] : node.items()) {
      out[key] = render_node(child, variables, origin, pointer + "/" + core::escape_pointer_token(key));
    }
    return out;
  }
  if (node.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < node.size(); ++i) {
      out.push_back(render_node(node[i], variables, origin, pointer + "/" + std::to_string(i)));
    }
    return out;
  }
  return node;
}

}  // namespace

const std::vector<std::string>& stripe_fixture_types() {
  static const std::vector<std::string> types = {
      "checkout.session.completed",    "customer.subscription.created",
      "customer.subscription.updated", "customer.subscription.deleted",
      "invoice.payment_succeeded",     "invoice.payment_failed",
  };
  return types;
}

nlohmann::json render_event_template(const nlohmann::json& document,
                                     const EventVariables& variables, const std::string& origin) {
  return render_node(document, variables, origin, "");
}

StripeEventFixtures::StripeEventFixtures(std::string directory) : directory_(std::move(directory)) {
  for (const std::string& type : stripe_fixture_types()) {
    const std::string path = directory_ + "/" + type + ".json";
    nlohmann::json document = core::load_json_file(path);
    const core::JsonReader reader(document, path);
    if (reader.at("type").as_string() != type) reader.at("type").fail("must be \"" + type + "\"");
    reader.at("data").at("object").as_object();
    templates_.emplace(type, std::move(document));
  }
}

nlohmann::json StripeEventFixtures::render(const std::string& type,
                                           const EventVariables& variables) const {
  const auto found = templates_.find(type);
  if (found == templates_.end()) {
    throw core::InputError(directory_, "", "no fixture for event type " + type);
  }
  return render_event_template(found->second, variables, directory_ + "/" + type + ".json");
}

StripeIdFactory::StripeIdFactory() : run_tag_("golive_" + core::random_hex(4)) {}

std::string StripeIdFactory::next(const std::string& prefix) {
  return prefix + "_" + run_tag_ + "_" + std::to_string(++counter_) + core::random_hex(6);
}

}  // namespace golive::contract
