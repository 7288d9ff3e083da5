#include "import/curl_reader.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "core/ascii_case.hpp"
#include "core/encoding.hpp"
#include "core/input_error.hpp"

namespace golive::imports {

namespace {

[[noreturn]] void fail(const std::string& origin, int line, const std::string& problem) {
  throw core::InputError(origin, "line " + std::to_string(line), problem);
}

char ansi_c_escape(char c) {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': return '\0';
    case 'e': return '\x1b';
    default: return c;
  }
}

struct CommandText {
  std::string text;
  int line = 1;  // where it starts
};

// Splits the input into commands: newlines and ';' outside quotes end one,
// a backslash before a newline continues it.
std::vector<CommandText> split_commands(const std::string& text) {
  std::vector<CommandText> commands;
  CommandText current;
  int line = 1;
  char quote = 0;
  bool comment = false;
  auto finish = [&] {
    bool blank = current.text.find_first_not_of(" \t\r") == std::string::npos;
    if (!blank) commands.push_back(current);
    current = CommandText{};
    current.line = line;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (comment) {
      if (c == '\n') {
        comment = false;
        ++line;
        finish();
      }
      continue;
    }
    if (quote == 0 && c == '#' && current.text.find_first_not_of(" \t\r") == std::string::npos) {
      comment = true;
      continue;
    }
    if (c == '\\' && i + 1 < text.size() && quote != '\'') {
      if (text[i + 1] == '\n') {  // continuation
        ++i;
        ++line;
        current.text += ' ';
        continue;
      }
      if (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n') {
        i += 2;
        ++line;
        current.text += ' ';
        continue;
      }
      current.text += c;
      current.text += text[++i];
      continue;
    }
    if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (quote != 0 && c == quote) {
      quote = 0;
    }
    if (quote == 0 && (c == '\n' || c == ';')) {
      if (c == '\n') ++line;
      finish();
      continue;
    }
    if (c == '\n') ++line;
    current.text += c;
  }
  finish();
  return commands;
}

}  // namespace

std::vector<std::string> split_shell_words(const std::string& command, const std::string& origin, int line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  std::size_t i = 0;
  while (i < command.size()) {
    char c = command[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      std::size_t end = command.find('\'', i + 1);
      if (end == std::string::npos) fail(origin, line, "unterminated single quote");
      word += command.substr(i + 1, end - i - 1);
      i = end + 1;
    } else if (c == '$' && i + 1 < command.size() && command[i + 1] == '\'') {
      i += 2;
      bool closed = false;
      while (i < command.size()) {
        if (command[i] == '\'') {
          closed = true;
          ++i;
          break;
        }
        if (command[i] == '\\' && i + 1 < command.size()) {
          char next = command[i + 1];
          if (next == 'x' && i + 3 < command.size()) {
            auto byte = core::from_hex(command.substr(i + 2, 2));
            if (byte) {
              word += *byte;
              i += 4;
              continue;
            }
          }
          word += ansi_c_escape(next);
          i += 2;
          continue;
        }
        word += command[i++];
      }
      if (!closed) fail(origin, line, "unterminated $'...' quote");
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < command.size()) {
        if (command[i] == '"') {
          closed = true;
          ++i;
          break;
        }
        if (command[i] == '\\' && i + 1 < command.size() &&
            std::string("\"\\$`\n").find(command[i + 1]) != std::string::npos) {
          word += command[i + 1];
          i += 2;
          continue;
        }
        word += command[i++];
      }
      if (!closed) fail(origin, line, "unterminated double quote");
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[i + 1];
      i += 2;
    } else {
      word += c;
      ++i;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

namespace {

void set_header(HeaderList& headers, const std::string& name, const std::string& value) {
  for (auto& header : headers) {
    if (core::ascii_lower(header.first) == core::ascii_lower(name)) {
      header.second = value;
      return;
    }
  }
  headers.emplace_back(name, value);
}

std::string header_value(const HeaderList& headers, const std::string& name) {
  for (const auto& header : headers) {
    if (core::ascii_lower(header.first) == core::ascii_lower(name)) return header.second;
  }
  return "";
}

RecordedExchange read_command(const std::vector<std::string>& words, const std::string& origin, int line) {
  RecordedExchange exchange;
  exchange.origin = origin + " line " + std::to_string(line);
  std::string explicit_method;
  std::vector<std::string> data;
  bool get_with_data = false;
  bool head = false;
  bool json = false;
  static const std::vector<std::string> kNoValue = {"-s", "--silent", "-S", "--show-error", "-v", "--verbose",
                                                    "-k", "--insecure", "-i", "--include", "--compressed",
                                                    "-f", "--fail", "--fail-with-body", "-N", "--no-buffer",
                                                    "-#", "--progress-bar", "--http1.1", "--http2", "-sS", "-Ss",
                                                    "-sSL", "-sL", "-Ls", "-sk", "-ks", "-v4", "--globoff", "-g"};
  static const std::vector<std::string> kIgnoredValue = {"-o", "--output", "-w", "--write-out", "--connect-timeout",
                                                         "--retry", "-c", "--cookie-jar", "--cacert", "--resolve"};
  auto next_value = [&](std::size_t& i, const std::string& option) -> std::string {
    if (i + 1 >= words.size()) fail(origin, line, "curl option " + option + " needs a value");
    return words[++i];
  };
  if (words.empty() || words[0] != "curl") fail(origin, line, "not a curl command (it must start with \"curl\")");
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::string word = words[i];
    std::string inline_value;
    bool has_inline = false;
    if (word.rfind("--", 0) == 0 && word.find('=') != std::string::npos) {
      inline_value = word.substr(word.find('=') + 1);
      word = word.substr(0, word.find('='));
      has_inline = true;
    }
    auto value = [&]() { return has_inline ? inline_value : next_value(i, word); };
    // Short options glued to their value: -XPOST, -HAccept:x, -dfoo.
    if (!has_inline && word.size() > 2 && word[0] == '-' && word[1] != '-' &&
        std::string("XHdubeAmFo").find(word[1]) != std::string::npos &&
        std::find(kNoValue.begin(), kNoValue.end(), word) == kNoValue.end()) {
      inline_value = word.substr(2);
      word = word.substr(0, 2);
      has_inline = true;
    }
    if (word == "-X" || word == "--request") {
      explicit_method = core::ascii_upper(value());
    } else if (word == "-H" || word == "--header") {
      std::string header = value();
      auto colon = header.find(':');
      if (colon == std::string::npos) fail(origin, line, "header without ':' in -H \"" + header + "\"");
      std::string name = header.substr(0, colon);
      std::string text = header.substr(colon + 1);
      while (!text.empty() && text.front() == ' ') text.erase(text.begin());
      set_header(exchange.headers, name, text);
    } else if (word == "-d" || word == "--data" || word == "--data-raw" || word == "--data-binary" ||
               word == "--data-ascii") {
      std::string text = value();
      if (word != "--data-raw" && !text.empty() && text[0] == '@') {
        fail(origin, line, word + " " + text + " reads a file: paste its content, or use a workflow's multipart step");
      }
      data.push_back(text);
    } else if (word == "--data-urlencode") {
      std::string text = value();
      auto equals = text.find('=');
      data.push_back(equals == std::string::npos ? core::percent_encode(text)
                                                 : text.substr(0, equals + 1) + core::percent_encode(text.substr(equals + 1)));
    } else if (word == "--json") {
      data.push_back(value());
      json = true;
    } else if (word == "-G" || word == "--get") {
      get_with_data = true;
    } else if (word == "-I" || word == "--head") {
      head = true;
    } else if (word == "-u" || word == "--user") {
      std::string credentials = value();
      auto colon = credentials.find(':');
      exchange.basic_auth = std::make_pair(credentials.substr(0, colon),
                                           colon == std::string::npos ? std::string() : credentials.substr(colon + 1));
    } else if (word == "-F" || word == "--form") {
      std::string part = value();
      auto equals = part.find('=');
      if (equals == std::string::npos) fail(origin, line, "-F \"" + part + "\" has no '='");
      exchange.multipart.emplace_back(part.substr(0, equals), part.substr(equals + 1));
    } else if (word == "-L" || word == "--location") {
      exchange.follow_redirects = true;
    } else if (word == "-b" || word == "--cookie") {
      value();  // the run's cookie jar holds the session
    } else if (word == "-A" || word == "--user-agent") {
      set_header(exchange.headers, "User-Agent", value());
    } else if (word == "-e" || word == "--referer") {
      set_header(exchange.headers, "Referer", value());
    } else if (word == "-m" || word == "--max-time") {
      std::string seconds = value();
      try {
        exchange.timeout_ms = std::stod(seconds) * 1000.0;
      } catch (const std::exception&) {
        fail(origin, line, "--max-time \"" + seconds + "\" is not a number of seconds");
      }
    } else if (word == "--url") {
      exchange.url = value();
    } else if (std::find(kNoValue.begin(), kNoValue.end(), word) != kNoValue.end()) {
      continue;
    } else if (std::find(kIgnoredValue.begin(), kIgnoredValue.end(), word) != kIgnoredValue.end()) {
      value();
    } else if (!word.empty() && word[0] == '-') {
      fail(origin, line, "curl option " + word + " is not supported by the importer");
    } else {
      if (!exchange.url.empty()) fail(origin, line, "two URLs (\"" + exchange.url + "\" and \"" + word + "\")");
      exchange.url = word;
    }
  }
  if (exchange.url.empty()) fail(origin, line, "curl command without a URL");
  if (exchange.url.find("://") == std::string::npos) exchange.url = "http://" + exchange.url;
  std::string joined;
  for (const auto& part : data) joined += (joined.empty() ? "" : "&") + part;
  if (get_with_data && !data.empty()) {
    exchange.url += (exchange.url.find('?') == std::string::npos ? "?" : "&") + joined;
  } else if (!data.empty()) {
    exchange.body = joined;
  }
  if (json) {
    if (header_value(exchange.headers, "Content-Type").empty()) set_header(exchange.headers, "Content-Type", "application/json");
    if (header_value(exchange.headers, "Accept").empty()) set_header(exchange.headers, "Accept", "application/json");
  }
  if (!exchange.body.empty() && header_value(exchange.headers, "Content-Type").empty()) {
    set_header(exchange.headers, "Content-Type", "application/x-www-form-urlencoded");
  }
  std::string type = header_value(exchange.headers, "Content-Type");
  exchange.body_type = core::ascii_lower(type.substr(0, type.find(';')));
  exchange.method = !explicit_method.empty()                      ? explicit_method
                    : head                                        ? "HEAD"
                    : (!exchange.body.empty() || !exchange.multipart.empty()) ? "POST"
                                                                  : "GET";
  return exchange;
}

}  // namespace

std::vector<RecordedExchange> read_curl_commands(const std::string& text, const std::string& origin) {
  std::vector<RecordedExchange> exchanges;
  for (const auto& command : split_commands(text)) {
    auto words = split_shell_words(command.text, origin, command.line);
    if (words.empty()) continue;
    exchanges.push_back(read_command(words, origin, command.line));
  }
  if (exchanges.empty()) throw core::InputError(origin, "", "no curl command found");
  return exchanges;
}

}  // namespace golive::imports
