// ScratchDatabase: a throw-away database golive creates next to the target
// (same server, CREATE DATABASE golive_scratch_<random hex>) and ALWAYS drops
// (DROP DATABASE ... WITH (FORCE)) when the owner goes out of scope, whatever
// happened in between. Never the target itself.
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>

namespace golive::db {

// The connection string `url` with its database replaced by `database`.
// Handles postgresql:// URIs (path component) and key=value strings.
std::string with_database(const std::string& url, const std::string& database);

// Name prefix of every scratch database; tests look for leftovers with it.
inline constexpr const char* kScratchPrefix = "golive_scratch_";

class ScratchDatabase {
 public:
  // Creates the database through the server of `target_url` (the role needs
  // CREATEDB). Throws std::runtime_error with PostgreSQL's message.
  explicit ScratchDatabase(const std::string& target_url);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }
  // A new connection to the scratch database.
  std::unique_ptr<pqxx::connection> connect() const;
  // Drops now (idempotent); the destructor calls it too. Returns "" or the error.
  std::string drop();

 private:
  std::string target_url_;
  std::string name_;
  std::string url_;
  bool dropped_ = false;
};

}  // namespace golive::db
