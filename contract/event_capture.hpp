// Captured Stripe events (an export from the Stripe API or dashboard) and
// their replay against a target: each event is re-signed with the target's
// webhook secret and delivered in file order, optionally keeping the gaps
// between the recorded `created` times. This is how an engineer reproduces a
// webhook incident on staging.
//
// Reading the file is event_capture_reader.hpp's.
#pragma once

#include "http/observing_client.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "contract/event_capture_reader.hpp"
#include "core/result_stream.hpp"

namespace golive::contract {

struct CaptureReplayOptions {
  bool keep_timing = false;       // sleep the recorded gap between deliveries
  std::int64_t max_gap_ms = 5000; // cap of one gap when keep_timing (ms)
  http::RequestObserver* request_observer = nullptr;  // told of every delivery; may be null
};

struct CaptureReplaySummary {
  std::size_t delivered = 0;  // deliveries that got a 2xx
  std::size_t refused = 0;    // non-2xx or transport errors
  bool target_unreachable = false;
  bool stopped = false;
};

// One CheckResult per event, id "contract.stripe_capture.<nnnn>": pass on 2xx.
CaptureReplaySummary replay_event_capture(const config::Environment& env,
                                          const std::vector<CapturedEvent>& events,
                                          const CaptureReplayOptions& options,
                                          core::ResultSink& sink);

}  // namespace golive::contract
