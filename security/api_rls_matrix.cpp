#include "security/api_rls_matrix.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "core/interrupt.hpp"
#include "security/api_rls_cells.hpp"
#include "security/api_rls_functions.hpp"
#include "security/api_rls_rows.hpp"
#include "security/http_probe_support.hpp"
#include "security/rls_cross_user_probe.hpp"
#include "security/rls_suite.hpp"
#include "security/rls_table_model.hpp"
#include "target/postgres.hpp"

namespace golive::security {

namespace {

using Clock = std::chrono::steady_clock;
using core::Severity;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Tables whose rows belong to a user (directly or through a parent's owner):
// A's row and B's row are seeded, so A is tried on B's. Public reads do not
// change that: B's row of a public_read_owner_write table is readable but not
// writable by A.
bool owned(const TableInfo& table) {
  return table.ownership && (table.expectation == AccessExpectation::kOwnerCrud ||
                             table.expectation == AccessExpectation::kOwnerReadOnly ||
                             table.expectation == AccessExpectation::kOwnerVia ||
                             table.expectation == AccessExpectation::kPublicReadOwnerWrite);
}

// The tables the API exposes: the tables of the served schemas
// (options.schemas) with a declared /rest/v1/<table> endpoint, or all of
// them when nothing is declared.
std::vector<const TableInfo*> exposed_tables(const config::Environment& env, const ApiRlsOptions& options,
                                             const std::vector<TableInfo>& tables) {
  std::vector<const TableInfo*> exposed;
  for (const TableInfo& table : tables) {
    if (std::find(options.schemas.begin(), options.schemas.end(), table.schema) == options.schemas.end()) continue;
    if (!options.declared_found) {
      exposed.push_back(&table);
      continue;
    }
    const std::string path = env.paths.rest + "/" + table.name;
    const bool declared = std::any_of(options.declared.begin(), options.declared.end(),
                                      [&](const target::DeclaredEndpoint& endpoint) {
                                        return endpoint.pattern == path;
                                      });
    if (declared) exposed.push_back(&table);
  }
  return exposed;
}

class Matrix {
 public:
  Matrix(const config::Environment& env, const ApiRlsOptions& options, core::ResultSink& sink,
         pqxx::connection& connection, const ProbeClient& client, std::vector<AuthzResource> functions)
      : env_(env), options_(options), sink_(sink), connection_(connection), client_(client),
        functions_(std::move(functions)) {}

  ApiRlsOutcome run(const std::vector<TableInfo>& tables, const ProbeUserPair& users) {
    const auto started = Clock::now();
    started_ = started;
    const auto exposed = exposed_tables(env_, options_, tables);
    outcome_.tables_exposed = exposed.size();
    a_ = users.a;
    b_ = users.b;
    // Parents are seeded before the rows that reference them, and probed
    // after them: a delete of a parent row cascades to its children.
    const std::vector<const TableInfo*> seeding = seeding_order(exposed);
    probing_.assign(seeding.rbegin(), seeding.rend());
    for (const TableInfo* table : seeding) seed(*table);
    // Function routes first: the table cells delete the rows they aim at.
    for (const AuthzResource& resource : functions_) probe_function(resource);
    const std::vector<const TableInfo*>& probing = probing_;
    for (const TableInfo* table : probing) {
      if (out_of_time()) {
        for (const char* method : {"GET", "HEAD", "POST", "PATCH", "DELETE"}) {
          outcome_.not_sent[route(method, *table)] = "the API access matrix ran out of time before this table";
        }
        sink_.record(CheckBuilder(table_check_id(*table), table_check_title(*table), Severity::kCritical)
                         .skip("not probed: the matrix's time budget (" + budget_text() +
                               ") ran out or the run was interrupted"));
        continue;
      }
      probe(*table);
    }
    clean_up();
    outcome_.elapsed_ms = elapsed_ms(started);
    return outcome_;
  }

 private:
  struct Seeded {
    RowShape shape;
    std::map<std::string, RowValues> rows;  // owner ("" shared) -> seeded row
    std::string why_not;                    // when a row is missing
  };

  bool out_of_time() const { return core::interrupted() || Clock::now() - started_ > options_.budget; }
  std::string budget_text() const {
    const auto ms = options_.budget.count();
    return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
  }

  std::string route(const std::string& method, const TableInfo& table) const {
    return table_route(env_, method, table);
  }

  // Reads every table's shape, then orders the tables so that a table comes
  // after the exposed tables its foreign keys reference (cycles: as listed).
  std::vector<const TableInfo*> seeding_order(const std::vector<const TableInfo*>& exposed) {
    for (const TableInfo* table : exposed) {
      Seeded& seeded = seeded_[table->qualified()];
      try {
        target::with_rolled_back_transaction(connection_, [&](pqxx::work& txn) {
          seeded.shape = read_row_shape(txn, *table);
        });
      } catch (const pqxx::sql_error& e) {
        seeded.why_not = e.what();
      }
    }
    std::vector<const TableInfo*> order, pending = exposed;
    while (!pending.empty()) {
      const auto ready = std::find_if(pending.begin(), pending.end(), [&](const TableInfo* table) {
        for (const ForeignKey& reference : seeded_[table->qualified()].shape.references) {
          if (reference.table == table->qualified()) continue;
          const bool waits = std::any_of(pending.begin(), pending.end(), [&](const TableInfo* other) {
            return other->qualified() == reference.table;
          });
          if (waits) return false;
        }
        return true;
      });
      const auto next = ready == pending.end() ? pending.begin() : ready;
      order.push_back(*next);
      pending.erase(next);
    }
    return order;
  }

  // The probe's rows of `owner` in every table seeded so far.
  OwnerRows owner_rows(const std::string& owner) const {
    OwnerRows rows;
    if (owner.empty()) return rows;
    for (const auto& [name, seeded] : seeded_) {
      const auto row = seeded.rows.find(owner);
      if (row != seeded.rows.end()) rows[name] = row->second;
    }
    return rows;
  }

  void seed(const TableInfo& table) {
    Seeded& seeded = seeded_[table.qualified()];
    if (!seeded.why_not.empty()) return;
    if (table.primary_key.empty()) {
      seeded.why_not = "the table has no primary key, so single rows cannot be addressed";
      return;
    }
    std::vector<std::pair<std::string, bool>> owners;  // owner, created here
    if (owned(table)) {
      owners = {{a_.id, a_.created_here}, {b_.id, b_.created_here}};
    } else {
      owners = {{"", false}};
    }
    for (const auto& [owner, created_here] : owners) {
      const OwnerRows parents = owner_rows(owner);
      if (table.ownership && !table.ownership->direct() && !owner.empty() &&
          parents.count(table.ownership->parent_table) == 0) {
        seeded.why_not = "no probe row of the parent table " + table.ownership->parent_table;
        return;
      }
      // A user made for the probe may already own a row (a profile its
      // signup created): that row goes with the user.
      if (created_here) {
        if (auto row = existing_row(connection_, table, owner)) {
          seeded.rows[owner] = *row;
          continue;
        }
      }
      std::string why;
      auto row = seed_row(connection_, table, seeded.shape, owner, parents, &why);
      if (!row) {
        seeded.why_not = why;
        return;
      }
      seeded.rows[owner] = *row;
      cleanup_[table.qualified()].push_back(key_of(table, *row));
    }
  }

  std::vector<CellTarget> targets(const TableInfo& table, const Seeded& seeded) const {
    const MatrixActor anon{"anon", "anon", "anon", "", ""};
    if (!owned(table)) {
      const RowValues& row = seeded.rows.at("");
      return {{anon, row, ""},
              {{"authenticated", "user A", "authenticated", a_.id, a_.access_token}, row, ""}};
    }
    const RowValues& row_a = seeded.rows.at(a_.id);
    const RowValues& row_b = seeded.rows.at(b_.id);
    return {{anon, row_a, a_.id},
            {{"own", "user A on A's row", "authenticated", a_.id, a_.access_token}, row_a, a_.id},
            {{"cross", "user A on user B's row", "authenticated", a_.id, a_.access_token}, row_b, b_.id}};
  }

  void probe(const TableInfo& table) {
    const Seeded& seeded = seeded_.at(table.qualified());
    const CellContext context{env_, connection_, client_};
    if (!seeded.why_not.empty()) {
      // Still read it as anon, so the report shows the route answered.
      ++outcome_.requests;
      client_.send_as("", "GET", env_.paths.rest + "/" + table.name + "?limit=1", "", profile_headers("GET", table));
      for (const char* method : {"HEAD", "POST", "PATCH", "DELETE"}) {
        outcome_.not_sent[route(method, table)] = "the API access matrix has no probe row of this table: " +
                                                  seeded.why_not.substr(0, 160);
      }
      CheckBuilder check(table_check_id(table), table_check_title(table), Severity::kCritical);
      sink_.record(check.skip("not compared: no probe row (" + seeded.why_not + ")",
                              {{"expectation", to_string(table.expectation)}}));
      return;
    }
    nlohmann::json cells = nlohmann::json::array();
    // The budget is checked before every cell: once spent, the table's
    // remaining cells are recorded as not tried and no request is sent.
    std::map<std::string, bool> route_sent;  // route -> at least one cell sent
    for (const char* op : kCellOps) {
      for (const CellTarget& target : targets(table, seeded)) {
        if (out_of_time()) {
          route_sent.emplace(route(method_of(op), table), false);
          cells.push_back(not_tried_cell(context, table, target, op,
                                         "the matrix's time budget (" + budget_text() + ") ran out"));
          continue;
        }
        CellOutcome done = run_cell(context, table, seeded.shape, target, op, owner_rows(target.owner));
        if (done.sent) ++outcome_.requests;
        if (done.inserted) cleanup_[table.qualified()].push_back(*done.inserted);
        route_sent[done.cell["route"].get<std::string>()] = true;
        cells.push_back(std::move(done.cell));
      }
    }
    for (const auto& [name, sent] : route_sent) {
      if (!sent) outcome_.not_sent[name] = "the API access matrix ran out of time within this table";
    }
    TableVerdict verdict = table_check(table, cells, budget_text());
    outcome_.findings += verdict.findings;
    outcome_.cells_not_tried += verdict.not_tried;
    if (verdict.compared) ++outcome_.tables_compared;
    sink_.record(verdict.check);
  }

  // A declared resource's function routes on the seeded rows of its table.
  void probe_function(const AuthzResource& resource) {
    CheckBuilder check(function_check_id(resource), "The function routes of " + resource.name +
                       " grant no more than the database's row level security", Severity::kCritical);
    const auto table = std::find_if(probing_.begin(), probing_.end(), [&](const TableInfo* candidate) {
      return candidate->qualified() == resource.table;
    });
    std::string why;
    if (out_of_time()) {
      why = "the matrix's time budget (" + budget_text() + ") ran out or the run was interrupted";
    } else if (table == probing_.end()) {
      why = resource.table + " is not a table the API exposes (the schemas of security.api_rls.schemas)";
    } else if (!owned(**table)) {
      why = resource.table + " has no owner column, so there is no user B's row to aim at";
    } else if (!seeded_.at(resource.table).why_not.empty()) {
      why = "no probe row of " + resource.table + ": " + seeded_.at(resource.table).why_not;
    }
    if (!why.empty()) {
      sink_.record(check.skip("not compared: " + why, {{"table", resource.table}}));
      return;
    }
    const Seeded& seeded = seeded_.at(resource.table);
    const nlohmann::json key_a = key_of(**table, seeded.rows.at(a_.id));
    const nlohmann::json key_b = key_of(**table, seeded.rows.at(b_.id));
    const std::vector<FunctionCaller> callers = {{"anon", "anon", "", "", key_a},
                                                 {"own", "authenticated", a_.id, a_.access_token, key_a},
                                                 {"cross", "authenticated", a_.id, a_.access_token, key_b}};
    FunctionProbeCount count;
    sink_.record(probe_function_resource(resource, **table, callers, connection_, client_, count));
    outcome_.requests += count.requests;
    outcome_.findings += count.findings;
  }

  // Deletes every row the matrix made: children first (the probing order),
  // newest rows first. Runs once, from run() or, when run() threw, here.
  void clean_up() {
    for (const TableInfo* table : probing_) {
      auto keys = cleanup_[table->qualified()];
      std::reverse(keys.begin(), keys.end());
      delete_rows(connection_, *table, keys);
    }
    cleanup_.clear();
  }

 public:
  ~Matrix() {
    try {
      clean_up();
    } catch (const std::exception&) {
      // The connection is gone: nothing more can be deleted from here.
    }
  }

 private:

  const config::Environment& env_;
  const ApiRlsOptions& options_;
  core::ResultSink& sink_;
  pqxx::connection& connection_;
  const ProbeClient& client_;
  std::vector<AuthzResource> functions_;  // declared resources on function routes
  ProbeUser a_, b_;
  Clock::time_point started_ = Clock::now();
  std::map<std::string, Seeded> seeded_;
  std::map<std::string, std::vector<nlohmann::json>> cleanup_;  // table -> keys to delete
  std::vector<const TableInfo*> probing_;                        // children before parents
  ApiRlsOutcome outcome_;
};

core::CheckResult residue_check(const std::map<std::string, long long>& before,
                                const std::map<std::string, long long>& after, bool users_released) {
  CheckBuilder check("security.api_rls.residue", "The API access matrix leaves every table's row count unchanged",
                     Severity::kHigh);
  nlohmann::json changed = nlohmann::json::object();
  for (const auto& [table, count] : before) {
    const auto found = after.find(table);
    const long long now = found == after.end() ? -1 : found->second;
    if (now != count) changed[table] = {{"before", count}, {"after", now}};
  }
  const nlohmann::json evidence = {{"tables_counted", before.size()}, {"changed", changed},
                                   {"users_released", users_released}};
  if (!changed.empty()) {
    return check.fail(std::to_string(changed.size()) +
                          " table(s) changed row count across the matrix (a row it made was left behind, or "
                          "another writer was active).",
                      evidence);
  }
  if (!users_released) return check.fail("The probe users could not be deleted again.", evidence);
  return check.pass("All " + std::to_string(before.size()) +
                        " tables have the same row count as before the matrix; its users were deleted.",
                    evidence);
}

}  // namespace

ApiRlsOutcome run_api_rls_matrix(const config::Environment& env, const ApiRlsOptions& options,
                                 core::ResultSink& sink) {
  const RlsSettings settings = read_rls_settings(env, RlsOptions{});
  CheckBuilder setup("security.api_rls.setup", "The API access matrix has a database, an API and two users",
                     Severity::kHigh);
  ApiRlsOutcome outcome;
  auto connected = target::connect_database(env.database_url);
  if (!connected.ok()) {
    sink.record(setup.error("Cannot connect to database_url: " + connected.error));
    return outcome;
  }
  pqxx::connection& connection = *connected.connection;
  const std::vector<AuthzResource> functions = function_resources(env);
  // The RLS suite's schemas and the ones the REST API serves.
  std::vector<std::string> schemas = settings.exposed_schemas;
  for (const std::string& schema : options.schemas) {
    if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end()) schemas.push_back(schema);
  }
  std::vector<TableInfo> tables;
  try {
    target::with_rolled_back_transaction(connection, [&](pqxx::work& txn) {
      txn.exec("SET TRANSACTION READ ONLY");
      tables = load_table_model(txn, schemas, applicable_expectations(txn, settings));
    });
  } catch (const std::exception& e) {
    sink.record(setup.error(std::string("Cannot read the table model: ") + e.what()));
    return outcome;
  }
  std::map<std::string, long long> before;
  try {
    before = count_rows(connection, tables);
  } catch (const std::exception& e) {
    sink.record(setup.error(std::string("Cannot count rows before the matrix: ") + e.what()));
    return outcome;
  }
  ProbeClient client(env, options.request_timeout, options.request_observer);
  const char* enable_with = "set auth.signup_enabled, auth.service_role_key, auth.test_users or jwt_secret";
  std::optional<ProbeUserPair> users;
  bool minted = false;
  std::string why;
  bool not_configured = false;
  if (options.users == MatrixUsers::kAuth || (options.users == MatrixUsers::kAuto && env.jwt_secret.empty())) {
    users = probe_user_pair_or_record(client, setup, enable_with, sink);
    if (!users) return outcome;
  } else {
    if (options.users == MatrixUsers::kAuto) users = obtain_probe_user_pair(client, &why, &not_configured);
    if (!users) {
      // Minted with jwt_secret: no auth request at all.
      std::string mint_why;
      core::Redactor& redactor = options.redactor != nullptr ? *options.redactor : core::Redactor::global();
      auto a = mint_probe_user(connection, env, redactor, &mint_why);
      auto b = a ? mint_probe_user(connection, env, redactor, &mint_why) : std::nullopt;
      if (a && !b) release_minted_user(connection, *a);
      if (!a || !b) {
        const std::string message = (why.empty() ? "" : "no users from auth (" + why + "), ") +
                                    "no minted users (" + mint_why + ")";
        sink.record(not_configured ? setup.skip(message + "; " + enable_with) : setup.error(message));
        return outcome;
      }
      users = ProbeUserPair{std::move(*a), std::move(*b)};
      minted = true;
    }
  }
  const auto release = [&](const ProbeUser& user) {
    return minted ? release_minted_user(connection, user) : delete_probe_user(client, user);
  };
  // The database can go away mid-run: the checks recorded so far stand, the
  // users are still released, and the setup check says where it stopped.
  std::string stopped;
  try {
    Matrix matrix(env, options, sink, connection, client, functions);
    outcome = matrix.run(tables, *users);
  } catch (const std::exception& e) {
    stopped = e.what();
  }
  const bool released = release(users->a) & release(users->b);
  if (!stopped.empty()) {
    sink.record(setup.error("The matrix stopped: " + stopped + " (its clean-up was attempted; the "
                            "residue was not counted)"));
    return outcome;
  }
  try {
    sink.record(residue_check(before, count_rows(connection, tables), released));
  } catch (const std::exception& e) {
    sink.record(setup.error(std::string("Cannot count rows after the matrix: ") + e.what()));
    return outcome;
  }
  sink.record(setup.pass(std::to_string(outcome.tables_exposed) + " exposed table(s), " +
                             std::to_string(outcome.tables_compared) + " compared, " +
                             std::to_string(outcome.findings) + " api_bypasses_rls finding(s), " +
                             std::to_string(outcome.requests) + " API requests in " +
                             std::to_string(static_cast<long long>(outcome.elapsed_ms)) + " ms.",
                         {{"tables_exposed", outcome.tables_exposed},
                          {"tables_compared", outcome.tables_compared},
                          {"findings", outcome.findings},
                          {"requests", outcome.requests},
                          {"cells_not_tried", outcome.cells_not_tried},
                          {"budget_ms", options.budget.count()},
                          {"elapsed_ms", outcome.elapsed_ms},
                          {"function_resources", functions.size()},
                          {"users", minted ? "minted" : "auth"},
                          {"declaration", options.declared_found ? "declared endpoints" : "every public table"}}));
  return outcome;
}

config::Capability api_rls_capability(const config::Environment& env) {
  if (env.database_url.empty()) return {"security.api_rls", false, "no database_url: the API access matrix is skipped"};
  if (env.base_url.empty()) return {"security.api_rls", false, "no base_url: the API access matrix is skipped"};
  return {"security.api_rls", true, "API access matrix against the database's row level security enabled"};
}

}  // namespace golive::security
