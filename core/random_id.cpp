// Random bytes from the kernel's CSPRNG (getrandom(2)), and ids built on them.
#include "core/random_id.hpp"

#include <sys/random.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "core/encoding.hpp"

namespace golive::core {

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  std::size_t filled = 0;
  while (filled < n) {
    const ssize_t got = getrandom(out.data() + filled, n - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("getrandom failed: errno " + std::to_string(errno));
    }
    filled += static_cast<std::size_t>(got);
  }
  return out;
}

std::string random_hex(std::size_t n_bytes) {
  return to_hex(random_bytes(n_bytes));
}

std::string random_uuid() {
  std::string bytes = random_bytes(16);
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3f) | 0x80);  // RFC variant
  const std::string hex = to_hex(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace golive::core
