#include "e2e/html_query.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <cctype>
#include <stdexcept>

namespace golive::e2e {

namespace {

void ignore_structured_error(void*, xmlErrorPtr) {}

// libxml2 must be initialised once before threads use it (load runs
// workflows on several threads).
void ensure_libxml2_initialised() {
  static const bool initialised = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialised;
}

struct XPathContextDeleter {
  void operator()(xmlXPathContext* context) const { xmlXPathFreeContext(context); }
};
struct XPathObjectDeleter {
  void operator()(xmlXPathObject* object) const { xmlXPathFreeObject(object); }
};
struct XPathCompDeleter {
  void operator()(xmlXPathCompExpr* expression) const { xmlXPathFreeCompExpr(expression); }
};
struct XmlCharDeleter {
  void operator()(xmlChar* text) const { xmlFree(text); }
};
using XPathContext = std::unique_ptr<xmlXPathContext, XPathContextDeleter>;
using XPathObject = std::unique_ptr<xmlXPathObject, XPathObjectDeleter>;
using XPathComp = std::unique_ptr<xmlXPathCompExpr, XPathCompDeleter>;
using XmlText = std::unique_ptr<xmlChar, XmlCharDeleter>;

XPathContext quiet_context(xmlDoc* document) {
  XPathContext context(xmlXPathNewContext(document));
  if (context) {
    context->error = ignore_structured_error;
    context->userData = nullptr;
  }
  return context;
}

std::string trimmed(const xmlChar* text) {
  if (!text) return "";
  std::string value(reinterpret_cast<const char*>(text));
  const auto first = value.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = value.find_last_not_of(" \t\r\n");
  return value.substr(first, last - first + 1);
}

// An XPath string literal for `value`.
std::string xpath_literal(const std::string& value) {
  if (value.find('\'') == std::string::npos) return "'" + value + "'";
  if (value.find('"') == std::string::npos) return "\"" + value + "\"";
  throw std::invalid_argument("a value with both ' and \" cannot be matched");
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

class CssTranslator {
 public:
  explicit CssTranslator(std::string_view text) : text_(text) {}

  std::string translate() {
    std::string xpath;
    while (true) {
      skip_spaces();
      if (xpath.empty() && at_end()) fail("the selector is empty");
      if (!xpath.empty()) xpath += " | ";
      xpath += selector();
      skip_spaces();
      if (at_end()) return xpath;
      if (peek() != ',') fail(std::string("unexpected '") + peek() + "'");
      ++at_;
    }
  }

 private:
  std::string selector() {
    std::string xpath = "//" + compound();
    while (true) {
      const bool had_space = skip_spaces();
      if (at_end() || peek() == ',') return xpath;
      if (peek() == '>') {
        ++at_;
        skip_spaces();
        xpath += "/" + compound();
      } else if (peek() == '+' || peek() == '~') {
        fail(std::string("the '") + peek() + "' combinator is not supported");
      } else if (had_space) {
        xpath += "//" + compound();
      } else {
        fail(std::string("unexpected '") + peek() + "'");
      }
    }
  }

  std::string compound() {
    std::string element = "*";
    std::vector<std::string> predicates;
    bool universal = false;
    if (!at_end() && peek() == '*') {
      ++at_;
      universal = true;
    } else if (!at_end() && is_name_char(peek())) {
      element = lower(name());
    }
    while (!at_end()) {
      const char c = peek();
      if (c == '#') {
        ++at_;
        predicates.push_back("@id=" + xpath_literal(name()));
      } else if (c == '.') {
        ++at_;
        predicates.push_back("contains(concat(' ', normalize-space(@class), ' '), " +
                             xpath_literal(" " + name() + " ") + ")");
      } else if (c == '[') {
        ++at_;
        predicates.push_back(attribute());
      } else if (c == ':') {
        fail("pseudo-classes (':') are not supported; use XPath");
      } else {
        break;
      }
    }
    if (element == "*" && predicates.empty() && !universal) {
      fail(at_end() ? "a selector is missing after a combinator"
                    : std::string("unexpected '") + peek() + "'");
    }
    std::string xpath = element;
    for (const auto& predicate : predicates) xpath += "[" + predicate + "]";
    return xpath;
  }

  std::string attribute() {
    skip_spaces();
    const std::string attr = "@" + lower(name());
    skip_spaces();
    if (at_end()) fail("unclosed '['");
    if (peek() == ']') {
      ++at_;
      return attr;
    }
    std::string op;
    if (peek() == '=') {
      op = "=";
      ++at_;
    } else if (std::string_view("^$*~|").find(peek()) != std::string_view::npos &&
               at_ + 1 < text_.size() && text_[at_ + 1] == '=') {
      op = std::string(1, peek()) + "=";
      at_ += 2;
    } else {
      fail(std::string("unexpected '") + peek() + "' in an attribute selector");
    }
    skip_spaces();
    std::string value;
    if (!at_end() && (peek() == '"' || peek() == '\'')) {
      const char quote = peek();
      const std::size_t close = text_.find(quote, at_ + 1);
      if (close == std::string_view::npos) fail("unclosed quote");
      value = std::string(text_.substr(at_ + 1, close - at_ - 1));
      at_ = close + 1;
    } else {
      value = name();
    }
    skip_spaces();
    if (at_end() || peek() != ']') fail("unclosed '['");
    ++at_;
    const std::string literal = xpath_literal(value);
    if (op == "=") return attr + "=" + literal;
    if (op == "^=") return "starts-with(" + attr + ", " + literal + ")";
    if (op == "*=") return "contains(" + attr + ", " + literal + ")";
    if (op == "$=") {
      return "substring(" + attr + ", string-length(" + attr + ") - string-length(" + literal +
             ") + 1) = " + literal;
    }
    if (op == "~=") {
      return "contains(concat(' ', normalize-space(" + attr + "), ' '), " +
             xpath_literal(" " + value + " ") + ")";
    }
    return "(" + attr + "=" + literal + " or starts-with(" + attr + ", " +
           xpath_literal(value + "-") + "))";
  }

  std::string name() {
    const std::size_t start = at_;
    while (!at_end() && is_name_char(peek())) ++at_;
    if (start == at_) fail(at_end() ? "a name is missing at the end" : "a name is missing");
    return std::string(text_.substr(start, at_ - start));
  }

  static std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }
  bool skip_spaces() {
    const std::size_t start = at_;
    while (!at_end() && std::isspace(static_cast<unsigned char>(peek()))) ++at_;
    return at_ != start;
  }
  bool at_end() const { return at_ >= text_.size(); }
  char peek() const { return text_[at_]; }
  [[noreturn]] void fail(const std::string& problem) const {
    throw std::invalid_argument("CSS selector \"" + std::string(text_) + "\" does not parse: " +
                                problem + " (character " + std::to_string(at_ + 1) + ")");
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::string css_to_xpath(std::string_view selector) { return CssTranslator(selector).translate(); }

void validate_xpath(const std::string& xpath) {
  ensure_libxml2_initialised();
  XPathContext context = quiet_context(nullptr);
  XPathComp compiled(
      xmlXPathCtxtCompile(context.get(), reinterpret_cast<const xmlChar*>(xpath.c_str())));
  if (!compiled) throw std::invalid_argument("XPath \"" + xpath + "\" does not compile");
}

std::unique_ptr<HtmlDocument> HtmlDocument::parse(std::string_view html) {
  ensure_libxml2_initialised();
  htmlDocPtr document =
      htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                         HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
  if (!document) return nullptr;
  return std::unique_ptr<HtmlDocument>(new HtmlDocument(document));
}

HtmlDocument::~HtmlDocument() { xmlFreeDoc(static_cast<xmlDocPtr>(document_)); }

std::vector<std::string> HtmlDocument::select(const std::string& xpath,
                                              const std::string& attribute) const {
  std::vector<std::string> values;
  XPathContext context = quiet_context(static_cast<xmlDocPtr>(document_));
  if (!context) return values;
  XPathObject result(
      xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), context.get()));
  if (!result) return values;
  switch (result->type) {
    case XPATH_NODESET: {
      const xmlNodeSet* nodes = result->nodesetval;
      const int count = nodes ? nodes->nodeNr : 0;
      for (int i = 0; i < count; ++i) {
        xmlNode* node = nodes->nodeTab[i];
        if (!attribute.empty()) {
          if (node->type != XML_ELEMENT_NODE) continue;
          XmlText value(xmlGetProp(node, reinterpret_cast<const xmlChar*>(attribute.c_str())));
          if (value) values.push_back(trimmed(value.get()));
        } else {
          XmlText content(xmlNodeGetContent(node));
          values.push_back(trimmed(content.get()));
        }
      }
      break;
    }
    case XPATH_STRING:
    case XPATH_NUMBER:
    case XPATH_BOOLEAN: {
      XmlText text(xmlXPathCastToString(result.get()));
      values.push_back(trimmed(text.get()));
      break;
    }
    default:
      break;
  }
  return values;
}

}  // namespace golive::e2e
