// The RLS suite on schemas golive was not written for: each file of
// tests/data/rls_corpus is a schema in the style of a public Supabase project
// (Stripe subscriptions, a chat with roles, team accounts, storage avatars,
// public profiles, a product catalogue) with a hand audit beside it (<name>.audit.json) naming every correctly
// protected object and every real weakness. Each schema is loaded into its
// own database of the reference PostgreSQL, the whole suite (static audit and
// dynamic probes, expectations inferred unless the audit declares them) runs against it, and
// the findings are compared with the audit:
//   - a protected object gets no failing check of severity medium or above
//     (low-severity lints, e.g. unindexed foreign keys, are counted apart);
//   - a weak object is caught by every check its audit names;
//   - no failing check lands on an object the audit does not list;
//   - a probe is inconclusive (an error other than an RLS denial) exactly
//     where the audit says so, and says which SQLSTATE.
// The per-schema figures are printed as "[ corpus   ]" lines.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "security/rls_suite.hpp"
#include "tests/support/reference_env.hpp"

namespace {

using namespace golive;

const std::string kCorpusDir = std::string(GOLIVE_TEST_DATA) + "/rls_corpus";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

golive::testing::ReferenceEnv& target() {
  return golive::testing::shared_reference_env(golive::testing::ReferenceEnv::Options::database_only());
}

// The reference superuser URL with its database name replaced.
std::string url_of_database(const std::string& name) {
  std::string url = target().database_url();
  auto query = url.find('?');
  std::string suffix = query == std::string::npos ? "" : url.substr(query);
  std::string base = url.substr(0, query);
  return base.substr(0, base.rfind('/') + 1) + name + suffix;
}

// A fresh database holding the Supabase roles/auth prelude, `schema_file`
// and, for a mutated variant, the editing mistake applied after it.
std::string load_corpus_database(const std::string& name, const std::string& schema_file,
                                 const std::string& mutation = "") {
  std::string database = "golive_corpus_" + name;
  for (auto& c : database) c = c == '.' ? '_' : c;
  database = database.substr(0, 63);
  {
    pqxx::connection admin(target().database_url());
    pqxx::nontransaction run(admin);
    run.exec("DROP DATABASE IF EXISTS " + run.quote_name(database) + " WITH (FORCE)");
    run.exec("CREATE DATABASE " + run.quote_name(database));
  }
  pqxx::connection connection(url_of_database(database));
  pqxx::nontransaction run(connection);
  run.exec(read_text(std::string(GOLIVE_SOURCE_DIR) + "/fixtures/migrations/0001_supabase_roles_and_auth.up.sql"));
  run.exec(read_text(kCorpusDir + "/" + schema_file));
  if (!mutation.empty()) run.exec(mutation);
  return url_of_database(database);
}

// The object ("schema.table" or "schema.function") a check is about.
std::string object_of(const core::CheckResult& check, const std::set<std::string>& objects) {
  if (check.evidence.contains("table") && check.evidence["table"].is_string()) {
    return check.evidence["table"].get<std::string>();
  }
  for (const auto& object : objects) {
    if (check.id.size() > object.size() && check.id.compare(check.id.size() - object.size() - 1, std::string::npos,
                                                            "." + object) == 0) {
      return object;
    }
  }
  return "";
}

bool is_inconclusive(const core::CheckResult& check) {
  return check.status == core::CheckStatus::kError ||
         (check.evidence.contains("verdict") && check.evidence["verdict"] == "inconclusive");
}

struct CorpusFigures {
  int protected_objects = 0, weak_objects = 0;
  int false_alarms = 0;     // protected objects with a failing security check
  int missed = 0;           // weak objects none of whose intended checks failed
  int wrong_reason = 0;     // weak objects flagged, but not by all their intended checks
  int lint_findings = 0;    // failing checks below medium severity
  int inconclusive = 0;     // checks that could not decide
  int unaudited = 0;        // failing checks on objects the audit does not list
  double static_ms = 0, dynamic_ms = 0;
};

// A mutated variant (<base>.mutant_<what>.audit.json) names its base schema
// ("base"), the editing mistake ("mutation", SQL run after the base schema)
// and only the objects whose verdict the mistake changes; every other object
// keeps the base audit's verdict.
nlohmann::json read_audit(const std::string& name) {
  auto audit = nlohmann::json::parse(read_text(kCorpusDir + "/" + name + ".audit.json"));
  if (!audit.contains("base")) return audit;
  auto base = nlohmann::json::parse(read_text(kCorpusDir + "/" + audit["base"].get<std::string>() + ".audit.json"));
  for (const auto& [object, entry] : audit["objects"].items()) base["objects"][object] = entry;
  base["mutation"] = audit["mutation"];
  return base;
}

class RlsCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(RlsCorpus, FindingsMatchTheHandAudit) {
  const std::string name = GetParam();
  auto audit = read_audit(name);
  config::Environment env;
  env.source_file = kCorpusDir + "/" + name + ".audit.json";
  env.name = name;
  env.database_url = load_corpus_database(name, audit["schema_file"], audit.value("mutation", std::string()));
  env.sections["security"] = audit["security"];

  core::CollectingSink sink;
  auto outcome = security::run_rls_suite(env, {}, sink);
  ASSERT_TRUE(outcome.database_reachable);

  std::set<std::string> objects;
  for (const auto& [object, entry] : audit["objects"].items()) objects.insert(object);
  std::map<std::string, std::vector<const core::CheckResult*>> failing_by_object;
  CorpusFigures figures;
  figures.static_ms = outcome.static_audit_ms;
  figures.dynamic_ms = outcome.dynamic_probe_ms;
  const std::vector<core::CheckResult> results = sink.results();
  std::set<std::string> inconclusive_expected, inconclusive_seen, lints_seen;
  for (const auto& [object, entry] : audit["objects"].items()) {
    for (const auto& id : entry.value("inconclusive", nlohmann::json::array())) inconclusive_expected.insert(id);
  }
  const char* verbose = std::getenv("GOLIVE_CORPUS_VERBOSE");
  for (const auto& check : results) {
    if (verbose && std::string(verbose) == "all") {
      std::cout << "[ corpus   ] " << name << ": " << core::to_string(check.status) << " " << check.id << ": "
                << check.message << "\n";
    }
    if (is_inconclusive(check)) {
      ++figures.inconclusive;
      inconclusive_seen.insert(check.id);
      EXPECT_TRUE(check.evidence.contains("sqlstate")) << check.id << " is inconclusive without a SQLSTATE";
      std::cout << "[ corpus   ] " << name << ": " << check.id << ": " << check.message << "\n";
    }
    if (check.status != core::CheckStatus::kFail) continue;
    if (verbose) std::cout << "[ corpus   ] " << name << ": fails " << check.id << "\n";
    if (check.severity < core::Severity::kMedium) {
      ++figures.lint_findings;
      lints_seen.insert(check.id);
      continue;
    }
    auto object = object_of(check, objects);
    if (!objects.count(object)) {
      ++figures.unaudited;
      ADD_FAILURE() << name << ": failing check on an object the audit does not list: " << check.id << ": "
                    << check.message;
      continue;
    }
    failing_by_object[object].push_back(&check);
  }
  // An audit entry naming a "model" is the access model every check of that
  // table prints in its evidence.
  for (const auto& [object, entry] : audit["objects"].items()) {
    if (!entry.contains("model")) continue;
    int with_model = 0;
    for (const auto& check : results) {
      if (object_of(check, objects) != object || !check.evidence.contains("expectation")) continue;
      ++with_model;
      EXPECT_EQ(check.evidence["expectation"], entry["model"]) << name << ": " << check.id;
    }
    EXPECT_GT(with_model, 0) << name << ": no check of " << object << " prints its model";
  }
  for (const auto& [object, entry] : audit["objects"].items()) {
    const auto& failing = failing_by_object[object];
    if (entry["verdict"] == "protected") {
      ++figures.protected_objects;
      if (!failing.empty()) ++figures.false_alarms;
      for (const auto* check : failing) {
        ADD_FAILURE() << name << ": false alarm on protected " << object << " (" << entry["why"].get<std::string>()
                      << "): " << check->id << ": " << check->message;
      }
      continue;
    }
    ++figures.weak_objects;
    std::set<std::string> failed_ids;
    for (const auto* check : failing) failed_ids.insert(check->id);
    int caught = 0;
    for (const auto& id : entry["caught_by"]) {
      bool hit = failed_ids.count(id.get<std::string>()) > 0;
      caught += hit;
      EXPECT_TRUE(hit) << name << ": weak " << object << " (" << entry["why"].get<std::string>()
                       << ") not caught by " << id.get<std::string>();
    }
    if (failing.empty()) ++figures.missed;
    else if (caught < static_cast<int>(entry["caught_by"].size())) ++figures.wrong_reason;
  }
  EXPECT_EQ(inconclusive_seen, inconclusive_expected) << name << ": inconclusive only where the hand audit expects it";
  // An audit that lists its low-severity lint findings has them exactly.
  if (audit.contains("lints")) {
    std::set<std::string> lints_expected;
    for (const auto& id : audit["lints"]) lints_expected.insert(id.get<std::string>());
    EXPECT_EQ(lints_seen, lints_expected) << name << ": low-severity lint findings as the hand audit lists them";
  }
  std::cout << "[ corpus   ] " << name << ": protected " << figures.protected_objects << ", false alarms "
            << figures.false_alarms << "; weak " << figures.weak_objects << ", missed " << figures.missed
            << ", flagged for another reason " << figures.wrong_reason << "; low-severity lint findings "
            << figures.lint_findings << ", inconclusive " << figures.inconclusive << ", unaudited failures "
            << figures.unaudited << "; static " << figures.static_ms << " ms, dynamic " << figures.dynamic_ms
            << " ms\n";
  EXPECT_LT(figures.static_ms + figures.dynamic_ms, 5000.0) << "the audit of one corpus schema stays under 5 s";
}

// The read-back, not the affected-row count, decides: the trigger keeps
// the author, so the transfer affects rows and passes.
TEST(RlsCorpusEvidence, TransferUndoneByATriggerPassesWithTheReadBackInTheEvidence) {
  auto audit = nlohmann::json::parse(read_text(kCorpusDir + "/chat_roles.audit.json"));
  config::Environment env;
  env.source_file = kCorpusDir + "/chat_roles.audit.json";
  env.database_url = load_corpus_database("chat_roles", audit["schema_file"]);
  env.sections["security"] = audit["security"];
  core::CollectingSink sink;
  security::run_rls_suite(env, {}, sink);
  const std::vector<core::CheckResult> results = sink.results();
  const core::CheckResult* transfer = nullptr;
  const core::CheckResult* messages_select = nullptr;
  for (const auto& check : results) {
    if (check.id == "security.rls.ownership_transfer_update.public.messages") transfer = &check;
    if (check.id == "security.rls.cross_user_select.public.messages") messages_select = &check;
  }
  ASSERT_NE(transfer, nullptr);
  EXPECT_EQ(transfer->status, core::CheckStatus::kPass) << transfer->message;
  EXPECT_GT(transfer->evidence["rows"].get<long long>(), 0);
  EXPECT_EQ(transfer->evidence["confirmed_rows"], 0);
  // The model and the probe users are in the evidence.
  ASSERT_NE(messages_select, nullptr);
  EXPECT_EQ(messages_select->evidence["expectation"], "public_read_owner_write");
  EXPECT_EQ(messages_select->evidence["user_a"], "00000000-0000-4000-8000-00000000000a");
  EXPECT_NE(messages_select->evidence["users_chosen"].get<std::string>().find("holds no app role"), std::string::npos);
}

// A declared expectation overrides the inferred one: subscriptions declared
// owner_read_only make user A's insert of its own row a finding too.
TEST(RlsCorpusEvidence, DeclaredExpectationOverridesThePolicies) {
  auto audit = nlohmann::json::parse(read_text(kCorpusDir + "/stripe_subscriptions.audit.json"));
  config::Environment env;
  env.source_file = kCorpusDir + "/stripe_subscriptions.audit.json";
  env.database_url = load_corpus_database("stripe_subscriptions", audit["schema_file"]);
  env.sections["security"] = {{"exposed_schemas", {"public"}},
                              {"rls_expectations", {{"subscriptions", "owner_read_only"}}}};
  core::CollectingSink sink;
  security::run_rls_suite(env, {}, sink);
  const std::vector<core::CheckResult> results = sink.results();
  bool own_insert_failed = false;
  for (const auto& check : results) {
    if (check.id == "security.rls.service_only_insert.public.subscriptions") {
      own_insert_failed = check.status == core::CheckStatus::kFail;
      EXPECT_EQ(check.evidence["model_reason"], "declared in rls_expectations");
    }
    if (check.id == "security.rls.anon_select.public.products") ADD_FAILURE() << "products is public_read by policy";
  }
  EXPECT_TRUE(own_insert_failed);
}

// A replication slot is cluster-wide, so it is not part of a corpus schema:
// one is created beside lint_trips, the lint must name it, and it is dropped.
TEST(RlsCorpusEvidence, AReplicationSlotWithoutConsumerIsALowLint) {
  auto audit = nlohmann::json::parse(read_text(kCorpusDir + "/lint_trips.audit.json"));
  config::Environment env;
  env.source_file = kCorpusDir + "/lint_trips.audit.json";
  env.database_url = load_corpus_database("lint_trips", audit["schema_file"]);
  env.sections["security"] = audit["security"];
  {
    pqxx::connection admin(target().database_url());
    pqxx::nontransaction run(admin);
    run.exec("SELECT pg_create_physical_replication_slot('golive_corpus_idle')");
  }
  core::CollectingSink sink;
  security::run_rls_suite(env, {}, sink);
  {
    pqxx::connection admin(target().database_url());
    pqxx::nontransaction run(admin);
    run.exec("SELECT pg_drop_replication_slot('golive_corpus_idle')");
  }
  const std::vector<core::CheckResult> results = sink.results();
  const core::CheckResult* slot = nullptr;
  for (const auto& check : results) {
    if (check.id == "security.rls.static.unused_replication_slot.cluster.golive_corpus_idle") slot = &check;
  }
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(slot->status, core::CheckStatus::kFail);
  EXPECT_EQ(slot->severity, core::Severity::kLow);
  EXPECT_NE(slot->message.find("golive_corpus_idle (physical) has no consumer"), std::string::npos) << slot->message;
}

INSTANTIATE_TEST_SUITE_P(PublicStyleSchemas, RlsCorpus,
                         ::testing::Values("stripe_subscriptions", "chat_roles", "team_accounts", "storage_avatars",
                                           "public_profiles", "product_catalogue", "lint_trips",
                                           "lint_library"));

// Each a copy of a corpus schema with one realistic editing mistake.
INSTANTIATE_TEST_SUITE_P(MutatedSchemas, RlsCorpus,
                         ::testing::Values("public_profiles.mutant_update_using_true",
                                           "stripe_subscriptions.mutant_update_check_true",
                                           "team_accounts.mutant_membership_without_uid",
                                           "public_profiles.mutant_chain_check_without_uid",
                                           "product_catalogue.mutant_invites_any_signed_in",
                                           "lint_library.mutant_messages_any_recipient"));

}  // namespace
