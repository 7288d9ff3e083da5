#include "tests/support/xml_wellformed.hpp"

#include <cctype>
#include <vector>

namespace golive::report::testing {

namespace {

class Checker {
 public:
  explicit Checker(const std::string& text) : text_(text) {}

  std::string run() {
    skip_prolog();
    bool seen_root = false;
    while (pos_ < text_.size() && error_.empty()) {
      if (text_[pos_] == '<') {
        if (starts_with("<!--")) {
          skip_past("-->");
        } else if (starts_with("<?")) {
          skip_past("?>");
        } else if (starts_with("</")) {
          close_tag();
        } else {
          if (stack_.empty() && seen_root) return fail("a second root element");
          seen_root = true;
          open_tag();
        }
      } else {
        text_run();
      }
    }
    if (!error_.empty()) return error_;
    if (!seen_root) return fail("no root element");
    if (!stack_.empty()) return fail("unclosed element <" + stack_.back() + ">");
    return "";
  }

 private:
  bool starts_with(const char* prefix) const {
    return text_.compare(pos_, std::char_traits<char>::length(prefix), prefix) == 0;
  }

  std::string fail(const std::string& problem) {
    if (error_.empty()) error_ = "byte " + std::to_string(pos_) + ": " + problem;
    return error_;
  }

  void skip_prolog() {
    if (starts_with("<?xml")) skip_past("?>");
  }

  void skip_past(const char* marker) {
    auto end = text_.find(marker, pos_);
    if (end == std::string::npos) {
      fail(std::string("missing ") + marker);
      pos_ = text_.size();
      return;
    }
    pos_ = end + std::char_traits<char>::length(marker);
  }

  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == ':' || static_cast<unsigned char>(c) >= 0x80;
  }

  std::string read_name() {
    std::size_t start = pos_;
    if (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
                                text_[pos_] == '-' || text_[pos_] == '.')) {
      fail("a name cannot start with a digit, '-' or '.'");
      return "";
    }
    while (pos_ < text_.size() && name_char(text_[pos_])) ++pos_;
    if (pos_ == start) fail("expected a name");
    return text_.substr(start, pos_ - start);
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  // Validates a character or entity reference at pos_ (which is at '&').
  void reference() {
    auto end = text_.find(';', pos_);
    if (end == std::string::npos || end - pos_ > 12) {
      fail("a bare '&'");
      return;
    }
    std::string body = text_.substr(pos_ + 1, end - pos_ - 1);
    bool ok = body == "amp" || body == "lt" || body == "gt" || body == "quot" || body == "apos";
    if (!ok && body.size() > 1 && body[0] == '#') {
      unsigned long value = 0;
      try {
        value =
            body[1] == 'x' ? std::stoul(body.substr(2), nullptr, 16) : std::stoul(body.substr(1));
        ok = value == 0x9 || value == 0xA || value == 0xD || (value >= 0x20 && value <= 0xD7FF) ||
             (value >= 0xE000 && value <= 0xFFFD) || (value >= 0x10000 && value <= 0x10FFFF);
      } catch (...) {
        ok = false;
      }
    }
    if (!ok) {
      fail("bad reference &" + body + ";");
      return;
    }
    pos_ = end + 1;
  }

  // Raw bytes below 0x20 other than tab/newline/CR are forbidden everywhere.
  bool forbidden_control(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u < 0x20 && u != '\t' && u != '\n' && u != '\r';
  }

  void open_tag() {
    ++pos_;  // '<'
    std::string name = read_name();
    if (!error_.empty()) return;
    while (pos_ < text_.size() && error_.empty()) {
      skip_space();
      if (starts_with("/>")) {
        pos_ += 2;
        return;
      }
      if (pos_ < text_.size() && text_[pos_] == '>') {
        ++pos_;
        stack_.push_back(name);
        return;
      }
      read_name();
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '=') {
        fail("attribute without '=' in <" + name + ">");
        return;
      }
      ++pos_;
      skip_space();
      if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\'')) {
        fail("unquoted attribute value in <" + name + ">");
        return;
      }
      char quote = text_[pos_++];
      while (pos_ < text_.size() && text_[pos_] != quote && error_.empty()) {
        if (text_[pos_] == '<') {
          fail("'<' inside an attribute value");
        } else if (text_[pos_] == '&') {
          reference();
        } else if (forbidden_control(text_[pos_])) {
          fail("control character in an attribute value");
        } else {
          ++pos_;
        }
      }
      if (pos_ >= text_.size()) fail("unterminated attribute value");
      ++pos_;
    }
  }

  void close_tag() {
    pos_ += 2;
    std::string name = read_name();
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '>') {
      fail("malformed end tag");
      return;
    }
    ++pos_;
    if (stack_.empty() || stack_.back() != name) {
      fail("end tag </" + name + "> does not match <" +
           (stack_.empty() ? std::string("none") : stack_.back()) + ">");
      return;
    }
    stack_.pop_back();
  }

  void text_run() {
    while (pos_ < text_.size() && text_[pos_] != '<' && error_.empty()) {
      if (stack_.empty() && !std::isspace(static_cast<unsigned char>(text_[pos_]))) {
        fail("text outside the root element");
      } else if (text_[pos_] == '&') {
        reference();
      } else if (forbidden_control(text_[pos_])) {
        fail("control character in text");
      } else if (starts_with("]]>")) {
        fail("']]>' in text");
      } else {
        ++pos_;
      }
    }
  }

  const std::string& text_;
  std::size_t pos_ = 0;
  std::vector<std::string> stack_;
  std::string error_;
};

}  // namespace

std::string xml_wellformedness_error(const std::string& document) {
  return Checker(document).run();
}

}  // namespace golive::report::testing
