// Login workflows: how golive obtains a test user from a target with its own
// login (Auth0, Clerk, NextAuth, Firebase, a custom /api/login). The
// environment's auth.workflow names a workflow file (e2e/README.md) whose
// steps log a user in and capture `token` and `user_id`:
//
//   {"description": "Log a test user in through the API's own login.",
//    "variables": {"email": "", "password": ""},
//    "steps": [{"name": "login", "method": "POST", "url": "/api/login",
//               "body": {"email": "{{email}}", "password": "{{password}}"},
//               "assert": [{"status": 200}],
//               "capture": [{"var": "token", "json": "/token"},
//                           {"var": "user_id", "json": "/user/id"}]}]}
//
// For test user #index the variables `email` and `password` are
// auth.test_users[index] and `user_index` is index + 1 (where the workflow
// declares them). The runner is handed to target::TestUsers through
// config::AuthSettings::log_in, so every suite uses the same users.
#pragma once

#include <cstddef>

#include "config/environment.hpp"

namespace golive::e2e {

// Loads auth.workflow now (InputError naming the file, exit 2) and sets
// env.auth.log_in to run it; no-op unless auth.kind is "workflow".
void install_login_workflow(config::Environment& env);

// Runs the login workflow once for test user #index.
config::WorkflowLogin run_login_workflow(const config::Environment& env, std::size_t index);

}  // namespace golive::e2e
