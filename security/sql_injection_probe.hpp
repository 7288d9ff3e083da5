// SQL injection into each configured target (security.injection.sqli.<name>),
// the three techniques sqlmap calls E, B and T, bounded:
//   error    each payload of sql_error_payloads() appended to a token that
//            matches nothing; a PostgreSQL parse error (42601, "syntax error
//            at or near", "unterminated quoted string", ...) that the
//            baseline does not show is a finding;
//   boolean  the true/false pair of injection_signals.hpp; a true answer that
//            differs from the false one while the false one equals the
//            baseline (confirmed by sending true again) is a finding;
//   time     a pg_sleep(settings.sleep_seconds) payload, tried at most twice;
//            both answers later than the slowest earlier answer plus 80 % of
//            the sleep is a finding.
// At most 5 + 3 + 2 + 1 requests per target. The check fails on any finding;
// evidence names the payload, the parameter, the status and the matched signal.
#pragma once

#include "security/injection_probe.hpp"

namespace golive::security {

void run_sql_injection_probe(InjectionContext& ctx);

}  // namespace golive::security
