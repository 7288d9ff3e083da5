// Process exit codes shared by every golive subcommand (a stable contract for CI).
#pragma once

namespace golive::core {

enum ExitCode : int {
  kExitPass = 0,         // every gate passed
  kExitGateFailed = 1,   // at least one check or threshold failed
  kExitBadInput = 2,     // malformed input, bad config, or a feature that is not built
  kExitUnreachable = 3,  // the target could not be reached at all
  kExitInternalError = 4,  // an unexpected exception: a golive bug (please report it)
};

}  // namespace golive::core
