// `golive probe authz`: JWT tampering and cross-user access over HTTP.
//
// Two throw-away users A and B are signed up (or, with signup disabled, the
// first two auth.test_users log in); B creates a course. Then:
//   security.jwt.alg_none              unsigned token (alg "none") is refused
//   security.jwt.wrong_key             token signed with another key is refused
//   security.jwt.expired               expired token is refused (forged with
//                                      jwt_secret when known; else A's token
//                                      with exp moved back, i.e. a bad signature)
//   security.jwt.service_role_forged   service_role claims under a wrong key are refused
//   security.jwt.service_role_real_secret  info: the real secret does mint service_role
//   security.jwt.deleted_user          a deleted user's token no longer authenticates
//   security.authz.no_token            no token reads none of B's rows nor the export
//   security.authz.rest_read_other_user / rest_update_other_user / rest_delete_other_user
//                                      A's token on B's course through REST (BOLA/IDOR)
//   security.authz.function_export     A's export carries none of B's data
// Users the probe created are deleted at the end (security.authz.cleanup on failure).
#pragma once

#include "core/result_stream.hpp"
#include "security/http_probe_support.hpp"

namespace golive::security {

void run_authz_probe(const ProbeClient& client, core::ResultSink& sink);

}  // namespace golive::security
