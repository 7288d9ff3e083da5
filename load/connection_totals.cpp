#include "load/connection_totals.hpp"

#include "core/input_error.hpp"

namespace golive::load {
namespace {

nlohmann::json percentiles_ms(const LatencyHistogram& latency) {
  auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
  return {{"p50", ms(latency.value_at_percentile(50))},
          {"p95", ms(latency.value_at_percentile(95))},
          {"p99", ms(latency.value_at_percentile(99))},
          {"max", ms(latency.max())},
          {"mean", latency.mean() / 1000.0},
          {"samples", latency.count()}};
}

}  // namespace

void ConnectionTotals::merge(const ConnectionTotals& other) {
  opened += other.opened;
  tls_handshakes += other.tls_handshakes;
  tls_resumed += other.tls_resumed;
  connect_latency.merge(other.connect_latency);
  handshake_latency.merge(other.handshake_latency);
}

nlohmann::json ConnectionTotals::to_json() const {
  return {{"opened", opened},
          {"tls_handshakes", tls_handshakes},
          {"tls_resumed", tls_resumed},
          {"connect_latency", connect_latency.to_json()},
          {"handshake_latency", handshake_latency.to_json()}};
}

ConnectionTotals ConnectionTotals::from_json(const nlohmann::json& value, const std::string& origin,
                                             const std::string& pointer) {
  const core::JsonReader reader(value, origin, pointer);
  reader.reject_unknown_keys({"opened", "tls_handshakes", "tls_resumed", "connect_latency", "handshake_latency"});
  ConnectionTotals totals;
  totals.opened = read_count(reader.at("opened"));
  totals.tls_handshakes = read_count(reader.at("tls_handshakes"));
  totals.tls_resumed = read_count(reader.at("tls_resumed"));
  if (totals.tls_handshakes > totals.opened) reader.at("tls_handshakes").fail("more than the connections opened");
  if (totals.tls_resumed > totals.tls_handshakes) reader.at("tls_resumed").fail("more than the handshakes");
  totals.connect_latency = LatencyHistogram::from_json(reader.at("connect_latency").value(), origin,
                                                       reader.at("connect_latency").pointer());
  totals.handshake_latency = LatencyHistogram::from_json(reader.at("handshake_latency").value(), origin,
                                                         reader.at("handshake_latency").pointer());
  return totals;
}

nlohmann::json ConnectionTotals::summary(double seconds) const {
  auto per_second = [seconds](std::uint64_t count) {
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
  };
  return {{"opened", opened},
          {"opened_per_s", per_second(opened)},
          {"connect_ms", percentiles_ms(connect_latency)},
          {"tls_handshakes", tls_handshakes},
          {"tls_handshakes_per_s", per_second(tls_handshakes)},
          {"tls_resumed", tls_resumed},
          {"handshake_ms", percentiles_ms(handshake_latency)}};
}

}  // namespace golive::load
