// The run's test-user census: how many of golive's own users
// ("golive-...@example.test") the target's auth.users holds before the
// first stage and after the last. Every suite deletes the users it made, so
// the two counts must be equal; a difference is users piling up on the
// project (check env.test_users_left). Counting reads GoTrue's admin list
// (GET <auth>/admin/users?filter=), which needs the environment's
// service_role_key; without one the check is skipped and says so.
//
//   TestUserCensus census(env, coverage.observer());   // counts now
//   ... every stage ...
//   sink.record(census.verdict(interrupted));           // counts again, judges
#pragma once

#include <optional>
#include <string>

#include "config/environment.hpp"
#include "core/check_result.hpp"
#include "http/observing_client.hpp"

namespace golive::run {

class TestUserCensus {
 public:
  TestUserCensus(const config::Environment& env, http::RequestObserver* observer);

  // The check env.test_users_left; `interrupted` runs are not judged.
  core::CheckResult verdict(bool interrupted) const;

 private:
  std::optional<long long> count(std::string* why) const;

  const config::Environment& env_;
  http::RequestObserver* observer_;
  std::optional<long long> before_;
  std::string before_why_;  // why there is no count before
};

}  // namespace golive::run
