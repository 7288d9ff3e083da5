// Queries into HTML responses for captures and assertions: an XPath 1.0
// expression, or a CSS selector translated to XPath. libxml2's HTML parser
// reads the page (as a browser would, forgiving unclosed tags); XPath runs
// over its tree.
//
// CSS supported: type (input), #id, .class, [attr], [attr=value] (quoted or
// not), [attr^=v], [attr$=v], [attr*=v], descendant (space) and child (>)
// combinators, "*" and selector lists (a, b). Pseudo-classes are refused.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golive::e2e {

// Throws std::invalid_argument saying what does not parse.
std::string css_to_xpath(std::string_view selector);
// Throws std::invalid_argument when libxml2 cannot compile `xpath`.
void validate_xpath(const std::string& xpath);

// One parsed HTML document (RAII owner of the libxml2 tree).
class HtmlDocument {
 public:
  // nullptr when libxml2 cannot read anything out of `html`.
  static std::unique_ptr<HtmlDocument> parse(std::string_view html);
  ~HtmlDocument();
  HtmlDocument(const HtmlDocument&) = delete;
  HtmlDocument& operator=(const HtmlDocument&) = delete;

  // The matches of `xpath`: each node's text content (whitespace trimmed),
  // or the value of `attribute` when not empty (nodes without it are left
  // out). An XPath returning a string, number or boolean yields one value.
  std::vector<std::string> select(const std::string& xpath, const std::string& attribute) const;

 private:
  explicit HtmlDocument(void* document) : document_(document) {}
  void* document_;  // xmlDocPtr
};

}  // namespace golive::e2e
