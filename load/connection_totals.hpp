// ConnectionTotals: the connections a scenario's requests opened and the TLS
// handshakes they ran, for one worker or a whole run. A keep-alive scenario
// opens about one connection per VU; a `"keep_alive": false` scenario opens
// one per iteration, so these figures are what a handshake storm reports:
// connections and handshakes per second, how many handshakes resumed a
// session, and the handshake latency (the TLS handshake alone, from the
// client's HttpTiming::handshake_ms) and the TCP connect latency.
//
//   ConnectionTotals totals;
//   totals.add(sample);          // hot path: only samples with new_connection count
//   totals.summary(seconds);     // {"opened", "opened_per_s", "tls_handshakes", ...}
//
// Mergeable exactly (counters add, histograms add bucket-wise), like ScopeTotals.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "load/latency_histogram.hpp"

namespace golive::load {

struct ConnectionTotals {
  std::uint64_t opened = 0;          // requests that went out on a connection they opened
  std::uint64_t tls_handshakes = 0;  // of those, https:// ones that completed a handshake
  std::uint64_t tls_resumed = 0;     // of those, handshakes that resumed a session
  LatencyHistogram connect_latency;    // TCP connect, microseconds (dns excluded)
  LatencyHistogram handshake_latency;  // TLS handshake alone, microseconds

  // A request's connection figures (ignored unless it opened its connection).
  void add(bool new_connection, std::uint64_t connect_us, std::uint64_t handshake_us, bool resumed) {
    if (!new_connection) return;
    ++opened;
    connect_latency.record(connect_us);
    if (handshake_us == 0) return;
    ++tls_handshakes;
    tls_resumed += resumed ? 1 : 0;
    handshake_latency.record(handshake_us);
  }
  void merge(const ConnectionTotals& other);
  bool operator==(const ConnectionTotals& other) const = default;

  // Shard file form (histograms serialised whole).
  nlohmann::json to_json() const;
  static ConnectionTotals from_json(const nlohmann::json& value, const std::string& origin,
                                    const std::string& pointer);
  // The report form: counts, rates over `seconds` and latency percentiles in ms.
  nlohmann::json summary(double seconds) const;
};

}  // namespace golive::load
