#include "import/value_mapping.hpp"

#include <algorithm>
#include <regex>

#include "core/ascii_case.hpp"
#include "target/jwt.hpp"
#include "target/secret_scanner.hpp"

namespace golive::imports {

void ValueMapping::add(const std::string& literal, const std::string& replacement) {
  if (literal.size() < 4 || replacements_.count(literal)) return;
  replacements_[literal] = replacement;
  longest_first_.push_back(literal);
  std::stable_sort(longest_first_.begin(), longest_first_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string ValueMapping::rewrite(const std::string& text) const {
  // One left-to-right pass: at each position the longest literal that starts
  // there wins, and replaced text is never scanned again.
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::string* hit = nullptr;
    for (const auto& literal : longest_first_) {
      if (text.compare(at, literal.size(), literal) == 0) {
        hit = &literal;
        break;
      }
    }
    if (hit) {
      out += replacements_.at(*hit);
      at += hit->size();
    } else {
      out += text[at++];
    }
  }
  return out;
}

bool names_a_credential(const std::string& name) {
  const std::string lower = core::ascii_lower(name);
  if (lower == "authorization" || lower == "proxy-authorization" || lower == "apikey") return true;
  for (const char* marker : {"token", "password", "secret", "api-key", "api_key", "apikey"}) {
    if (lower.find(marker) != std::string::npos) return true;
  }
  return false;
}

namespace {

std::string fresh_variable(const std::string& base, std::map<std::string, std::string>& taken) {
  std::string name = base;
  for (int n = 2; taken.count(name); ++n) name = base + "_" + std::to_string(n);
  taken[name] = "";
  return name;
}

}  // namespace

std::vector<CredentialFinding> recognise_credentials(const std::string& text, ValueMapping& mapping,
                                                     std::map<std::string, std::string>& variables_taken) {
  std::vector<CredentialFinding> findings;
  static const std::regex kJwt("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  for (std::sregex_iterator it(text.begin(), text.end(), kJwt), end; it != end; ++it) {
    const std::string token = it->str();
    if (mapping.contains(token)) continue;
    auto parts = target::jwt_decode_unverified(token);
    if (!parts) continue;
    std::string role = parts->payload.value("role", "");
    CredentialFinding finding;
    finding.what = "a JWT" + (role.empty() ? std::string() : " with role " + role);
    if (role == "anon") {
      finding.replacement = "{{env.anon_key}}";
    } else if (role == "service_role") {
      finding.replacement = "{{env.service_role_key}}";
    } else {
      finding.variable = fresh_variable("recorded_token", variables_taken);
      finding.replacement = "{{" + finding.variable + "}}";
      finding.what += " that no recorded response returned";
    }
    mapping.add(token, finding.replacement);
    findings.push_back(finding);
  }
  target::SecretRules rules;
  rules.webhook_secrets = true;
  for (const auto& secret : target::scan_for_secrets(text, rules)) {
    if (mapping.contains(secret.secret)) continue;
    CredentialFinding finding;
    finding.what = target::describe(secret.kind);
    if (secret.kind == target::SecretKind::kStripeWebhookSecret) {
      finding.replacement = "{{env.stripe.webhook_secret}}";
    } else if (secret.kind == target::SecretKind::kServiceRoleJwt) {
      finding.replacement = "{{env.service_role_key}}";
    } else {
      finding.variable = fresh_variable("recorded_secret", variables_taken);
      finding.replacement = "{{" + finding.variable + "}}";
    }
    mapping.add(secret.secret, finding.replacement);
    findings.push_back(finding);
  }
  return findings;
}

}  // namespace golive::imports
