// One registration function per probe family, each in cli/probe_<family>.cpp.
#pragma once

#include <CLI/CLI.hpp>

namespace golive::cli {

void register_probe_rls(CLI::App& probe, int& exit_code);         // security suite
void register_probe_schema(CLI::App& probe, int& exit_code);      // database readiness
void register_probe_migrations(CLI::App& probe, int& exit_code);  // database readiness
void register_probe_backup(CLI::App& probe, int& exit_code);      // database readiness
// headers (with CORS), authz, injection, storage, ratelimit: cli/probe_http.cpp
void register_probe_http(CLI::App& probe, int& exit_code);
// secrets (files, bundles, served pages): cli/probe_secrets.cpp
void register_probe_secrets(CLI::App& probe, int& exit_code);
// infrastructure (replication, backups, cache, CDN, load balancing): cli/probe_infra.cpp
void register_probe_infra(CLI::App& probe, int& exit_code);
// observability (Sentry events): cli/probe_observability.cpp
void register_probe_observability(CLI::App& probe, int& exit_code);
// the frontend in headless Chromium: cli/probe_browser.cpp
void register_probe_browser(CLI::App& probe, int& exit_code);

}  // namespace golive::cli
