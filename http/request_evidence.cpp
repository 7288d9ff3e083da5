#include "http/request_evidence.hpp"

#include <algorithm>

#include "core/ascii_case.hpp"

namespace golive::http {

namespace {

// The largest body written into a reproduction; a larger one is left out.
constexpr std::size_t kMaxBodyBytes = 64 * 1024;

// A shell word as literal text and variables.
struct Piece {
  bool variable = false;
  std::string text;  // the literal, or the variable's name
};
using Word = std::vector<Piece>;

const char* const kRedactedVariable = "GOLIVE_REDACTED";

class WordBuilder {
 public:
  WordBuilder(const ReproductionSecrets& secrets, nlohmann::json& variables)
      : secrets_(secrets), variables_(variables) {}

  void variable(const std::string& name, const std::string& holds) {
    word_.push_back({true, name});
    if (!variables_.contains(name)) variables_[name] = holds;
  }

  void literal(const std::string& text) {
    if (!text.empty()) word_.push_back({false, text});
  }

  // `text` with named secrets as their variables and anything else the
  // redactor masks as $GOLIVE_REDACTED.
  void text(const std::string& text) {
    std::size_t start = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
      const ReproductionSecrets::Named* hit = nullptr;
      for (const auto& named : secrets_.named()) {
        if (text.compare(pos, named.value.size(), named.value) == 0) {
          hit = &named;
          break;
        }
      }
      if (!hit) {
        ++pos;
        continue;
      }
      unnamed(text.substr(start, pos - start));
      variable(hit->variable, hit->holds);
      pos += hit->value.size();
      start = pos;
    }
    unnamed(text.substr(start));
  }

  Word take() { return std::move(word_); }

 private:
  void unnamed(const std::string& text) {
    if (!secrets_.is_secret(text) && text.find(core::Redactor::kMask) == std::string::npos) {
      literal(text);
      return;
    }
    // Masking "[REDACTED]" too: a value the caller already masked is a
    // secret as well.
    const std::string redacted = secrets_.redact(text);
    const std::string mask = core::Redactor::kMask;
    std::size_t start = 0;
    for (auto at = redacted.find(mask); at != std::string::npos; at = redacted.find(mask, start)) {
      literal(redacted.substr(start, at - start));
      variable(kRedactedVariable,
               "a secret value golive masked (a test user's token or password, a captured "
               "session value): set it by hand");
      start = at + mask.size();
    }
    literal(redacted.substr(start));
  }

  const ReproductionSecrets& secrets_;
  nlohmann::json& variables_;
  Word word_;
};

bool is_binary(const std::string& body) {
  return std::any_of(body.begin(), body.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\n' && c != '\r' && c != '\t') || byte == 0x7f;
  });
}

std::string render_word(const Word& word) {
  const bool has_variable =
      std::any_of(word.begin(), word.end(), [](const Piece& p) { return p.variable; });
  if (!has_variable) {
    std::string all;
    for (const auto& piece : word) all += piece.text;
    return shell_quote(all);
  }
  std::string out = "\"";
  for (const auto& piece : word) {
    if (piece.variable) {
      out += "${" + piece.text + "}";
      continue;
    }
    for (char c : piece.text) {
      if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
      out += c;
    }
  }
  return out + "\"";
}

std::string trim_left(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  return first == std::string::npos ? "" : text.substr(first);
}

}  // namespace

ReproductionSecrets::ReproductionSecrets(const core::Redactor& redactor) : redactor_(redactor) {}

ReproductionSecrets::ReproductionSecrets(const config::Environment& env,
                                         const core::Redactor& redactor)
    : redactor_(redactor) {
  for (const auto& [value, variable] : env.secret_variables) {
    add(value, variable, "the value of ${" + variable + "} in " + env.source_file);
  }
}

void ReproductionSecrets::add(const std::string& value, const std::string& variable,
                              const std::string& holds) {
  if (value.size() < core::Redactor::kMinimumSecretLength) return;
  for (const auto& named : named_) {
    if (named.value == value) return;
  }
  named_.push_back({value, variable, holds});
  std::stable_sort(named_.begin(), named_.end(), [](const Named& a, const Named& b) {
    return a.value.size() > b.value.size();
  });
}

bool ReproductionSecrets::is_secret(const std::string& text) const {
  return redact(text) != text;
}

std::string ReproductionSecrets::redact(const std::string& text) const {
  return core::Redactor::global().redact(redactor_.redact(text));
}

Reproduction render_curl(const HttpRequest& request, const ReproductionSecrets& secrets) {
  Reproduction out;
  std::vector<std::string> words;
  WordBuilder builder(secrets, out.variables);

  const bool head = core::equals_ignoring_case(request.method, "head");
  std::string first = head ? "curl -sS -I" : "curl -sS -i";
  if (!head && !(request.method == "GET" && request.body.empty())) {
    first += " -X " + shell_quote(request.method);
  }
  builder.text(request.url);
  first += " " + render_word(builder.take());
  words.push_back(first);

  for (const auto& [name, value] : request.headers) {
    if (core::equals_ignoring_case(name, "content-length")) continue;  // curl computes it
    builder.literal(name + ": ");
    const std::string lower = core::ascii_lower(name);
    if (lower == "stripe-signature") {
      builder.variable("STRIPE_SIGNATURE",
                       "a Stripe-Signature header: t=<unix time>,v1=<hex HMAC-SHA256 of "
                       "\"<t>.<body>\" keyed with the webhook secret>. A fresh valid one: "
                       "t=$(date +%s); STRIPE_SIGNATURE=\"t=$t,v1=$(printf '%s.%s' \"$t\" "
                       "\"$BODY\" | openssl dgst -sha256 -hmac \"$STRIPE_WEBHOOK_SECRET\" -r | "
                       "cut -d' ' -f1)\", with BODY the --data-binary argument. The "
                       "signature the check sent is not written here (see the evidence's "
                       "signature fingerprint)");
    } else if (lower == "authorization" && secrets.keeps_authorization_literal() &&
               !secrets.is_secret(value)) {
      builder.text(value);
    } else if (lower == "authorization") {
      const auto space = value.find(' ');
      const std::string scheme = space == std::string::npos ? "" : value.substr(0, space);
      const std::string credential = space == std::string::npos ? value : trim_left(value.substr(space));
      const bool named = std::any_of(secrets.named().begin(), secrets.named().end(),
                                     [&](const auto& n) { return n.value == credential; });
      if (!scheme.empty()) builder.literal(scheme + " ");
      if (named) {
        builder.text(credential);
      } else if (!core::equals_ignoring_case(scheme, "bearer")) {
        builder.variable("GOLIVE_AUTHORIZATION",
                         "the credential of the Authorization header the check sent (after the "
                         "scheme)");
      } else {
        builder.variable("GOLIVE_TOKEN",
                         "the bearer token of the user the check acted as (an access token of a "
                         "test user: sign one in and export its token)");
      }
    } else if ((lower == "apikey" || lower == "x-api-key") && secrets.is_secret(value)) {
      const bool named = std::any_of(secrets.named().begin(), secrets.named().end(),
                                     [&](const auto& n) { return n.value == value; });
      if (named) {
        builder.text(value);
      } else {
        builder.variable("SUPABASE_ANON_KEY", "the project's anon (publishable) API key");
      }
    } else if (lower == "cookie" && secrets.is_secret(value)) {
      builder.variable("GOLIVE_COOKIE", "the session cookies the check sent (name=value; ...)");
    } else {
      builder.text(value);
    }
    words.push_back("-H " + render_word(builder.take()));
  }

  if (!request.body.empty()) {
    if (is_binary(request.body) || request.body.size() > kMaxBodyBytes) {
      words.push_back("--data-binary @request-body.bin");
      out.variables["request-body.bin"] =
          "the " + std::to_string(request.body.size()) +
          "-byte request body is not reproduced here (binary or too long); save it as this file";
    } else {
      builder.text(request.body);
      words.push_back("--data-binary " + render_word(builder.take()));
    }
  }

  for (std::size_t i = 0; i < words.size(); ++i) {
    out.command += (i == 0 ? "" : " \\\n  ") + words[i];
  }
  return out;
}

void add_reproduction(nlohmann::json& evidence, const HttpRequest& request,
                      const ReproductionSecrets& secrets) {
  Reproduction reproduction = render_curl(request, secrets);
  evidence["reproduction"] = std::move(reproduction.command);
  if (!reproduction.variables.empty()) {
    evidence["reproduction_env"] = std::move(reproduction.variables);
  }
}

nlohmann::json reproduction_of(const HttpRequest& request, const ReproductionSecrets& secrets) {
  nlohmann::json out = nlohmann::json::object();
  add_reproduction(out, request, secrets);
  return out;
}

void attach_reproduction(core::CheckResult& result, const nlohmann::json& reproduction) {
  if (!result.failed() || !reproduction.is_object()) return;
  if (result.evidence.is_null()) result.evidence = nlohmann::json::object();
  if (result.evidence.is_object()) result.evidence.update(reproduction);
}

std::string shell_quote(const std::string& text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
               c == '/' || c == ':' || c == '=' || c == ',' || c == '@' || c == '%' || c == '+';
      })) {
    return text;
  }
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace golive::http
