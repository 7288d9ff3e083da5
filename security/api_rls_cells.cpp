#include "security/api_rls_cells.hpp"

#include "core/encoding.hpp"

namespace golive::security {

namespace {

using core::Severity;

// What the API did with one request.
struct ApiAttempt {
  Access access = Access::kUndecided;
  int status = 0;
  std::string note;  // why undecided
};

std::string value_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// ?k=eq.v&... for the key, percent-encoded.
std::string key_query(const nlohmann::json& key) {
  std::string query;
  for (const auto& item : key.items()) {
    query += (query.empty() ? "?" : "&") + core::percent_encode(item.key()) + "=eq." +
             core::percent_encode(value_text(item.value()));
  }
  return query;
}

std::size_t json_rows(const std::string& body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  return parsed.is_array() ? parsed.size() : 0;
}

// The total of a Content-Range header ("0-0/1", "*/0"), or -1.
long long content_range_total(const http::HttpResponse& response) {
  const auto header = response.header("content-range");
  if (!header) return -1;
  const auto slash = header->rfind('/');
  if (slash == std::string::npos || slash + 1 >= header->size() || (*header)[slash + 1] == '*')
    return -1;
  try {
    return std::stoll(header->substr(slash + 1));
  } catch (const std::exception&) {
    return -1;
  }
}

// Classifies an answer (see the header).
ApiAttempt classify(const std::string& op, const http::HttpResponse& response) {
  ApiAttempt attempt;
  attempt.status = response.status;
  if (!response.transport_ok()) {
    attempt.note = "no answer: " + response.error_message;
    return attempt;
  }
  if (response.status == 401 || response.status == 403) {
    attempt.access = Access::kDenied;
    return attempt;
  }
  if (response.status / 100 != 2) {
    attempt.note = "status " + std::to_string(response.status);
    return attempt;
  }
  if (op == "insert") {
    attempt.access = Access::kAllowed;
  } else if (op == "count") {
    const long long total = content_range_total(response);
    if (total < 0) {
      attempt.note = "no Content-Range total";
    } else {
      attempt.access = total > 0 ? Access::kAllowed : Access::kDenied;
    }
  } else {
    attempt.access = json_rows(response.body) > 0 ? Access::kAllowed : Access::kDenied;
  }
  return attempt;
}

std::string verdict_of(Access db, Access api) {
  if (db == Access::kUndecided || api == Access::kUndecided) return "undecided";
  if (db == api) return "agree";
  return db == Access::kDenied ? "api_bypasses_rls" : "api_stricter";
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : "; ") + item;
  return text;
}

}  // namespace

const char* method_of(const std::string& op) {
  if (op == "select") return "GET";
  if (op == "count") return "HEAD";
  if (op == "update") return "PATCH";
  if (op == "delete") return "DELETE";
  return "POST";
}

std::string table_route(const config::Environment& env, const std::string& method,
                        const TableInfo& table) {
  return method + " " + env.paths.rest + "/" + table.name +
         (table.schema == "public" ? "" : " (schema " + table.schema + ")");
}

std::vector<std::pair<std::string, std::string>> profile_headers(const std::string& method,
                                                                 const TableInfo& table) {
  if (table.schema == "public") return {};
  return {
      {method == "GET" || method == "HEAD" ? "Accept-Profile" : "Content-Profile", table.schema}};
}

std::string table_check_id(const TableInfo& table) {
  return "security.api_rls." + table.schema + "." + table.name;
}

std::string table_check_title(const TableInfo& table) {
  return "The API grants on " + table.qualified() +
         " no more than the database's row level security";
}

nlohmann::json not_tried_cell(const CellContext& context, const TableInfo& table,
                              const CellTarget& target, const std::string& op,
                              const std::string& why) {
  return {{"op", op},
          {"actor", target.actor.name},
          {"route", table_route(context.env, method_of(op), table)},
          {"verdict", "not_tried"},
          {"note", why}};
}

CellOutcome run_cell(const CellContext& context, const TableInfo& table, const RowShape& shape,
                     const CellTarget& target, const std::string& op, const OwnerRows& parents) {
  const std::string base = context.env.paths.rest + "/" + table.name;
  const nlohmann::json key = key_of(table, target.row);
  const std::string method = method_of(op);
  ApiRlsOp db_op = ApiRlsOp::kSelect;
  RowValues candidate;
  std::string path = base + key_query(key), body;
  std::vector<std::pair<std::string, std::string>> headers = profile_headers(method, table);
  CellOutcome outcome;
  if (op == "count") {
    headers.emplace_back("Prefer", "count=exact");
  } else if (op == "update") {
    db_op = ApiRlsOp::kUpdate;
    const std::string column = touch_column(table);
    body = nlohmann::json{{column, target.row.value(column, nlohmann::json())}}.dump();
    headers.emplace_back("Prefer", "return=representation");
  } else if (op == "delete") {
    db_op = ApiRlsOp::kDelete;
    headers.emplace_back("Prefer", "return=representation");
  } else if (op == "insert") {
    db_op = ApiRlsOp::kInsert;
    path = base;
    std::string why;
    auto row =
        candidate_row(context.connection, table, shape, target.row, target.owner, parents, &why);
    if (!row) {
      outcome.cell = {{"op", op},
                      {"actor", target.actor.name},
                      {"route", table_route(context.env, method, table)},
                      {"verdict", "undecided"},
                      {"note", why}};
      return outcome;
    }
    candidate = *row;
    body = candidate.dump();
    headers.emplace_back("Prefer", "return=minimal");
  }
  const DbAttempt db = database_attempt(context.connection, table, db_op, target.actor.role,
                                        target.actor.user_id, key, candidate);
  const http::HttpRequest request =
      context.client.request_as(target.actor.token, method, path, body, headers);
  const http::HttpResponse response = context.client.send(request);
  outcome.sent = true;
  const ApiAttempt api = classify(op, response);
  if (op == "insert" && response.transport_ok() && response.status / 100 == 2) {
    outcome.inserted = key_of(table, candidate);
  }
  nlohmann::json& cell = outcome.cell;
  cell = {{"op", op},
          {"actor", target.actor.name},
          {"route", table_route(context.env, method, table)},
          {"db", to_string(db.access)},
          {"api", to_string(api.access)},
          {"status", api.status},
          {"verdict", verdict_of(db.access, api.access)}};
  if (!db.error.empty()) cell["db_error"] = db.error.substr(0, 200);
  if (!api.note.empty()) cell["note"] = api.note;
  if (cell["verdict"] == "api_bypasses_rls") {
    cell["response"] = response_excerpt(response, 120);
    cell.update(context.client.reproduction(request));
  }
  return outcome;
}

void reproduce_first_bypass(CheckBuilder& check, const nlohmann::json& cells) {
  for (const auto& cell : cells) {
    if (!cell.contains("reproduction")) continue;
    nlohmann::json reproduction = {{"reproduction", cell["reproduction"]}};
    if (cell.contains("reproduction_env")) reproduction["reproduction_env"] = cell["reproduction_env"];
    check.reproduce(std::move(reproduction));
    return;
  }
}

TableVerdict table_check(const TableInfo& table, const nlohmann::json& cells,
                         const std::string& budget) {
  CheckBuilder check(table_check_id(table), table_check_title(table), Severity::kCritical);
  std::vector<std::string> bypasses, stricter;
  std::size_t decided = 0;
  TableVerdict verdict;
  for (const auto& c : cells) {
    const std::string outcome = c["verdict"];
    if (outcome == "not_tried") ++verdict.not_tried;
    if (outcome != "undecided" && outcome != "not_tried") ++decided;
    const std::string what = c["route"].get<std::string>() + " as " +
                             c["actor"].get<std::string>() + " (" + c["op"].get<std::string>() +
                             ")";
    if (outcome == "api_bypasses_rls") bypasses.push_back(what);
    if (outcome == "api_stricter") stricter.push_back(what);
  }
  const nlohmann::json evidence = {{"expectation", to_string(table.expectation)},
                                   {"cells", cells},
                                   {"api_bypasses_rls", bypasses},
                                   {"api_stricter", stricter},
                                   {"not_tried", verdict.not_tried}};
  verdict.findings = bypasses.size();
  verdict.compared = !bypasses.empty() || decided > 0;
  reproduce_first_bypass(check, cells);
  if (!bypasses.empty()) {
    verdict.check =
        check.fail("api_bypasses_rls: the API allowed what the database denies the same role: " +
                       join(bypasses) +
                       ". The route queries with a role that bypasses row level "
                       "security (e.g. the service role).",
                   evidence);
  } else if (verdict.not_tried > 0) {
    verdict.check = check.skip(
        "partly compared: " + std::to_string(verdict.not_tried) + " of " +
            std::to_string(cells.size()) + " cells not tried (the matrix's time budget of " +
            budget + " ran out); the " + std::to_string(decided) +
            " decided cell(s) found nothing the database denies. Raise the budget to decide.",
        evidence);
  } else if (decided == 0) {
    verdict.check = check.skip("not compared: no cell was decided on both sides", evidence);
  } else {
    std::string message = std::to_string(decided) + " of " + std::to_string(cells.size()) +
                          " cells decided; the API allowed nothing the database denies.";
    if (!stricter.empty()) {
      message += " Informational, api_stricter (the API refuses what the database allows): " +
                 join(stricter) + ".";
    }
    verdict.check = check.pass(message, evidence);
  }
  return verdict;
}

}  // namespace golive::security
