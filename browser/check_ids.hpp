// The check ids the browser suite can emit (see security/check_ids.hpp).
#pragma once

#include <string>
#include <vector>

namespace golive::browser {

std::vector<std::string> browser_check_ids();

}  // namespace golive::browser
