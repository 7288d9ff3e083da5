// Cost of Stripe-Signature signing and verification for a 2 KB webhook body:
// what golive pays per replayed event, and what a target pays per delivery.
#include <benchmark/benchmark.h>

#include <string>

#include "target/stripe_signature.hpp"

namespace {

constexpr std::int64_t kSignedAt = 1'750'000'000;  // unix seconds
constexpr const char* kSecret = "whsec_golive_bench_0123456789abcdef";
constexpr std::size_t kPayloadBytes = 2048;

std::string payload_2kb() {
  std::string payload = R"({"id":"evt_bench","object":"event","data":{"blob":")";
  while (payload.size() < kPayloadBytes - 3) payload += 'x';
  payload += "\"}}";
  return payload;
}

void BM_StripeSignHeader(benchmark::State& state) {
  const std::string payload = payload_2kb();
  const std::vector<std::string> secrets = {kSecret};
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        golive::target::stripe_signature_header(payload, kSignedAt, secrets));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload.size()));
}
BENCHMARK(BM_StripeSignHeader);

void BM_StripeVerifyHeader(benchmark::State& state) {
  const std::string payload = payload_2kb();
  const std::string header =
      golive::target::stripe_signature_header(payload, kSignedAt, {kSecret});
  golive::target::StripeVerifyOptions options;
  options.now_unix = kSignedAt;
  for (auto _ : state) {
    const auto result =
        golive::target::verify_stripe_signature(payload, header, kSecret, options);
    if (!result.ok) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload.size()));
}
BENCHMARK(BM_StripeVerifyHeader);

}  // namespace

BENCHMARK_MAIN();
