// The check ids the security suite can emit, as templates: "{name}" stands
// for one or more characters chosen at run time (a table, a lint, a rule).
// The go-live checklist's evidence patterns are tested against these, so an
// item can never wait for an id no probe produces.
#pragma once

#include <string>
#include <vector>

namespace golive::security {

std::vector<std::string> security_check_ids();

}  // namespace golive::security
