// The check ids the contract suite can emit, as templates ("{name}" stands
// for one or more characters chosen at run time). See security/check_ids.hpp.
#pragma once

#include <string>
#include <vector>

namespace golive::contract {

std::vector<std::string> contract_check_ids();

}  // namespace golive::contract
