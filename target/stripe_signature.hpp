// Stripe webhook signatures: the "Stripe-Signature" header that Stripe sends
// and that every official Stripe library verifies.
//
//   Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...][,v0=<hex>]
//   v1 = hex(HMAC-SHA256(key = the whole "whsec_..." secret string,
//                        message = "<t>.<raw request body>"))
//
// Signing lets golive act as Stripe towards a target; verifying lets it check
// what a target would accept. Verification matches stripe-node's
// Webhooks.verifyHeader: any matching v1 (compared in constant time) passes,
// v0 is never accepted, and a timestamp outside the tolerance rejects (see
// StripeVerifyOptions::reject_future_timestamps for the one divergence).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golive::target {

// Lowercase hex v1 signature of `payload` signed at `timestamp` (unix seconds).
std::string stripe_signature_v1(std::string_view payload, std::string_view secret,
                                std::int64_t timestamp);

// Full header value "t=<timestamp>,v1=<sig>[,v1=<sig>...]", one v1 per secret
// in the given order (Stripe sends several during a secret rotation).
std::string stripe_signature_header(std::string_view payload, std::int64_t timestamp,
                                    const std::vector<std::string>& secrets);

struct ParsedStripeSignature {
  std::int64_t timestamp = 0;   // unix seconds from "t="
  std::vector<std::string> v1;  // every v1 value, in header order
  std::vector<std::string> v0;  // every v0 value (legacy test scheme; never trusted)
};

// Parses "k=v" items separated by ",". Items without "=" and unknown schemes
// are ignored and a value ends at a second "=", as in stripe-node. nullopt when there is no "t="
// item or its value is not a decimal integer.
std::optional<ParsedStripeSignature> parse_stripe_signature(std::string_view header);

enum class StripeVerifyError {
  kMissingHeader,              // header empty
  kMalformedHeader,            // no parsable t=
  kNoV1Signature,              // t= present but no v1 (e.g. only v0)
  kSignatureMismatch,          // no v1 equals the expected signature
  kTimestampOutsideTolerance,  // signature matched but |now - t| > tolerance
};

struct StripeVerifyResult {
  bool ok = false;
  std::optional<StripeVerifyError> error;  // set exactly when !ok
  std::int64_t timestamp = 0;              // unix seconds from the header, when parsed
};

struct StripeVerifyOptions {
  std::int64_t tolerance_s = 300;  // seconds; Stripe's default
  std::int64_t now_unix = 0;       // seconds since the epoch; 0 = the system clock
  bool check_tolerance = true;     // false = skip the replay window check
  // Official libraries disagree on timestamps in the future: stripe-php and
  // stripe-dotnet reject |now - t| > tolerance (the default here), while
  // stripe-node, -python, -go, -ruby and -java reject only stale ones
  // (now - t > tolerance). false = the stripe-node behaviour.
  bool reject_future_timestamps = true;
};

StripeVerifyResult verify_stripe_signature(std::string_view payload, std::string_view header,
                                           std::string_view secret,
                                           const StripeVerifyOptions& options = {});

// Stable snake_case name of an error, for result records.
const char* to_string(StripeVerifyError error);

}  // namespace golive::target
