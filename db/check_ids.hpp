// The check ids the db suite can emit, as templates ("{name}" stands for one
// or more characters chosen at run time). See security/check_ids.hpp.
#pragma once

#include <string>
#include <vector>

namespace golive::db {

std::vector<std::string> db_check_ids();

}  // namespace golive::db
