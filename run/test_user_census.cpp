#include "run/test_user_census.hpp"

#include "http/client_options.hpp"
#include "target/test_users.hpp"

namespace golive::run {
namespace {

// Every address golive makes contains this (target/test_users.cpp and the
// workflows' {{random.email}}: "golive-<hex>@example.test").
constexpr const char* kGoliveEmailPart = "golive-";

}  // namespace

TestUserCensus::TestUserCensus(const config::Environment& env, http::RequestObserver* observer)
    : env_(env), observer_(observer) {
  before_ = count(&before_why_);
}

std::optional<long long> TestUserCensus::count(std::string* why) const {
  if (env_.auth.kind != "supabase") {
    *why = "auth.kind is \"" + env_.auth.kind + "\": golive makes no users of its own";
    return std::nullopt;
  }
  http::ClientOptions options = http::client_options_for(env_);
  options.observer = observer_;
  const target::TestUsers users(env_, options);
  return users.count_users(kGoliveEmailPart, why);
}

core::CheckResult TestUserCensus::verdict(bool interrupted) const {
  core::CheckResult result;
  result.id = "env.test_users_left";
  result.suite = "env";
  result.title = "The run leaves no test user behind in auth.users";
  result.severity = core::Severity::kMedium;
  if (!before_) {
    result.status = core::CheckStatus::kSkip;
    result.message = "not counted: " + before_why_;
    return result;
  }
  if (interrupted) {
    result.status = core::CheckStatus::kSkip;
    result.message = "the run was interrupted; users of unfinished journeys may remain";
    return result;
  }
  std::string why;
  const std::optional<long long> after = count(&why);
  result.evidence = {{"email_filter", kGoliveEmailPart}, {"before", *before_}};
  if (!after) {
    result.status = core::CheckStatus::kError;
    result.message = "could not count the users after the run: " + why;
    return result;
  }
  result.evidence["after"] = *after;
  if (*after > *before_) {
    result.status = core::CheckStatus::kFail;
    result.message = std::to_string(*after - *before_) +
                     " test user(s) left behind (golive-...@example.test: " +
                     std::to_string(*before_) + " before the run, " + std::to_string(*after) +
                     " after)";
    return result;
  }
  result.status = core::CheckStatus::kPass;
  result.message = "no test user left: " + std::to_string(*after) +
                   " golive user(s) after the run, " + std::to_string(*before_) + " before";
  return result;
}

}  // namespace golive::run
