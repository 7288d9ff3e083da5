// RedisClient: golive's own minimal RESP2 client (blocking POSIX socket,
// 127.0.0.1-style IPv4 or a resolvable host name), enough for the cache
// checks: AUTH, SELECT, INFO, CONFIG GET, SCAN, TTL. Failures are data: each
// call returns a Reply whose `error` says what went wrong.
#pragma once

#include <string>
#include <vector>

namespace golive::infra {

struct RedisReply {
  std::string error;                  // non-empty: transport failure or a Redis error reply
  char type = 0;                      // '+', ':', '$', '*', or 0 on error
  std::string text;                   // simple string, integer text or bulk string
  std::vector<RedisReply> elements;   // array replies
  bool nil = false;
  bool ok() const { return error.empty(); }
};

struct RedisAddress {
  std::string host;
  int port = 6379;
  std::string username;  // ACL user ("" = default)
  std::string password;  // "" = no AUTH
  int database = 0;
};

// Parses redis://[[user]:password@]host[:port][/db]. Returns the problem text on failure.
std::string parse_redis_url(const std::string& url, RedisAddress* out);

class RedisClient {
 public:
  RedisClient() = default;
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Connects (2 s timeouts), authenticates and selects the database.
  // Returns "" or the problem ("AUTH refused: WRONGPASS ...").
  std::string connect(const RedisAddress& address);
  RedisReply command(const std::vector<std::string>& arguments);

 private:
  bool send_all(const std::string& bytes);
  bool read_line(std::string* line);
  bool read_reply(RedisReply* reply, int depth);

  int fd_ = -1;
  std::string buffer_;
};

// "key:value" lines of an INFO reply, as a map.
std::vector<std::pair<std::string, std::string>> parse_info(const std::string& text);
std::string info_value(const std::string& info_text, const std::string& key);

}  // namespace golive::infra
