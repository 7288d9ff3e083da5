// ValueMapping: the literal values an importer must not write into a workflow
// and the template each becomes. Three kinds, applied in this order:
//   - the environment's secrets, exactly ("{{env.anon_key}}", ...);
//   - values a recorded response returned and a later request sends back
//     (correlation: a capture plus "{{var}}"), see correlation.hpp;
//   - credentials the secret rules recognise in what is left: JWTs by their
//     role claim (anon -> {{env.anon_key}}, service_role -> {{env.service_role_key}}),
//     target::scan_for_secrets findings (whsec_ -> {{env.stripe.webhook_secret}}),
//     and any other credential becomes a variable with an empty value that the
//     environment file sets (e2e.variables), never the literal.
// Rewriting replaces every occurrence, longest literal first.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace golive::imports {

class ValueMapping {
 public:
  // `literal` -> `replacement` ("{{token}}"); literals shorter than 4
  // characters are refused (they would shred unrelated text).
  void add(const std::string& literal, const std::string& replacement);
  bool contains(const std::string& literal) const { return replacements_.count(literal) != 0; }
  std::string rewrite(const std::string& text) const;

 private:
  std::map<std::string, std::string> replacements_;
  std::vector<std::string> longest_first_;
};

// What recognise_credentials found and chose, for the import summary.
struct CredentialFinding {
  std::string what;         // "a JWT with role anon", "a live Stripe secret key"
  std::string replacement;  // "{{env.anon_key}}" or "{{recorded_secret}}"
  std::string variable;     // non-empty when a variable the environment must set was introduced
};

// Finds credentials by the secret rules in `text` (already rewritten by the
// mapping) and adds each to `mapping`. `variables_taken` holds the names in
// use; new variable names are added to it.
std::vector<CredentialFinding> recognise_credentials(const std::string& text, ValueMapping& mapping,
                                                     std::map<std::string, std::string>& variables_taken);

// True when a header or parameter name says its value is a credential
// ("authorization", "apikey", "x-api-key", "token", "password", "secret").
bool names_a_credential(const std::string& name);

}  // namespace golive::imports
