// Request evidence: a request a check sent, rendered as a runnable curl
// command for the failed check's evidence (the "reproduction" field), with
// every secret written as a shell variable ("$GOLIVE_REF_ANON_KEY"), never
// as its value.
//
// Where a secret's variable comes from, in this order:
//  - a value the environment file resolved from ${VAR}: that variable's name
//    (config::Environment::secret_variables), so exporting the same variables
//    the run had makes the command runnable as it stands;
//  - a value the caller names (add()), e.g. a workflow's sensitive capture;
//  - an Authorization credential nobody named: "Bearer $GOLIVE_TOKEN" (a test
//    user's token, or a token golive signed: a working credential either
//    way), any other scheme "$GOLIVE_AUTHORIZATION"; only a probe that sends
//    a token the target must refuse (alg none, a wrong key) keeps it literal
//    (keep_authorization_literal), as that token is what reproduces the check;
//  - a header golive knows to carry credentials whose value the redactor
//    masks: "apikey: $SUPABASE_ANON_KEY", "Cookie: $GOLIVE_COOKIE";
//  - anything else the redactor would mask: "$GOLIVE_REDACTED".
// A Stripe-Signature header is always "$STRIPE_SIGNATURE": the signature is
// bound to a timestamp and the body, so the variables explain how to compute
// a fresh one (the value sent is not written: evidence must not replay it).
//
// The "reproduction_env" object names every variable the command uses and
// what it holds, so a reader knows what to export before running it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "config/environment.hpp"
#include "core/check_result.hpp"
#include "core/redactor.hpp"
#include "http/http_types.hpp"

namespace golive::http {

class ReproductionSecrets {
 public:
  // No environment: only the redactor's masking applies.
  explicit ReproductionSecrets(const core::Redactor& redactor);
  // The environment's ${VAR} secrets, named as in its file.
  ReproductionSecrets(const config::Environment& env, const core::Redactor& redactor);

  // Names one more secret value (ignored when shorter than the redactor's minimum).
  void add(const std::string& value, const std::string& variable, const std::string& holds);

  struct Named {
    std::string value;
    std::string variable;
    std::string holds;  // what the variable holds, for reproduction_env
  };
  const std::vector<Named>& named() const { return named_; }  // longest value first
  // Authorization values nobody named and the redactor does not mask are
  // written as they were sent (for deliberately invalid tokens).
  void keep_authorization_literal(bool keep) { keep_authorization_literal_ = keep; }
  bool keeps_authorization_literal() const { return keep_authorization_literal_; }
  // True when the redactor (this one or the process-wide one) masks part of `text`.
  bool is_secret(const std::string& text) const;
  // `text` as both redactors mask it.
  std::string redact(const std::string& text) const;

 private:
  const core::Redactor& redactor_;
  std::vector<Named> named_;
  bool keep_authorization_literal_ = false;
};

struct Reproduction {
  std::string command;         // one line per argument, joined by " \\\n  "
  nlohmann::json variables = nlohmann::json::object();  // VAR -> what it holds
};

// The curl command that sends `request` again: -sS -i, the method, the URL,
// every header, the body (--data-binary; a binary body is left out and said so).
Reproduction render_curl(const HttpRequest& request, const ReproductionSecrets& secrets);

// Adds "reproduction" (the command) and "reproduction_env" (its variables) to
// `evidence` (an object).
void add_reproduction(nlohmann::json& evidence, const HttpRequest& request,
                      const ReproductionSecrets& secrets);

// What add_reproduction adds, as an object of its own: {"reproduction",
// "reproduction_env"}, kept by a check until it knows its verdict.
nlohmann::json reproduction_of(const HttpRequest& request, const ReproductionSecrets& secrets);

// Merges a reproduction_of() into the evidence of a failed check (fail or
// error); a pass or a skip carries none, and a null `reproduction` adds nothing.
// The one way every check family attaches the request that shows its failure.
void attach_reproduction(core::CheckResult& result, const nlohmann::json& reproduction);

// A word for a POSIX shell: single-quoted; exposed for tests.
std::string shell_quote(const std::string& text);

}  // namespace golive::http
