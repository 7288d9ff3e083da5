// The check ids the infrastructure suite can emit (see security/check_ids.hpp).
#pragma once

#include <string>
#include <vector>

namespace golive::infra {

std::vector<std::string> infra_check_ids();

}  // namespace golive::infra
