// curl reader: curl command lines (the form DevTools' "Copy as cURL" and API
// docs write) into RecordedExchanges. A command is split into words as a
// POSIX shell would ('single', "double" with \" \\ \$ \` escapes, $'ANSI-C',
// backslash escapes, backslash-newline continuations), then curl's options
// are read: -X/--request, -H/--header, -d/--data/--data-raw/--data-binary/
// --data-ascii/--data-urlencode (joined with '&', POST unless -X says
// otherwise), --json, -G/--get, -I/--head, -u/--user, -F/--form,
// -L/--location, -b/--cookie (dropped: the run's jar keeps cookies),
// -A/--user-agent, -e/--referer, -m/--max-time, --url, and the switches that
// change nothing on the wire (-s, -S, -v, -k, -i, --compressed, -o FILE, ...).
// Shell variables ($TOKEN, ${TOKEN}) are kept as written; the workflow
// builder turns each into a variable the environment file sets.
// An option the reader does not know is an InputError naming the file, the
// line and the option, never a silently different request.
#pragma once

#include <string>
#include <vector>

#include "import/recorded_exchange.hpp"

namespace golive::imports {

// The shell words of one command. Throws core::InputError(origin, "line N", ...)
// on an unterminated quote.
std::vector<std::string> split_shell_words(const std::string& command, const std::string& origin, int line);

// One exchange per curl command in `text`: commands are separated by
// newlines (a trailing backslash continues a line) or ';'; blank lines and
// '#' comments are skipped. `origin` names the input ("FILE" or "<argument>").
std::vector<RecordedExchange> read_curl_commands(const std::string& text, const std::string& origin);

}  // namespace golive::imports
