// libFuzzer target: the Stripe-Signature header parser and verifier
// (target/stripe_signature). Input is "HEADER\nPAYLOAD": the header is
// parsed and verified against the payload with a fixed secret and clock, and a
// header golive signs itself for that payload must always verify.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "target/stripe_signature.hpp"
#include "fuzz/fuzz_input.hpp"

using namespace golive::contract;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = golive::fuzz::as_text(data, size);
  const std::size_t newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view payload =
      newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  const std::string secret = "whsec_fuzz_secret";
  const std::int64_t now = 1'796'300'000;

  auto parsed = parse_stripe_signature(header);
  StripeVerifyOptions options;
  options.now_unix = now;
  StripeVerifyResult result = verify_stripe_signature(payload, header, secret, options);
  if (result.ok == result.error.has_value()) std::abort();  // error set exactly when !ok
  if (result.ok && !parsed) std::abort();
  (void)(result.error ? to_string(*result.error) : "");
  options.reject_future_timestamps = false;
  options.check_tolerance = false;
  (void)verify_stripe_signature(payload, header, secret, options);

  // What golive signs, it verifies.
  const std::int64_t timestamp = parsed ? parsed->timestamp : now;
  std::string signed_header = stripe_signature_header(payload, timestamp, {secret, "whsec_old"});
  StripeVerifyResult own = verify_stripe_signature(payload, signed_header, secret, options);
  if (!own.ok || own.timestamp != timestamp) std::abort();
  return 0;
}
