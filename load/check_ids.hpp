// The check ids the load suite can emit, as templates ("{name}" stands for
// one or more characters chosen at run time). See security/check_ids.hpp.
#pragma once

#include <string>
#include <vector>

namespace golive::load {

std::vector<std::string> load_check_ids();

}  // namespace golive::load
