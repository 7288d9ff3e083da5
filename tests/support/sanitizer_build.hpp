// Whether this test binary runs under AddressSanitizer or ThreadSanitizer
// (GOLIVE_SANITIZE, GOLIVE_TSAN). Instrumented code, the reference target
// included, runs two to ten times slower, so the few tests that compare
// latencies against fixed limits or ratios relax them there, and say so.
#pragma once

namespace golive::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif

}  // namespace golive::testing
