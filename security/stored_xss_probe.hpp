// Stored XSS (seed 000 §2 "Sanitize all user-provided text before rendering").
//
// As the probe's user, the payloads of xss_payloads() go into every user-text
// field of the reference schema through REST: the profile's display_name
// (PATCH profiles), a course's title and syllabus, a topic title and a notes
// input. They are then read back three ways:
//   security.injection.xss_stored.rest    REST rows (JSON): a live-markup
//                                         fragment in a decoded string is a
//                                         finding when
//                                         xss.sanitized_storage_required (the
//                                         seed's rule; default true)
//   security.injection.xss_stored.html    the course's print page (HTML): any
//                                         raw fragment, the attribute-breaking
//                                         quote included, is a finding
//   security.injection.xss_stored.export  the export function (JSON), as REST
// A channel the target lacks (404) is a skip. The course (with its topic and
// input) is registered for the cleanup; the profile goes with the user.
#pragma once

#include "security/injection_probe.hpp"

namespace golive::security {

void run_stored_xss_probe(InjectionContext& ctx);

}  // namespace golive::security
