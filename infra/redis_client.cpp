#include "infra/redis_client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace golive::infra {

std::string parse_redis_url(const std::string& url, RedisAddress* out) {
  const std::string scheme = "redis://";
  if (url.rfind(scheme, 0) != 0) return "must start with redis:// (rediss:// is not supported)";
  std::string rest = url.substr(scheme.size());
  RedisAddress address;
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    const std::string userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    if (colon == std::string::npos) {
      address.password = userinfo;
    } else {
      address.username = userinfo.substr(0, colon);
      address.password = userinfo.substr(colon + 1);
    }
    rest = rest.substr(at + 1);
  }
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    const std::string db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty()) {
      if (db.find_first_not_of("0123456789") != std::string::npos || db.size() > 4) {
        return "the database number after / must be a small integer";
      }
      address.database = std::stoi(db);
    }
  }
  const auto colon = rest.rfind(':');
  address.host = colon == std::string::npos ? rest : rest.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) {
      return "has a bad port";
    }
    address.port = std::stoi(port);
    if (address.port < 1 || address.port > 65535) return "has a port outside 1..65535";
  }
  if (address.host.empty()) return "names no host";
  *out = address;
  return "";
}

RedisClient::~RedisClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string RedisClient::connect(const RedisAddress& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  if (::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return "cannot resolve " + address.host;
  }
  std::string problem = "cannot connect to " + address.host + ":" + port;
  for (addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    const int fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    timeval timeout{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (::connect(fd, candidate->ai_addr, candidate->ai_addrlen) == 0) {
      fd_ = fd;
      break;
    }
    problem += std::string(": ") + std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) return problem;
  if (!address.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!address.username.empty()) auth.push_back(address.username);
    auth.push_back(address.password);
    const RedisReply reply = command(auth);
    if (!reply.ok()) return "AUTH refused: " + reply.error;
  }
  // A server that wants a password answers NOAUTH here when none was given.
  const RedisReply ping = command({"PING"});
  if (!ping.ok()) return ping.error.rfind("NOAUTH", 0) == 0 ? "AUTH required: " + ping.error : ping.error;
  if (address.database != 0) {
    const RedisReply reply = command({"SELECT", std::to_string(address.database)});
    if (!reply.ok()) return "SELECT " + std::to_string(address.database) + " refused: " + reply.error;
  }
  return "";
}

bool RedisClient::send_all(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool RedisClient::read_line(std::string* line) {
  for (;;) {
    if (const auto end = buffer_.find("\r\n"); end != std::string::npos) {
      *line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      return true;
    }
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool RedisClient::read_reply(RedisReply* reply, int depth) {
  std::string line;
  if (depth > 4 || !read_line(&line) || line.empty()) return false;
  reply->type = line[0];
  const std::string rest = line.substr(1);
  switch (line[0]) {
    case '+':
    case ':':
      reply->text = rest;
      return true;
    case '-':
      reply->error = rest.empty() ? "error reply" : rest;
      return true;
    case '$': {
      const long length = std::stol(rest);
      if (length < 0) {
        reply->nil = true;
        return true;
      }
      const auto wanted = static_cast<std::size_t>(length) + 2;
      while (buffer_.size() < wanted) {
        char chunk[16384];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
      }
      reply->text = buffer_.substr(0, static_cast<std::size_t>(length));
      buffer_.erase(0, wanted);
      return true;
    }
    case '*': {
      const long count = std::stol(rest);
      if (count < 0) {
        reply->nil = true;
        return true;
      }
      for (long i = 0; i < count; ++i) {
        RedisReply element;
        if (!read_reply(&element, depth + 1)) return false;
        reply->elements.push_back(std::move(element));
      }
      return true;
    }
    default:
      return false;
  }
}

RedisReply RedisClient::command(const std::vector<std::string>& arguments) {
  RedisReply reply;
  if (fd_ < 0) {
    reply.error = "not connected";
    return reply;
  }
  std::string bytes = "*" + std::to_string(arguments.size()) + "\r\n";
  for (const auto& argument : arguments) {
    bytes += "$" + std::to_string(argument.size()) + "\r\n" + argument + "\r\n";
  }
  if (!send_all(bytes) || !read_reply(&reply, 0)) {
    reply = RedisReply{};
    reply.error = "connection lost or timed out during " + arguments.front();
    ::close(fd_);
    fd_ = -1;
  }
  return reply;
}

std::vector<std::pair<std::string, std::string>> parse_info(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    if (colon != std::string::npos) fields.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return fields;
}

std::string info_value(const std::string& info_text, const std::string& key) {
  for (const auto& [name, value] : parse_info(info_text)) {
    if (name == key) return value;
  }
  return "";
}

}  // namespace golive::infra
