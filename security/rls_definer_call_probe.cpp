#include "security/rls_definer_call_probe.hpp"

#include <array>
#include <map>
#include <optional>

#include "security/rls_probe_attempt.hpp"
#include "target/postgres.hpp"

namespace golive::security {

namespace {

struct DefinerFunction {
  std::string schema, name, signature;  // signature: regprocedure text
  std::string qualified;                // schema.name, quoted
  bool anon = false;                    // anon may EXECUTE (else authenticated)
  std::vector<std::string> required_types;  // format_type of each argument without a default
  std::vector<std::string> required_names;  // each argument's name, "" when unnamed
  std::string body;                         // prosrc: which tables the function mentions
  std::vector<std::vector<std::string>> enum_labels;  // empty for a non-enum argument
};

std::vector<DefinerFunction> load_functions(pqxx::work& txn, const std::vector<std::string>& schemas) {
  std::vector<DefinerFunction> functions;
  auto roles = txn.exec("SELECT count(*) FROM pg_roles WHERE rolname IN ('anon', 'authenticated')");
  if (roles[0][0].as<long>() < 2) return functions;  // not a Supabase-style database
  std::string schema_array = "ARRAY[";
  for (std::size_t i = 0; i < schemas.size(); ++i) schema_array += (i ? "," : "") + txn.quote(schemas[i]);
  schema_array += "]::text[]";
  // One row per (function, required argument position); a function without
  // required arguments has one row with a NULL position.
  auto rows = txn.exec(
      "SELECT n.nspname, f.proname, f.oid::regprocedure::text, has_function_privilege('anon', f.oid, 'EXECUTE'), "
      "a.pos, format_type(a.typ, NULL), ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = a.typ "
      "ORDER BY e.enumsortorder LIMIT 8), COALESCE(f.proargnames[a.pos], ''), f.prosrc "
      "FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace "
      "LEFT JOIN LATERAL unnest(f.proargtypes::oid[]) WITH ORDINALITY AS a(typ, pos) "
      "ON a.pos <= f.pronargs - f.pronargdefaults "
      "WHERE f.prosecdef AND f.prokind = 'f' AND f.prorettype <> 'trigger'::regtype AND n.nspname = ANY(" +
      schema_array +
      ") AND (has_function_privilege('anon', f.oid, 'EXECUTE') OR "
      "has_function_privilege('authenticated', f.oid, 'EXECUTE')) "
      "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = f.oid AND d.deptype = 'e') "
      "ORDER BY 1, 2, 3, 5");
  for (const auto& row : rows) {
    std::string signature = row[2].as<std::string>();
    if (functions.empty() || functions.back().signature != signature) {
      DefinerFunction function;
      function.schema = row[0].as<std::string>();
      function.name = row[1].as<std::string>();
      function.signature = signature;
      function.qualified = target::quote_ident(function.schema) + "." + target::quote_ident(function.name);
      function.anon = row[3].as<bool>();
      function.body = row[8].as<std::string>();
      functions.push_back(std::move(function));
    }
    if (row[4].is_null()) continue;
    functions.back().required_types.push_back(row[5].as<std::string>());
    functions.back().required_names.push_back(row[7].as<std::string>());
    std::vector<std::string> labels;
    auto array = row[6].as_array();
    for (auto item = array.get_next(); item.first != pqxx::array_parser::juncture::done; item = array.get_next()) {
      if (item.first == pqxx::array_parser::juncture::string_value) labels.push_back(item.second);
    }
    functions.back().enum_labels.push_back(labels);
  }
  return functions;
}

// Rows inserted, updated and deleted per table so far in this transaction.
std::map<std::string, std::array<long long, 3>> xact_changes(pqxx::subtransaction& sub) {
  std::map<std::string, std::array<long long, 3>> changes;
  for (const auto& row : sub.exec("SELECT schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del "
                                  "FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0")) {
    changes[row[0].as<std::string>()] = {row[1].as<long long>(), row[2].as<long long>(), row[3].as<long long>()};
  }
  return changes;
}

// Existing values of the text keys that tables the function mentions
// reference through single-column foreign keys (`tier` -> admin_overrides.tier_id
// -> subscription_tiers.id), the key whose column is named like the argument
// first: a made-up string fails the foreign key, and the call proves nothing.
std::vector<std::string> referenced_text_keys(pqxx::work& txn, const std::string& body,
                                              const std::string& argument_name) {
  std::vector<std::string> values;
  pqxx::subtransaction sub(txn, "golive_definer_keys");
  auto keys = sub.exec(
      "SELECT DISTINCT pn.nspname, p.relname, pa.attname, (a.attname = " + sub.quote(argument_name) +
      " OR a.attname LIKE " + sub.quote(argument_name + "\\_%") + ") AS named FROM pg_constraint k "
      "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
      "JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace "
      "JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1] "
      "WHERE k.contype = 'f' AND array_length(k.conkey, 1) = 1 AND a.atttypid IN ('text'::regtype, "
      "'varchar'::regtype) AND " + sub.quote(body) + " ~* ('\\m' || c.relname || '\\M') "
      "ORDER BY 4 DESC, 1, 2, 3 LIMIT 2");
  for (const auto& key : keys) {
    auto value = sub.exec("SELECT " + sub.quote_name(key[2].as<std::string>()) + "::text FROM " +
                          sub.quote_name(key[0].as<std::string>()) + "." + sub.quote_name(key[1].as<std::string>()) +
                          " WHERE " + sub.quote_name(key[2].as<std::string>()) + " IS NOT NULL ORDER BY 1 LIMIT 1");
    if (!value.empty()) values.push_back(value[0][0].as<std::string>());
  }
  sub.commit();
  return values;
}

// The candidate SQL literals of one argument (several for an enum, a uuid and
// a text that keys a referenced table, so a call that happens to be a no-op or
// fails a constraint for one value is tried with the next), empty when none
// can be derived. The first candidate of a uuid is user B's id: a call acting
// on another user.
std::vector<std::string> argument_candidates(pqxx::work& txn, const DefinerFunction& function, std::size_t position,
                                             const ProbeUsers& users) {
  const std::string& type = function.required_types[position];
  const auto& enum_labels = function.enum_labels[position];
  std::string cast = "::" + type;
  std::vector<std::string> candidates;
  if (!enum_labels.empty()) {
    for (const auto& label : enum_labels) candidates.push_back(txn.quote(label) + cast);
  } else if (type == "uuid") {
    candidates = {txn.quote(users.b) + cast, txn.quote(users.a) + cast};
  } else if (type == "text" || type.rfind("character varying", 0) == 0) {
    for (const auto& key : referenced_text_keys(txn, function.body, function.required_names[position])) {
      candidates.push_back(txn.quote(key) + cast);
    }
    candidates.push_back(txn.quote("golive-probe") + cast);
  } else if (type == "integer" || type == "bigint" || type == "smallint" || type.rfind("numeric", 0) == 0) {
    candidates = {"1" + cast};
  } else if (type == "boolean") {
    candidates = {"true"};
  }
  return candidates;
}

struct CallResult {
  std::string call;
  bool other_user = false;  // user B's id was passed
  bool failed = false;
  std::string sqlstate, error;
  nlohmann::json changed = nlohmann::json::object();
  bool auth_changed = false;
};

// One call as `actor` in a savepoint that is rolled back; what it changed is
// read from this transaction's statistics before the rollback.
CallResult call_once(pqxx::work& txn, const DefinerFunction& function, const Actor& actor,
                     const std::vector<std::string>& arguments, const ProbeUsers& users) {
  CallResult result;
  result.call = "SELECT count(*) FROM " + function.qualified + "(";
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    result.call += (i ? ", " : "") + arguments[i];
    if (arguments[i].find(users.b) != std::string::npos) result.other_user = true;
  }
  result.call += ") AS golive_result";
  pqxx::subtransaction sub(txn, "golive_definer_call");
  try {
    auto before = xact_changes(sub);
    impersonate_in(sub, actor);
    sub.exec(result.call);
    sub.exec("RESET ROLE");
    for (const auto& [table, after] : xact_changes(sub)) {
      auto found = before.find(table);
      std::array<long long, 3> was = found == before.end() ? std::array<long long, 3>{0, 0, 0} : found->second;
      if (after == was) continue;
      result.changed[table] = {
          {"inserted", after[0] - was[0]}, {"updated", after[1] - was[1]}, {"deleted", after[2] - was[2]}};
      if (table.rfind("auth.", 0) == 0) result.auth_changed = true;
    }
  } catch (const pqxx::sql_error& e) {
    result.failed = true;
    result.sqlstate = sqlstate_of(e);
    result.error = e.what();
    if (result.error.rfind("ERROR:  ", 0) == 0) result.error.erase(0, 8);
    if (auto newline = result.error.find('\n'); newline != std::string::npos) result.error.resize(newline);
  }
  sub.abort();
  return result;
}

core::CheckResult call_check(const DefinerFunction& function) {
  core::CheckResult check;
  check.id = "security.rls.definer_call." + function.schema + "." + function.name;
  check.suite = "security";
  check.title = "SECURITY DEFINER function " + function.signature + " called by an API role changes no one else's rows";
  check.severity = core::Severity::kHigh;
  check.evidence = {{"function", function.signature}, {"table", function.schema + "." + function.name}};
  return check;
}

constexpr std::size_t kMaxCalls = 16;

core::CheckResult probe_one(pqxx::work& txn, const DefinerFunction& function, const ProbeUsers& users) {
  auto check = call_check(function);
  std::vector<std::vector<std::string>> candidates;
  for (std::size_t i = 0; i < function.required_types.size(); ++i) {
    candidates.push_back(argument_candidates(txn, function, i, users));
    if (candidates.back().empty()) {
      check.status = core::CheckStatus::kSkip;
      check.severity = core::Severity::kInfo;
      check.message = "Not called: golive cannot derive an argument of type " + function.required_types[i] +
                      " for " + function.signature + "; the static lints still apply.";
      check.evidence["verdict"] = "not_derivable";
      return check;
    }
  }
  Actor actor = function.anon ? Actor{"anon", "", ""} : Actor{"authenticated", users.a, "user A"};
  check.evidence["caller"] = actor.label();
  // Every combination of candidates, first positions varying slowest, at
  // most kMaxCalls calls; the first call that changes rows decides.
  std::vector<std::size_t> index(candidates.size(), 0);
  std::vector<CallResult> calls;
  while (calls.size() < kMaxCalls) {
    std::vector<std::string> arguments;
    for (std::size_t i = 0; i < candidates.size(); ++i) arguments.push_back(candidates[i][index[i]]);
    calls.push_back(call_once(txn, function, actor, arguments, users));
    if (!calls.back().changed.empty()) break;
    std::size_t position = candidates.size();
    while (position > 0 && ++index[position - 1] == candidates[position - 1].size()) index[--position] = 0;
    if (position == 0) break;
  }
  check.evidence["calls"] = calls.size();
  const CallResult& last = calls.back();
  check.evidence["call"] = last.call;
  if (!last.changed.empty()) {
    std::string what;
    for (const auto& [table, counts] : last.changed.items()) {
      what += (what.empty() ? "" : ", ") + table + " (+" + std::to_string(counts["inserted"].get<long long>()) +
              " ~" + std::to_string(counts["updated"].get<long long>()) + " -" +
              std::to_string(counts["deleted"].get<long long>()) + ")";
    }
    bool finding = actor.user_id.empty() || last.other_user || last.auth_changed;
    check.evidence["changed"] = last.changed;
    check.status = finding ? core::CheckStatus::kFail : core::CheckStatus::kPass;
    if (last.auth_changed) check.severity = core::Severity::kCritical;
    check.message = std::string(finding ? "Allowed: " : "Own rows: ") + actor.label() + " called " + last.call +
                    " and it changed " + what + " (rolled back)" +
                    (finding ? (actor.user_id.empty() ? ": anon writes through a SECURITY DEFINER function."
                                : last.auth_changed   ? ": it writes the auth schema."
                                                      : ": it acts on another user's behalf (user B's id).")
                             : "; no other user's id was passed, so these are the caller's own rows.");
    return check;
  }
  std::size_t succeeded = 0, denied = 0;
  const CallResult* first_error = nullptr;
  for (const auto& call : calls) {
    if (!call.failed) ++succeeded;
    else if (call.sqlstate == "42501") ++denied;
    else if (!first_error) first_error = &call;
  }
  if (succeeded > 0 || denied == calls.size()) {
    check.status = core::CheckStatus::kPass;
    check.evidence["changed"] = nlohmann::json::object();
    check.message = actor.label() + " called " + function.signature + " " + std::to_string(calls.size()) +
                    " time(s) with derived arguments: " +
                    (succeeded > 0 ? "it changed no row (this transaction's statistics, rolled back)."
                                   : "every call was denied (42501).");
    return check;
  }
  check.status = core::CheckStatus::kSkip;
  check.evidence["verdict"] = "inconclusive";
  check.evidence["sqlstate"] = first_error->sqlstate;
  check.evidence["call"] = first_error->call;
  check.message = "Inconclusive: " + actor.label() + " called " + first_error->call + " and it failed with SQLSTATE " +
                  first_error->sqlstate + " (" + first_error->error + "), which proves nothing either way.";
  return check;
}

}  // namespace

std::vector<core::CheckResult> probe_definer_functions(pqxx::connection& connection,
                                                       const std::vector<std::string>& schemas,
                                                       const ProbeUsers& users) {
  std::vector<core::CheckResult> checks;
  target::with_rolled_back_transaction(connection, [&](pqxx::work& txn) {
    for (const auto& function : load_functions(txn, schemas)) checks.push_back(probe_one(txn, function, users));
  });
  return checks;
}

}  // namespace golive::security
