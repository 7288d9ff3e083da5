#include "target/secret_scanner.hpp"

#include <algorithm>
#include <array>

#include "target/jwt.hpp"

namespace golive::target {

namespace {

constexpr std::size_t kMinStripeKeyChars =
    16;                                       // characters after "sk_live_"; real keys have 24..99+
constexpr std::size_t kMinPemBodyChars = 32;  // base64 characters that prove key material follows
constexpr std::size_t kPemEndWindow =
    std::size_t{64} * 1024;  // bytes after the header searched for the END line
constexpr std::size_t kMaxJwtBytes = std::size_t{8} * 1024;  // longer runs are not tokens we decode

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_base64url(char c) {
  return is_alnum(c) || c == '-' || c == '_';
}
bool is_base64(char c) {
  return is_alnum(c) || c == '+' || c == '/' || c == '=';
}

// True when text[pos] starts a token: the byte before it cannot be part of one.
bool at_word_start(std::string_view text, std::size_t pos) {
  return pos == 0 || !is_base64url(text[pos - 1]);
}

SecretFinding make_finding(SecretKind kind, std::string_view text, std::size_t offset,
                           std::size_t length) {
  SecretFinding finding{kind, offset, length, "", std::string(text.substr(offset, length))};
  finding.redacted = redact_secret(kind, finding.secret);
  return finding;
}

// "sk_live_…" / "rk_live_…" at `pos`: the finding's length, or 0.
std::size_t stripe_key_length(std::string_view text, std::size_t pos) {
  constexpr std::size_t kPrefix = 8;  // "sk_live_"
  std::size_t end = pos + kPrefix;
  while (end < text.size() && is_alnum(text[end])) ++end;
  return end - pos - kPrefix >= kMinStripeKeyChars ? end - pos : 0;
}

// A compact JWT starting at `pos` ("eyJ"): its length when it is one whose
// payload claims role service_role, else 0. `*consumed` is set to the
// length of the base64url/dot run, so the scan can skip it either way.
std::size_t service_role_jwt_length(std::string_view text, std::size_t pos, std::size_t* consumed) {
  std::size_t end = pos;
  int dots = 0;
  while (end < text.size() && end - pos < kMaxJwtBytes &&
         (is_base64url(text[end]) || (text[end] == '.' && dots < 2))) {
    if (text[end] == '.') ++dots;
    ++end;
  }
  *consumed = end - pos;
  if (dots != 2) return 0;
  const auto parts = target::jwt_decode_unverified(text.substr(pos, end - pos));
  if (!parts) return 0;
  const auto role = parts->payload.find("role");
  if (role == parts->payload.end() || !role->is_string() || *role != "service_role") return 0;
  return end - pos;
}

// The PEM private-key header at `pos` ("-----BEGIN "): its total length
// (through the END line when present) or 0 when this is no private key.
std::size_t pem_private_key_length(std::string_view text, std::size_t pos) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kTail = "PRIVATE KEY-----";
  static constexpr std::array<std::string_view, 6> kTypes = {"",     "RSA ",     "EC ",
                                                             "DSA ", "OPENSSH ", "ENCRYPTED "};
  std::size_t header_end = 0;
  for (const std::string_view type : kTypes) {
    const std::size_t type_at = pos + kBegin.size();
    if (text.substr(type_at, type.size()) == type &&
        text.substr(type_at + type.size(), kTail.size()) == kTail) {
      header_end = type_at + type.size() + kTail.size();
      break;
    }
  }
  if (header_end == 0) return 0;
  // Key material must follow the header directly (after line breaks, real
  // or escaped as "\n" inside a JS or JSON string): a long base64 run, or
  // the Proc-Type line of a legacy encrypted key.
  std::size_t body = header_end;
  while (body < text.size()) {
    if (text[body] == ' ' || text[body] == '\t' || text[body] == '\r' || text[body] == '\n') {
      ++body;
    } else if (text[body] == '\\' && body + 1 < text.size() &&
               (text[body + 1] == 'n' || text[body + 1] == 'r')) {
      body += 2;
    } else {
      break;
    }
  }
  std::size_t run = 0;
  while (body + run < text.size() && run < kMinPemBodyChars && is_base64(text[body + run])) ++run;
  if (run < kMinPemBodyChars && text.substr(body, 10) != "Proc-Type:") return 0;
  const std::string_view after = text.substr(header_end, kPemEndWindow);
  const std::size_t end_line = after.find("-----END ");
  if (end_line != std::string_view::npos) {
    const std::size_t tail = after.find(kTail, end_line);
    if (tail != std::string_view::npos && tail - end_line < 32) {
      return header_end - pos + tail + kTail.size();
    }
  }
  return header_end - pos;
}

}  // namespace

const char* to_string(SecretKind kind) {
  switch (kind) {
    case SecretKind::kStripeLiveKey:
      return "stripe_live_key";
    case SecretKind::kServiceRoleJwt:
      return "service_role_jwt";
    case SecretKind::kPrivateKeyPem:
      return "private_key_pem";
    case SecretKind::kStripeWebhookSecret:
      return "stripe_webhook_secret";
  }
  return "unknown";
}

const char* describe(SecretKind kind) {
  switch (kind) {
    case SecretKind::kStripeLiveKey:
      return "a live Stripe secret key";
    case SecretKind::kServiceRoleJwt:
      return "a service_role JWT (it bypasses row-level security)";
    case SecretKind::kPrivateKeyPem:
      return "a PEM private key";
    case SecretKind::kStripeWebhookSecret:
      return "a Stripe webhook signing secret";
  }
  return "a secret";
}

std::string redact_secret(SecretKind kind, std::string_view secret) {
  std::size_t keep = 0;
  switch (kind) {
    case SecretKind::kStripeLiveKey:
      keep = 8;  // "sk_live_"
      break;
    case SecretKind::kServiceRoleJwt:
      keep = 3;  // "eyJ": every JWT starts so
      break;
    case SecretKind::kStripeWebhookSecret:
      keep = 6;  // "whsec_"
      break;
    case SecretKind::kPrivateKeyPem: {
      const std::size_t header = secret.find("KEY-----");
      keep = header == std::string_view::npos ? 0 : header + 8;
      break;
    }
  }
  return std::string(secret.substr(0, std::min(keep, secret.size()))) + "\u2026";
}

std::vector<SecretFinding> scan_for_secrets(std::string_view text, SecretRules rules) {
  std::vector<SecretFinding> findings;
  if (rules.webhook_secrets) {
    // whsec_ secrets never overlap the other kinds' markers: a separate pass.
    for (std::size_t at = text.find("whsec_"); at != std::string_view::npos; at = text.find("whsec_", at + 6)) {
      if (!at_word_start(text, at)) continue;
      std::size_t run = 0;
      while (at + 6 + run < text.size() && (is_base64(text[at + 6 + run]))) ++run;
      if (run >= 24) findings.push_back(make_finding(SecretKind::kStripeWebhookSecret, text, at, 6 + run));
    }
  }
  std::size_t pos = 0;
  while (pos < text.size()) {
    // The next candidate of any kind; each kind starts with a fixed marker.
    // "k_live_" is searched one byte on, so its "s"/"r" lies at or after pos.
    const std::size_t sk = text.find("k_live_", pos + 1);  // "sk_live_" or "rk_live_"
    const std::size_t jwt = text.find("eyJ", pos);
    const std::size_t pem = text.find("-----BEGIN ", pos);
    const std::size_t sk_start = sk == std::string_view::npos ? sk : sk - 1;
    const std::size_t next = std::min({sk_start, jwt, pem});
    if (next == std::string_view::npos) break;
    std::size_t advance = 1;
    if (next == sk_start) {
      const char first = text[sk_start];
      if ((first == 's' || first == 'r') && at_word_start(text, sk_start)) {
        if (const std::size_t length = stripe_key_length(text, sk_start)) {
          findings.push_back(make_finding(SecretKind::kStripeLiveKey, text, sk_start, length));
          advance = length;
        }
      }
    } else if (next == jwt) {
      if (at_word_start(text, jwt)) {
        std::size_t consumed = 0;
        if (const std::size_t length = service_role_jwt_length(text, jwt, &consumed)) {
          findings.push_back(make_finding(SecretKind::kServiceRoleJwt, text, jwt, length));
        }
        advance = std::max<std::size_t>(1, consumed);
      }
    } else if (const std::size_t length = pem_private_key_length(text, pem)) {
      findings.push_back(make_finding(SecretKind::kPrivateKeyPem, text, pem, length));
      advance = length;
    }
    pos = next + advance;
  }
  std::sort(findings.begin(), findings.end(),
            [](const SecretFinding& a, const SecretFinding& b) { return a.offset < b.offset; });
  return findings;
}

}  // namespace golive::target
