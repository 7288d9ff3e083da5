// Row level security of the reference database, proven against a real
// PostgreSQL 15 with the fixtures/migrations schema and seed. Users are
// impersonated exactly as the reference service does it: on the authenticator
// connection, SET LOCAL ROLE plus set_config('request.jwt.claims', ..., true).
//
// Every probe runs in a transaction that is rolled back; the fixture checks
// that the row count of every table is unchanged after each test. Each "cannot"
// check is paired with the same statement succeeding for the owner or for
// service_role, so a probe cannot pass just because its SQL is broken.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "tests/support/reference_env.hpp"

namespace {

using golive::testing::shared_reference_env;

constexpr const char* kRlsViolation = "42501";  // insufficient_privilege: RLS and grants

// Who runs a statement: a database role and the JWT claims the service would set.
struct Actor {
  std::string role;
  std::string claims_json;  // "" for no claims at all
};

Actor user(const std::string& user_id) {
  return {"authenticated", R"({"sub":")" + user_id + R"(","role":"authenticated"})"};
}
const Actor kAnon{"anon", R"({"role":"anon"})"};
const Actor kServiceRole{"service_role", R"({"role":"service_role"})"};

// A table holding per-user rows. `key` names one row, `owner` is the owning
// user as seen without RLS, `touch` is a no-op SET clause for UPDATE probes.
// The table is aliased `t` in every statement.
struct OwnedTable {
  std::string name;
  std::string key;
  std::string owner;
  std::string touch;
  bool owner_writable;  // owner CRUD; otherwise read-own, written by the service only
};

const std::string kOwnerThroughCourse = "(SELECT c.user_id FROM public.courses c WHERE c.id = t.course_id)";

const std::vector<OwnedTable> kOwnedTables = {
    {"public.profiles", "t.id::text", "t.user_id", "display_name = t.display_name", true},
    {"public.courses", "t.id::text", "t.user_id", "title = t.title", true},
    {"public.topics", "t.id::text", kOwnerThroughCourse, "title = t.title", true},
    {"public.inputs", "t.id::text", kOwnerThroughCourse, "content = t.content", true},
    {"public.allocations", "t.id::text", kOwnerThroughCourse, "minutes = t.minutes", true},
    {"storage.objects", "t.id::text", "t.owner", "content_type = t.content_type", true},
    {"public.admin_overrides", "t.id::text", "t.user_id", "reason = t.reason", false},
    {"public.ai_jobs", "t.id::text", "t.user_id", "attempts = t.attempts", false},
    {"public.usage_quotas", "t.user_id::text || '/' || t.day::text", "t.user_id",
     "ai_requests = t.ai_requests", false},
    {"public.subscriptions", "t.id::text", "t.user_id", "status = t.status", false},
    {"public.checkout_sessions", "t.id", "t.user_id", "status = t.status", false},
    {"public.course_purchases", "t.id::text", "t.user_id", "status = t.status", false},
    {"public.redemptions", "t.id::text", "t.user_id", "redeemed_at = t.redeemed_at", false},
};

// Tables only the service writes, with an INSERT that is valid for a fresh
// user ({user}) and the ids the fixture resolves ({token}, {plan}, {catalog}).
const std::map<std::string, std::string> kServiceOnlyInserts = {
    {"public.subscriptions",
     "INSERT INTO public.subscriptions (user_id, status, tier_id, stripe_subscription_id) "
     "VALUES ({user}, 'active', 'team', 'sub_rls_probe')"},
    {"public.webhook_events",
     "INSERT INTO public.webhook_events (id, type, event_created, payload) "
     "VALUES ('evt_rls_probe', 'customer.subscription.updated', 1, '{}')"},
    {"public.admin_overrides",
     "INSERT INTO public.admin_overrides (user_id, tier_id, reason) VALUES ({user}, 'team', 'self-granted')"},
    {"public.usage_quotas",
     "INSERT INTO public.usage_quotas (user_id, day, ai_requests) VALUES ({user}, current_date, 0)"},
    {"public.ai_jobs", "INSERT INTO public.ai_jobs (user_id, input_hash) VALUES ({user}, 'rls-probe')"},
    {"public.ai_response_cache",
     "INSERT INTO public.ai_response_cache (input_hash, result) VALUES ('rls-probe', '{}')"},
    {"public.checkout_sessions",
     "INSERT INTO public.checkout_sessions (id, user_id, plan_id) VALUES ('cs_test_rls_probe', {user}, {plan})"},
    {"public.course_purchases",
     "INSERT INTO public.course_purchases (user_id, catalog_course_id, amount_cents) VALUES ({user}, {catalog}, 0)"},
    {"public.redemptions", "INSERT INTO public.redemptions (token_id, user_id) VALUES ({token}, {user})"},
    {"public.redeem_tokens", "INSERT INTO public.redeem_tokens (code, tier_id) VALUES ('RLS-PROBE', 'team')"},
    {"public.plans", "INSERT INTO public.plans (name, tier_id, price_cents) VALUES ('free team', 'team', 0)"},
    {"public.subscription_tiers",
     "INSERT INTO public.subscription_tiers (id, name, daily_ai_quota, monthly_ai_quota) "
     "VALUES ('rls_probe', 'Unlimited', 100000, 100000)"},
    {"public.feature_mappings",
     "INSERT INTO public.feature_mappings (tier_id, feature) VALUES ('free', 'rls_probe')"},
    {"public.catalog_courses", "INSERT INTO public.catalog_courses (title, price_cents) VALUES ('free', 0)"},
    {"storage.buckets", "INSERT INTO storage.buckets (id, public) VALUES ('rls-probe', true)"},
};

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// '{a,b}' for "= ANY($1::text[])": keys are uuids, dates and cs_ ids, no quoting needed.
std::string text_array(const std::set<std::string>& keys) {
  std::string literal = "{";
  for (const auto& k : keys) literal += (literal.size() > 1 ? "," : "") + k;
  return literal + "}";
}

std::set<std::string> first_column(const pqxx::result& rows) {
  std::set<std::string> values;
  for (const auto& row : rows) values.insert(row[0].c_str());
  return values;
}

class RlsIsolation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& env = shared_reference_env(golive::testing::ReferenceEnv::Options::database_only());
    admin_ = new pqxx::connection(env.database_url());
    api_ = new pqxx::connection(env.service_database_url());
    pqxx::work tx(*admin_);
    alice_ = tx.exec1("SELECT id::text FROM auth.users WHERE email = 'alice@example.test'")[0].c_str();
    bob_ = tx.exec1("SELECT id::text FROM auth.users WHERE email = 'bob@example.test'")[0].c_str();
  }
  static void TearDownTestSuite() {
    delete api_;
    delete admin_;
  }

  void SetUp() override { counts_before_ = row_counts(); }
  void TearDown() override { EXPECT_EQ(row_counts(), counts_before_) << "a test left rows behind"; }

  // Row count of every table the migrations create (and their bookkeeping).
  static std::map<std::string, long> row_counts() {
    pqxx::work tx(*admin_);
    std::map<std::string, long> counts;
    for (const auto& row : tx.exec("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                                   "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                                   "AND n.nspname IN ('public', 'auth', 'storage', 'supabase_migrations')")) {
      std::string table = row[0].c_str();
      counts[table] = tx.exec1("SELECT count(*) FROM " + table)[0].as<long>();
    }
    return counts;
  }

  // Switches the transaction to `actor`, as the reference service does.
  static void become(pqxx::work& tx, const Actor& actor) {
    tx.exec("SET LOCAL ROLE " + tx.quote_name(actor.role));
    tx.exec_params("SELECT set_config('request.jwt.claims', $1, true)", actor.claims_json);
  }

  // Runs `body` in a rolled-back transaction on the authenticator connection;
  // returns the SQLSTATE it failed with, or "" when it succeeded.
  static std::string sqlstate_of(const std::function<void(pqxx::work&)>& body) {
    try {
      pqxx::work tx(*api_);
      body(tx);
      return "";
    } catch (const pqxx::insufficient_privilege&) {
      return kRlsViolation;  // libpqxx 6.4 throws this class with an empty sqlstate()
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate().empty() ? std::string("(no sqlstate) ") + e.what() : e.sqlstate();
    }
  }

  // Creates a fresh user (as service_role, inside tx) and returns its id.
  static std::string create_user(pqxx::work& tx, const std::string& email) {
    become(tx, kServiceRole);
    return tx.exec_params1("INSERT INTO auth.users (email, encrypted_password) VALUES ($1, 'x') RETURNING id::text",
                           email)[0].c_str();
  }

  // Keys of `table` rows owned by `user_id`, read without RLS.
  static std::set<std::string> keys_owned_by(const OwnedTable& table, const std::string& user_id) {
    pqxx::work tx(*admin_);
    return first_column(tx.exec_params("SELECT " + table.key + " FROM " + table.name + " t WHERE " +
                                           table.owner + " = $1::uuid",
                                       user_id));
  }

  static std::string first_owned(const std::string& sql_owned_by_user, const std::string& user_id) {
    pqxx::work tx(*admin_);
    return tx.exec_params1(sql_owned_by_user, user_id)[0].c_str();
  }

  static pqxx::connection* admin_;  // postgres superuser: fixtures and ground truth
  static pqxx::connection* api_;    // authenticator: every impersonated probe
  static std::string alice_;
  static std::string bob_;
  std::map<std::string, long> counts_before_;
};

pqxx::connection* RlsIsolation::admin_ = nullptr;
pqxx::connection* RlsIsolation::api_ = nullptr;
std::string RlsIsolation::alice_;
std::string RlsIsolation::bob_;

TEST_F(RlsIsolation, AuthenticatorHoldsNoRightsUntilItSwitchesRole) {
  EXPECT_EQ(sqlstate_of([](pqxx::work& tx) { tx.exec("SELECT count(*) FROM public.courses"); }), kRlsViolation);
  for (const Actor& actor : {kAnon, user(alice_), kServiceRole}) {
    EXPECT_EQ(sqlstate_of([&](pqxx::work& tx) {
                become(tx, actor);
                EXPECT_EQ(tx.exec1("SELECT current_user")[0].c_str(), actor.role);
                tx.exec("SELECT count(*) FROM public.courses");
              }),
              "")
        << actor.role;
  }
  EXPECT_EQ(sqlstate_of([](pqxx::work& tx) { tx.exec("SET LOCAL ROLE postgres"); }), kRlsViolation);
}

TEST_F(RlsIsolation, EachUserSeesExactlyTheirOwnRows) {
  for (const OwnedTable& table : kOwnedTables) {
    for (const std::string& viewer : {alice_, bob_}) {
      SCOPED_TRACE(table.name + " as " + viewer);
      std::set<std::string> own = keys_owned_by(table, viewer);
      ASSERT_FALSE(own.empty()) << "the seed must give every user rows in " << table.name;
      pqxx::work tx(*api_);
      become(tx, user(viewer));
      EXPECT_EQ(first_column(tx.exec("SELECT " + table.key + " FROM " + table.name + " t")), own);
    }
  }
}

TEST_F(RlsIsolation, AdminOverridesOfOthersAreInvisible) {
  pqxx::work tx(*api_);
  become(tx, user(alice_));
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM public.admin_overrides WHERE user_id = $1", bob_)[0].as<int>(), 0);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM public.admin_overrides WHERE user_id = $1", alice_)[0].as<int>(), 1);
}

TEST_F(RlsIsolation, NobodyCanUpdateOrDeleteAnothersRows) {
  for (const OwnedTable& table : kOwnedTables) {
    SCOPED_TRACE(table.name);
    const std::string bobs = text_array(keys_owned_by(table, bob_));
    const std::string alices = text_array(keys_owned_by(table, alice_));
    const std::string update = "UPDATE " + table.name + " t SET " + table.touch + " WHERE " + table.key +
                               " = ANY($1::text[])";
    const std::string remove = "DELETE FROM " + table.name + " t WHERE " + table.key + " = ANY($1::text[])";
    {
      pqxx::work tx(*api_);
      become(tx, user(alice_));
      EXPECT_EQ(tx.exec_params(update, bobs).affected_rows(), 0u);
      EXPECT_EQ(tx.exec_params(remove, bobs).affected_rows(), 0u);
    }
    // Control: the same statements reach the owner's rows exactly when the
    // table is owner-writable.
    size_t expected = table.owner_writable ? keys_owned_by(table, alice_).size() : 0;
    pqxx::work tx(*api_);
    become(tx, user(alice_));
    EXPECT_EQ(tx.exec_params(update, alices).affected_rows(), expected);
    EXPECT_EQ(tx.exec_params(remove, alices).affected_rows(), expected);
  }
}

TEST_F(RlsIsolation, NobodyCanInsertRowsOwnedByAnother) {
  const std::string course_sql = "SELECT id::text FROM public.courses WHERE user_id = $1 ORDER BY id LIMIT 1";
  const std::string topic_sql =
      "SELECT t.id::text FROM public.topics t JOIN public.courses c ON c.id = t.course_id "
      "WHERE c.user_id = $1 ORDER BY t.id LIMIT 1";
  auto inserts_for = [&](const std::string& owner) {
    std::string course = "'" + first_owned(course_sql, owner) + "'";
    std::string topic = "'" + first_owned(topic_sql, owner) + "'";
    return std::map<std::string, std::string>{
        {"public.courses", "INSERT INTO public.courses (user_id, title) VALUES ('" + owner + "', 'planted')"},
        {"public.topics", "INSERT INTO public.topics (course_id, title) VALUES (" + course + ", 'planted')"},
        {"public.inputs",
         "INSERT INTO public.inputs (course_id, kind, content) VALUES (" + course + ", 'notes', 'planted')"},
        {"public.allocations", "INSERT INTO public.allocations (course_id, topic_id, starts_at, minutes) VALUES (" +
                                   course + ", " + topic + ", now(), 30)"},
        {"storage.objects", "INSERT INTO storage.objects (bucket_id, name, owner) VALUES ('uploads', '" + owner +
                                "/planted.txt', '" + owner + "')"},
    };
  };
  for (const auto& [table, sql] : inserts_for(bob_)) {
    EXPECT_EQ(sqlstate_of([&](pqxx::work& tx) {
                become(tx, user(alice_));
                tx.exec(sql);
              }),
              kRlsViolation)
        << table;
  }
  for (const auto& [table, sql] : inserts_for(alice_)) {
    EXPECT_EQ(sqlstate_of([&](pqxx::work& tx) {
                become(tx, user(alice_));
                tx.exec(sql);
              }),
              "")
        << "control: alice inserting her own row into " << table;
  }
  // profiles: one per user, so the victim is a fresh user without one.
  auto insert_profile_of_fresh_user = [&](bool as_fresh_user) {
    return sqlstate_of([&](pqxx::work& tx) {
      std::string fresh = create_user(tx, "carol@example.test");
      become(tx, user(as_fresh_user ? fresh : alice_));
      tx.exec_params("INSERT INTO public.profiles (user_id) VALUES ($1)", fresh);
    });
  };
  EXPECT_EQ(insert_profile_of_fresh_user(false), kRlsViolation);
  EXPECT_EQ(insert_profile_of_fresh_user(true), "");
}

TEST_F(RlsIsolation, NobodyCanHandTheirRowToAnother) {
  const std::string bobs_course =
      first_owned("SELECT id::text FROM public.courses WHERE user_id = $1 ORDER BY id LIMIT 1", bob_);
  const std::string bobs_topic = first_owned(
      "SELECT t.id::text FROM public.topics t JOIN public.courses c ON c.id = t.course_id "
      "WHERE c.user_id = $1 ORDER BY t.id LIMIT 1",
      bob_);
  const std::map<std::string, std::string> transfers = {
      {"public.profiles", "UPDATE public.profiles SET user_id = '" + bob_ + "' WHERE user_id = '" + alice_ + "'"},
      {"public.courses", "UPDATE public.courses SET user_id = '" + bob_ + "' WHERE user_id = '" + alice_ + "'"},
      {"public.topics", "UPDATE public.topics SET course_id = '" + bobs_course + "'"},
      {"public.inputs", "UPDATE public.inputs SET course_id = '" + bobs_course + "'"},
      {"public.allocations",
       "UPDATE public.allocations SET course_id = '" + bobs_course + "', topic_id = '" + bobs_topic + "'"},
      {"storage.objects", "UPDATE storage.objects SET owner = '" + bob_ + "' WHERE owner = '" + alice_ + "'"},
  };
  for (const auto& [table, sql] : transfers) {
    EXPECT_EQ(sqlstate_of([&](pqxx::work& tx) {
                become(tx, user(alice_));
                EXPECT_GT(tx.exec("SELECT 1 FROM " + table).size(), 0u) << "alice must own rows to hand over";
                tx.exec(sql);
              }),
              kRlsViolation)
        << table << ": UPDATE policies need WITH CHECK";
  }
}

TEST_F(RlsIsolation, ServiceOnlyTablesRejectUserWritesAndAcceptServiceRole) {
  pqxx::work lookup(*admin_);
  const std::string token = lookup.quote(lookup.exec1("SELECT id::text FROM public.redeem_tokens LIMIT 1")[0].c_str());
  const std::string plan = lookup.quote(lookup.exec1("SELECT id::text FROM public.plans WHERE active LIMIT 1")[0].c_str());
  const std::string catalog = lookup.quote(lookup.exec1("SELECT id::text FROM public.catalog_courses LIMIT 1")[0].c_str());
  lookup.abort();

  for (const auto& [table, template_sql] : kServiceOnlyInserts) {
    auto attempt = [&](bool as_service) {
      return sqlstate_of([&](pqxx::work& tx) {
        std::string fresh = create_user(tx, "dave@example.test");
        std::string sql = template_sql;
        for (const auto& [from, to] : std::map<std::string, std::string>{
                 {"{user}", tx.quote(fresh)}, {"{token}", token}, {"{plan}", plan}, {"{catalog}", catalog}}) {
          sql = replace_all(sql, from, to);
        }
        become(tx, as_service ? kServiceRole : user(fresh));
        EXPECT_EQ(tx.exec(sql).affected_rows(), 1u);
      });
    };
    EXPECT_EQ(attempt(false), kRlsViolation) << table << ": a user wrote a service-only table";
    EXPECT_EQ(attempt(true), "") << table << ": service_role must be able to write";
  }

  // Rows alice can read (her subscription, active plans) are still not hers to change.
  pqxx::work tx(*api_);
  become(tx, user(alice_));
  for (const char* table : {"public.subscriptions", "public.plans", "public.subscription_tiers",
                                   "public.admin_overrides", "public.usage_quotas", "public.ai_jobs"}) {
    EXPECT_EQ(tx.exec(std::string("DELETE FROM ") + table).affected_rows(), 0u) << table;
  }
  EXPECT_GT(tx.exec("SELECT 1 FROM public.plans").size(), 0u);
  EXPECT_EQ(tx.exec("UPDATE public.plans SET price_cents = 0").affected_rows(), 0u);
  EXPECT_EQ(tx.exec("UPDATE public.subscriptions SET tier_id = 'team', status = 'active'").affected_rows(), 0u);
}

TEST_F(RlsIsolation, ServiceRoleBypassesRlsForSubscriptions) {
  pqxx::work tx(*api_);
  become(tx, kServiceRole);
  long all = tx.exec1("SELECT count(*) FROM public.subscriptions")[0].as<long>();
  EXPECT_EQ(all, counts_before_.at("public.subscriptions"));
  EXPECT_EQ(tx.exec_params("UPDATE public.subscriptions SET status = 'past_due' WHERE user_id = $1", bob_)
                .affected_rows(),
            1u);
  EXPECT_EQ(tx.exec_params("INSERT INTO public.subscriptions (user_id, status, tier_id) VALUES ($1, 'trialing', 'pro')",
                           alice_)
                .affected_rows(),
            1u);
}

TEST_F(RlsIsolation, AnonSeesOnlyTheActiveCatalogueAndNoUserData) {
  pqxx::work truth(*admin_);
  auto active_plans = first_column(truth.exec("SELECT name FROM public.plans WHERE active"));
  auto all_plans = first_column(truth.exec("SELECT name FROM public.plans"));
  auto active_courses = first_column(truth.exec("SELECT title FROM public.catalog_courses WHERE active"));
  truth.abort();
  ASSERT_LT(active_plans.size(), all_plans.size()) << "the seed must have an inactive plan";

  pqxx::work tx(*api_);
  become(tx, kAnon);
  EXPECT_EQ(first_column(tx.exec("SELECT name FROM public.plans")), active_plans);
  EXPECT_EQ(first_column(tx.exec("SELECT title FROM public.catalog_courses")), active_courses);
  EXPECT_EQ(tx.exec("SELECT 1 FROM public.subscription_tiers").size(), 3u);
  for (const OwnedTable& table : kOwnedTables) {
    EXPECT_EQ(tx.exec("SELECT 1 FROM " + table.name).size(), 0u) << table.name;
  }
}

TEST_F(RlsIsolation, UsersCannotChooseTheirOwnTier) {
  auto change_tier = [&](const Actor& actor) {
    return sqlstate_of([&](pqxx::work& tx) {
      become(tx, actor);
      EXPECT_EQ(tx.exec_params("UPDATE public.profiles SET tier_id = 'team' WHERE user_id = $1", alice_).affected_rows(),
                1u);
    });
  };
  EXPECT_EQ(change_tier(user(alice_)), kRlsViolation);
  EXPECT_EQ(change_tier(kServiceRole), "");
  pqxx::work tx(*api_);
  become(tx, user(alice_));
  EXPECT_EQ(tx.exec("UPDATE public.profiles SET display_name = 'Alice A.'").affected_rows(), 1u);
}

TEST_F(RlsIsolation, AuthUidFallsBackToTheLegacyClaimSetting) {
  auto courses_seen = [](pqxx::work& tx) { return first_column(tx.exec("SELECT id::text FROM public.courses")); };
  const std::set<std::string> alices = keys_owned_by(kOwnedTables[1], alice_);
  const std::set<std::string> bobs = keys_owned_by(kOwnedTables[1], bob_);
  {
    pqxx::work tx(*api_);
    tx.exec("SET LOCAL ROLE authenticated");
    tx.exec_params("SELECT set_config('request.jwt.claim.sub', $1, true)", alice_);
    tx.exec("SELECT set_config('request.jwt.claim.role', 'authenticated', true)");
    EXPECT_EQ(tx.exec1("SELECT auth.uid()::text")[0].c_str(), alice_);
    EXPECT_EQ(tx.exec1("SELECT auth.role()")[0].c_str(), std::string("authenticated"));
    EXPECT_EQ(courses_seen(tx), alices);
  }
  {
    // Once set in a session the legacy setting reads '' rather than NULL:
    // the claims object must still win then.
    pqxx::work tx(*api_);
    tx.exec("SELECT set_config('request.jwt.claim.sub', '', true)");
    become(tx, user(bob_));
    EXPECT_EQ(tx.exec1("SELECT auth.uid()::text")[0].c_str(), bob_);
    EXPECT_EQ(tx.exec1("SELECT auth.jwt() ->> 'role'")[0].c_str(), std::string("authenticated"));
    EXPECT_EQ(courses_seen(tx), bobs);
  }
  {
    pqxx::work tx(*api_);
    become(tx, Actor{"authenticated", ""});
    EXPECT_TRUE(tx.exec1("SELECT auth.uid()")[0].is_null());
    EXPECT_TRUE(courses_seen(tx).empty());
  }
}

TEST_F(RlsIsolation, DeletingAUserCascadesToEveryUserOwnedTable) {
  std::map<std::string, std::set<std::string>> alices, bobs;
  for (const OwnedTable& table : kOwnedTables) {
    alices[table.name] = keys_owned_by(table, alice_);
    bobs[table.name] = keys_owned_by(table, bob_);
  }
  pqxx::work tx(*admin_);
  ASSERT_EQ(tx.exec_params("DELETE FROM auth.users WHERE id = $1", alice_).affected_rows(), 1u);
  for (const OwnedTable& table : kOwnedTables) {
    auto remaining = [&](const std::set<std::string>& keys) {
      return tx.exec_params1("SELECT count(*) FROM " + table.name + " t WHERE " + table.key + " = ANY($1::text[])",
                             text_array(keys))[0]
          .as<size_t>();
    };
    ASSERT_FALSE(alices[table.name].empty()) << table.name;
    EXPECT_EQ(remaining(alices[table.name]), 0u) << table.name << " kept rows of a deleted user";
    EXPECT_EQ(remaining(bobs[table.name]), bobs[table.name].size()) << table.name << " lost another user's rows";
  }
}

// Catalog lints: what the Supabase advisors check, on the schema as migrated.
class RlsCatalog : public RlsIsolation {};

TEST_F(RlsCatalog, EveryTableHasRowLevelSecurity) {
  pqxx::work tx(*admin_);
  auto tables = tx.exec(
      "SELECT format('%I.%I', n.nspname, c.relname), c.relrowsecurity FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'storage', 'auth')");
  EXPECT_GE(tables.size(), 22u) << "fewer tables than the migrations create";
  for (const auto& row : tables) EXPECT_TRUE(row[1].as<bool>()) << row[0].c_str() << " has RLS disabled";
}

TEST_F(RlsCatalog, EveryOwnershipColumnLeadsAnIndex) {
  pqxx::work tx(*admin_);
  auto columns = tx.exec(
      "SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname), "
      "  EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum) "
      "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind = 'r' AND n.nspname IN ('public', 'storage') AND NOT a.attisdropped "
      "  AND a.attname IN ('user_id', 'course_id', 'owner')");
  EXPECT_GE(columns.size(), 14u);
  for (const auto& row : columns) EXPECT_TRUE(row[1].as<bool>()) << row[0].c_str() << " has no index";
}

TEST_F(RlsCatalog, EveryForeignKeyIsCoveredByAnIndex) {
  pqxx::work tx(*admin_);
  // Covered: some index's leading columns are exactly the key's columns.
  auto keys = tx.exec(
      "SELECT k.conrelid::regclass::text || ' ' || k.conname, EXISTS ("
      "  SELECT 1 FROM pg_index i WHERE i.indrelid = k.conrelid "
      "  AND (i.indkey::int2[])[0:cardinality(k.conkey) - 1] @> k.conkey "
      "  AND (i.indkey::int2[])[0:cardinality(k.conkey) - 1] <@ k.conkey) "
      "FROM pg_constraint k WHERE k.contype = 'f' "
      "AND k.connamespace IN ('public'::regnamespace, 'storage'::regnamespace)");
  EXPECT_GE(keys.size(), 25u);
  for (const auto& row : keys) EXPECT_TRUE(row[1].as<bool>()) << row[0].c_str() << " is not covered";
}

TEST_F(RlsCatalog, PoliciesFollowTheConventions) {
  pqxx::work tx(*admin_);
  auto policies = tx.exec(
      "SELECT schemaname || '.' || tablename || ' ' || policyname, policyname, tablename, cmd, "
      "  coalesce(qual, ''), coalesce(with_check, '') FROM pg_policies "
      "WHERE schemaname IN ('public', 'storage')");
  EXPECT_GE(policies.size(), 35u);
  for (const auto& p : policies) {
    std::string what = p[0].c_str(), name = p[1].c_str(), table = p[2].c_str(), cmd = p[3].c_str();
    std::string expressions = std::string(p[4].c_str()) + " " + p[5].c_str();
    std::string command = cmd;
    for (auto& ch : command) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    EXPECT_EQ(name, table + "_" + command) << what;
    if (cmd == "UPDATE") {
      EXPECT_NE(std::string(p[5].c_str()), "") << what << " lacks WITH CHECK";
    }
    // Wrapped as (SELECT auth.uid()), deparsed as "( SELECT auth.uid() AS uid)".
    size_t calls = 0, wrapped = 0;
    for (size_t at = expressions.find("auth.uid()"); at != std::string::npos; at = expressions.find("auth.uid()", at + 1)) {
      ++calls;
      if (at >= 7 && expressions.compare(at - 7, 7, "SELECT ") == 0) ++wrapped;
    }
    EXPECT_EQ(calls, wrapped) << what << " calls auth.uid() per row";
  }
}

TEST_F(RlsCatalog, EveryTableWithUserDataIsProbedHere) {
  pqxx::work tx(*admin_);
  auto tables = first_column(tx.exec(
      "SELECT DISTINCT n.nspname || '.' || c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND NOT a.attisdropped "
      "AND n.nspname IN ('public', 'storage') AND a.attname IN ('user_id', 'course_id', 'owner')"));
  std::set<std::string> probed;
  for (const OwnedTable& t : kOwnedTables) probed.insert(t.name);
  EXPECT_EQ(tables, probed) << "add new user-owned tables to kOwnedTables";
}

}  // namespace
