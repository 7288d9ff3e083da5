// The API access matrix's settings, from the environment's security section:
//
//   "security": {"api_rls": {"users": "mint", "schemas": ["public", "app"]}}
//
// users: how the matrix obtains users A and B (api_rls_users.hpp): "auto"
// (default), "auth" or "mint" ("mint" needs jwt_secret).
// schemas: the schemas the REST API serves (PostgREST's db-schemas; default
// ["public"]). Tables of any schema other than public are called with the
// profile headers PostgREST reads (Accept-Profile on GET and HEAD,
// Content-Profile on POST, PATCH and DELETE).
// Read before any traffic: a bad value is a core::InputError naming the file
// and the JSON pointer (exit code 2).
#pragma once

#include <string>
#include <vector>

#include "config/environment.hpp"
#include "security/api_rls_users.hpp"

namespace golive::security {

struct ApiRlsSettings {
  MatrixUsers users = MatrixUsers::kAuto;
  std::vector<std::string> schemas{"public"};
};

ApiRlsSettings read_api_rls_settings(const config::Environment& env);

}  // namespace golive::security
