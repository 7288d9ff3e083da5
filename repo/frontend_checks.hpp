// The app's frontend source (seed 000's Go-Live Checklist): Sentry is
// initialised in the app entry with a DSN from an environment variable, the
// development-only code (mockAI) is absent or reachable only behind a
// development flag, and the legal pages have routes.
//   repo.frontend.sentry_init     Sentry.init in the entry, dsn from import.meta.env / process.env
//   repo.frontend.dev_only_code   every use of a dev-only name sits behind a dev flag
//   repo.frontend.legal_routes    /terms and /privacy routes exist
//   repo.backend.structured_logger  the edge functions' shared logger writes JSON
#pragma once

#include <string>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

void check_frontend(const RepoSettings& settings, core::ResultSink& sink);

}  // namespace golive::repo
