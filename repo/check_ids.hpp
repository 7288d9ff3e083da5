// The check ids the repository audit can emit, as templates ("{name}" stands
// for one or more characters chosen at run time). See security/check_ids.hpp.
#pragma once

#include <string>
#include <vector>

namespace golive::repo {

std::vector<std::string> repo_check_ids();

}  // namespace golive::repo
