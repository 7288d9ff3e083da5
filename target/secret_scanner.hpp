// SecretScanner: finds credentials that must never reach a repository or a
// browser in a buffer of text (a source file, a served page, a frontend
// bundle). Pure: no files, no network; secret_sources.hpp feeds it.
//
// What counts as a secret (and what deliberately does not):
//   stripe_live_key   "sk_live_" or "rk_live_" followed by >= 16 key characters
//                     (a live secret or restricted key). Publishable keys
//                     (pk_live_, pk_test_) and test keys (sk_test_) are not flagged.
//   service_role_jwt  a compact JWT ("eyJ…" three base64url segments) whose
//                     decoded payload has "role": "service_role" (a Supabase
//                     service key: it bypasses RLS). anon and user tokens are not flagged.
//   private_key_pem   a PEM "-----BEGIN [RSA |EC |DSA |OPENSSH |ENCRYPTED ]PRIVATE KEY-----"
//                     header followed by key material (>= 32 base64 characters),
//                     so prose that merely names the header is not flagged.
//   stripe_webhook_secret  "whsec_" followed by >= 24 base64 characters; only
//                     when SecretRules::webhook_secrets is set (the repository
//                     history scan), since a served page never carries one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace golive::target {

enum class SecretKind { kStripeLiveKey, kServiceRoleJwt, kPrivateKeyPem, kStripeWebhookSecret };

// Which optional rules a scan applies on top of the three above.
struct SecretRules {
  bool webhook_secrets = false;  // whsec_ signing secrets
};

// Stable snake_case names used in check ids: "stripe_live_key", ...
const char* to_string(SecretKind kind);
// What a reader of the report is told, e.g. "a live Stripe secret key".
const char* describe(SecretKind kind);

struct SecretFinding {
  SecretKind kind;
  std::size_t offset = 0;  // bytes from the start of the scanned text
  std::size_t length = 0;  // bytes of the secret (the whole PEM block when its END line is found)
  std::string redacted;    // safe to print: a short prefix and "…", e.g. "sk_live_…"
  // The secret itself, so the caller can register it with the redactor.
  // Never write it anywhere.
  std::string secret;
};

// Every secret in `text`, in order of offset. Overlapping matches are not
// reported twice (a scan resumes after each finding).
std::vector<SecretFinding> scan_for_secrets(std::string_view text, SecretRules rules = {});

// The printable form of a secret of `kind`: its non-secret prefix and "…"
// ("sk_live_…", "rk_live_…", "eyJ…", "-----BEGIN RSA PRIVATE KEY-----…").
std::string redact_secret(SecretKind kind, std::string_view secret);

}  // namespace golive::target
