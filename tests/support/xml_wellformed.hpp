// A small XML 1.0 well-formedness checker for the reporter tests: one root
// element, properly nested and matched tags, quoted attributes without '<',
// only the five predefined entities or numeric character references, and no
// characters XML forbids. Not a validating parser; enough to catch every
// escaping mistake a reporter can make. Returns "" when well-formed, else
// the first problem with its byte offset.
#pragma once

#include <string>

namespace golive::report::testing {

std::string xml_wellformedness_error(const std::string& document);

}  // namespace golive::report::testing
