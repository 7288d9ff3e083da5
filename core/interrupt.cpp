#include "core/interrupt.hpp"

#include <csignal>
#include <unistd.h>

namespace golive::core {

namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};

extern "C" void on_interrupt_signal(int signal_number) {
  if (g_interrupted.exchange(true)) {
    // Second signal: the user insists. Async-signal-safe exit.
    _exit(128 + signal_number);
  }
  g_signal.store(signal_number);
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking waits return EINTR and notice
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() { return g_interrupted.load(std::memory_order_relaxed); }

int interrupt_signal() { return g_signal.load(); }

void request_interrupt() { g_interrupted.store(true); }

void reset_interrupt() {
  g_interrupted.store(false);
  g_signal.store(0);
}

}  // namespace golive::core
