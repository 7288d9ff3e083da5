#include "db/scratch_database.hpp"

#include <random>
#include <stdexcept>

#include "target/postgres.hpp"

namespace golive::db {

namespace {

std::string random_suffix() {
  std::random_device device;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string suffix;
  for (int i = 0; i < 12; ++i) suffix += "0123456789abcdef"[digit(device)];
  return suffix;
}

// Runs one statement outside a transaction (CREATE/DROP DATABASE refuse one)
// on the target server's maintenance connection.
void run_outside_transaction(const std::string& url, const std::string& statement) {
  auto db = target::connect_database(url);
  if (!db.ok()) throw std::runtime_error("cannot connect to the target server: " + db.error);
  pqxx::nontransaction txn(*db.connection);
  txn.exec(statement);
}

}  // namespace

std::string with_database(const std::string& url, const std::string& database) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + database;
  auto path = url.find('/', scheme + 3);
  auto query = url.find('?', scheme + 3);
  std::string authority_end = url.substr(0, std::min(path, query));
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return authority_end + "/" + database + rest;
}

ScratchDatabase::ScratchDatabase(const std::string& target_url)
    : target_url_(target_url), name_(std::string(kScratchPrefix) + random_suffix()) {
  url_ = with_database(target_url_, name_);
  run_outside_transaction(target_url_, "CREATE DATABASE " + name_);
}

ScratchDatabase::~ScratchDatabase() { drop(); }

std::unique_ptr<pqxx::connection> ScratchDatabase::connect() const {
  auto db = target::connect_database(url_);
  if (!db.ok()) throw std::runtime_error("cannot connect to scratch database " + name_ + ": " + db.error);
  return std::move(db.connection);
}

std::string ScratchDatabase::drop() {
  if (dropped_) return "";
  try {
    run_outside_transaction(target_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    dropped_ = true;
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace golive::db
