// Globs over check ids: '*' matches any run of characters (dots included);
// everything else is literal. The one matcher behind checklist evidence
// patterns (reports/checklist.hpp) and waivers (core/waivers.hpp).
#pragma once

#include <string_view>

namespace golive::core {

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace golive::core
