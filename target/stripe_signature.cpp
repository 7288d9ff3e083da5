// Stripe-Signature signing and verification. Parsing follows the official
// libraries item for item: split on ",", split each item at its first "=",
// keys compared exactly (no trimming, so " v1=" is not a v1), unknown keys
// ignored, the last "t=" wins.
#include "target/stripe_signature.hpp"

#include <charconv>
#include <chrono>

#include "target/crypto.hpp"

namespace golive::target {
namespace {

// Longest accepted "t=" value: 18 digits always fits in int64_t.
constexpr std::size_t kMaxTimestampDigits = 18;

std::int64_t system_now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Strict decimal: digits only, no sign, no spaces (stripe-node treats a
// negative timestamp as missing; other libraries reject non-integers).
std::optional<std::int64_t> parse_unix_seconds(std::string_view text) {
  if (text.empty() || text.size() > kMaxTimestampDigits) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

StripeVerifyResult failure(StripeVerifyError error, std::int64_t timestamp = 0) {
  return StripeVerifyResult{false, error, timestamp};
}

}  // namespace

std::string stripe_signature_v1(std::string_view payload, std::string_view secret,
                                std::int64_t timestamp) {
  const std::string prefix = std::to_string(timestamp);
  std::string signed_payload;
  signed_payload.reserve(prefix.size() + 1 + payload.size());
  signed_payload += prefix;
  signed_payload += '.';
  signed_payload += payload;
  return core::to_hex(target::hmac_sha256(secret, signed_payload));
}

std::string stripe_signature_header(std::string_view payload, std::int64_t timestamp,
                                    const std::vector<std::string>& secrets) {
  std::string header = "t=" + std::to_string(timestamp);
  for (const std::string& secret : secrets) {
    header += ",v1=";
    header += stripe_signature_v1(payload, secret, timestamp);
  }
  return header;
}

std::optional<ParsedStripeSignature> parse_stripe_signature(std::string_view header) {
  ParsedStripeSignature parsed;
  std::optional<std::string_view> timestamp_text;
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view item = header.substr(start, end - start);
    start = end + 1;

    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) continue;  // not a k=v item: ignored
    const std::string_view key = item.substr(0, equals);
    // Like stripe-node's item.split("=")[1]: the value stops at a second "=".
    std::string_view value = item.substr(equals + 1);
    value = value.substr(0, value.find('='));
    if (key == "t") {
      timestamp_text = value;
    } else if (key == "v1") {
      parsed.v1.emplace_back(value);
    } else if (key == "v0") {
      parsed.v0.emplace_back(value);
    }
  }
  if (!timestamp_text) return std::nullopt;
  const auto timestamp = parse_unix_seconds(*timestamp_text);
  if (!timestamp) return std::nullopt;
  parsed.timestamp = *timestamp;
  return parsed;
}

StripeVerifyResult verify_stripe_signature(std::string_view payload, std::string_view header,
                                           std::string_view secret,
                                           const StripeVerifyOptions& options) {
  if (header.empty()) return failure(StripeVerifyError::kMissingHeader);
  const auto parsed = parse_stripe_signature(header);
  if (!parsed) return failure(StripeVerifyError::kMalformedHeader);
  if (parsed->v1.empty()) return failure(StripeVerifyError::kNoV1Signature, parsed->timestamp);

  // Compare against every v1 without stopping early, so the time taken does
  // not reveal which (if any) of several signatures matched.
  const std::string expected = stripe_signature_v1(payload, secret, parsed->timestamp);
  bool matched = false;
  for (const std::string& candidate : parsed->v1) {
    matched |= target::constant_time_equals(expected, candidate);
  }
  if (!matched) return failure(StripeVerifyError::kSignatureMismatch, parsed->timestamp);

  if (options.check_tolerance) {
    const std::int64_t now = options.now_unix != 0 ? options.now_unix : system_now_unix();
    const std::int64_t age_s = now - parsed->timestamp;  // negative = signed in the future
    const bool stale = age_s > options.tolerance_s;
    const bool future = options.reject_future_timestamps && -age_s > options.tolerance_s;
    if (stale || future) {
      return failure(StripeVerifyError::kTimestampOutsideTolerance, parsed->timestamp);
    }
  }
  return StripeVerifyResult{true, std::nullopt, parsed->timestamp};
}

const char* to_string(StripeVerifyError error) {
  switch (error) {
    case StripeVerifyError::kMissingHeader:
      return "missing_header";
    case StripeVerifyError::kMalformedHeader:
      return "malformed_header";
    case StripeVerifyError::kNoV1Signature:
      return "no_v1_signature";
    case StripeVerifyError::kSignatureMismatch:
      return "signature_mismatch";
    case StripeVerifyError::kTimestampOutsideTolerance:
      return "timestamp_outside_tolerance";
  }
  return "unknown";
}

}  // namespace golive::target
