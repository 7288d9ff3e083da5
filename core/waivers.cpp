#include "core/waivers.hpp"

#include <cctype>

#include "core/glob.hpp"
#include "core/input_error.hpp"

namespace golive::core {

namespace {

bool is_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  const int month = std::stoi(text.substr(5, 2));
  const int day = std::stoi(text.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

Waiver read_waiver(const JsonReader& item) {
  item.as_object();
  item.reject_unknown_keys({"check", "checklist", "reason", "owner", "expires", "$comment"});
  Waiver waiver;
  waiver.pointer = item.pointer();
  if (item.has("check") == item.has("checklist")) {
    item.fail("a waiver names exactly one of \"check\" (a check id or glob) and \"checklist\" (an item id)");
  }
  if (item.has("check")) waiver.check = item.at("check").as_string();
  if (item.has("checklist")) waiver.checklist = item.at("checklist").as_string();
  if (waiver.check.empty() && waiver.checklist.empty()) {
    item.at(item.has("check") ? "check" : "checklist").fail("must not be empty");
  }
  for (const char* key : {"reason", "owner"}) {
    if (item.at(key).as_string().empty()) item.at(key).fail("must not be empty: a waiver says why and who owns it");
  }
  waiver.reason = item.at("reason").as_string();
  waiver.owner = item.at("owner").as_string();
  waiver.expires = item.at("expires").as_string();
  if (!is_date(waiver.expires)) {
    item.at("expires").fail("expected a date YYYY-MM-DD (the last day the waiver holds), found \"" +
                            waiver.expires + "\"");
  }
  return waiver;
}

}  // namespace

std::string Waiver::subject() const {
  return check.empty() ? "checklist item " + checklist : "check " + check;
}

bool Waiver::expired_on(const std::string& today) const {
  return today.size() >= 10 && today.substr(0, 10) > expires;
}

bool Waiver::covers(const CheckResult& result) const {
  if (!check.empty()) return glob_match(check, result.id);
  for (const auto& item : result.checklist) {
    if (item == checklist) return true;
  }
  return false;
}

const Waiver* WaiverSet::find(const CheckResult& check) const {
  for (const auto& waiver : waivers) {
    if (waiver.covers(check)) return &waiver;
  }
  return nullptr;
}

WaiverSet parse_waivers(const nlohmann::json& document, const std::string& origin,
                        const std::string& base_pointer) {
  JsonReader root(document, origin, base_pointer);
  WaiverSet set;
  set.source = origin;
  auto read_list = [&set](const JsonReader& list) {
    for (std::size_t i = 0; i < list.as_array().size(); ++i) set.waivers.push_back(read_waiver(list.at(i)));
  };
  if (document.is_array()) {
    read_list(root);
  } else {
    root.as_object();
    root.reject_unknown_keys({"waivers", "$comment", "description"});
    read_list(root.at("waivers"));
  }
  return set;
}

WaiverSet load_waivers_file(const std::string& path) {
  return parse_waivers(load_json_file(path), path);
}

nlohmann::json waivers_record(const WaiverSet& set) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& waiver : set.waivers) {
    nlohmann::json item = {{"reason", waiver.reason}, {"owner", waiver.owner}, {"expires", waiver.expires},
                           {"pointer", waiver.pointer}};
    if (!waiver.check.empty()) item["check"] = waiver.check;
    if (!waiver.checklist.empty()) item["checklist"] = waiver.checklist;
    list.push_back(std::move(item));
  }
  return {{"source", set.source}, {"waivers", list}};
}

WaiverSet waivers_from_record(const nlohmann::json& record, const std::string& origin) {
  JsonReader reader(record, origin);
  WaiverSet set;
  set.source = reader.string_or("source", "");
  auto list = reader.at("waivers");
  for (std::size_t i = 0; i < list.as_array().size(); ++i) {
    auto item = list.at(i);
    Waiver waiver;
    waiver.check = item.string_or("check", "");
    waiver.checklist = item.string_or("checklist", "");
    waiver.reason = item.string_or("reason", "");
    waiver.owner = item.string_or("owner", "");
    waiver.expires = item.at("expires").as_string();
    waiver.pointer = item.string_or("pointer", "");
    set.waivers.push_back(std::move(waiver));
  }
  return set;
}

}  // namespace golive::core
