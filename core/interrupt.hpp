// Run interruption: SIGINT and SIGTERM set a flag that suites poll between
// checks (and the HTTP engine's owners turn into cancel_all()). The run then
// writes run_end {interrupted: true} and renders a partial report.
#pragma once

#include <atomic>

namespace golive::core {

// Installs the SIGINT/SIGTERM handlers (idempotent). A second signal while
// the first is being handled terminates the process at once.
void install_interrupt_handlers();

// True once SIGINT or SIGTERM arrived (or request_interrupt() was called).
bool interrupted();

// Which signal interrupted the run (0 when none or requested in-process).
int interrupt_signal();

// For tests and time limits: behaves as if a signal arrived.
void request_interrupt();

// Clears the flag (tests only).
void reset_interrupt();

}  // namespace golive::core
