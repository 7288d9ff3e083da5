// The check ids the observability suite can emit. See security/check_ids.hpp.
#pragma once

#include <string>
#include <vector>

namespace golive::observability {

std::vector<std::string> observability_check_ids();

}  // namespace golive::observability
