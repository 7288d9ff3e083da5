#include "http/curl/curl_socket_table.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <utility>

namespace golive::http {

CurlSocketTable::CurlSocketTable(boost::asio::io_context& io, std::weak_ptr<void> owner_alive,
                                 ReadyHandler on_ready)
    : io_(io), owner_alive_(std::move(owner_alive)), on_ready_(std::move(on_ready)) {}

CurlSocketTable::~CurlSocketTable() {
  // The owner cleans up its curl multi handle first, which closes every
  // connection through close_socket(). Anything left is closed or released
  // here so no descriptor outlives the engine.
  for (auto& slot : slots_) {
    if (!slot) continue;
    boost::system::error_code ignored;
    if (slot->ownership == Ownership::kOwned) {
      slot->descriptor.close(ignored);
    } else if (slot->ownership == Ownership::kForeign) {
      slot->descriptor.release();
    }
  }
}

CurlSocketTable::Slot* CurlSocketTable::find_slot(curl_socket_t socket) {
  if (socket < 0 || static_cast<std::size_t>(socket) >= slots_.size()) return nullptr;
  return slots_[static_cast<std::size_t>(socket)].get();
}

CurlSocketTable::Slot& CurlSocketTable::slot_for(curl_socket_t socket) {
  const auto index = static_cast<std::size_t>(socket);
  if (index >= slots_.size()) slots_.resize(index + 1);
  if (!slots_[index]) slots_[index] = std::make_unique<Slot>(io_);
  return *slots_[index];
}

curl_socket_t CurlSocketTable::open_socket(int family, int type, int protocol) {
  const int fd = ::socket(family, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  Slot& slot = slot_for(fd);
  if (slot.ownership == Ownership::kForeign) {
    // The kernel handed out this number again, so the foreign descriptor we
    // were watching is already closed. Drop our non-owning view of it.
    forget_waits(slot);
    slot.descriptor.release();
    slot.ownership = Ownership::kNone;
  }
  boost::system::error_code error;
  slot.descriptor.assign(fd, error);
  if (error) {
    ::close(fd);
    return CURL_SOCKET_BAD;
  }
  slot.ownership = Ownership::kOwned;
  slot.wanted = 0;
  forget_waits(slot);
  ++owned_count_;
  return fd;
}

int CurlSocketTable::close_socket(curl_socket_t socket) {
  Slot* slot = find_slot(socket);
  if (slot == nullptr || slot->ownership != Ownership::kOwned) {
    // Not one of ours (should not happen): close it as curl itself would.
    return ::close(socket);
  }
  forget_waits(*slot);
  slot->wanted = 0;
  slot->ownership = Ownership::kNone;
  --owned_count_;
  boost::system::error_code error;
  slot->descriptor.close(error);  // deregisters from epoll, aborts waits, closes
  return error ? -1 : 0;
}

void* CurlSocketTable::update_interest(curl_socket_t socket, int what, void* assigned) {
  auto* slot = static_cast<Slot*>(assigned);
  if (what == CURL_POLL_REMOVE) {
    // curl no longer needs readiness for this socket. An owned socket may stay
    // open (idle in curl's connection cache) until close_socket(); with no
    // wait armed it keeps no work pending in the io_context.
    if (slot == nullptr) slot = find_slot(socket);
    if (slot == nullptr) return nullptr;
    slot->wanted = 0;
    forget_waits(*slot);
    if (slot->ownership == Ownership::kForeign) {
      slot->descriptor.release();  // never close what curl owns
      slot->ownership = Ownership::kNone;
    }
    return nullptr;
  }

  const bool first_sight = slot == nullptr;
  if (first_sight) {
    slot = &slot_for(socket);
    if (slot->ownership == Ownership::kForeign) {
      // curl has forgotten the previous socket with this number without a
      // CURL_POLL_REMOVE; its epoll registration may be stale. Start over.
      forget_waits(*slot);
      slot->descriptor.release();
      slot->ownership = Ownership::kNone;
    }
    if (slot->ownership == Ownership::kNone) {
      boost::system::error_code error;
      slot->descriptor.assign(socket, error);
      if (error) return nullptr;  // cannot be watched; curl's own timeouts end the transfer
      slot->ownership = Ownership::kForeign;
      forget_waits(*slot);
    }
  }
  slot->wanted = what;
  arm_wanted_waits(socket, *slot);
  return first_sight ? slot : nullptr;
}

void CurlSocketTable::forget_waits(Slot& slot) {
  if (slot.read_armed || slot.write_armed) {
    boost::system::error_code ignored;
    slot.descriptor.cancel(ignored);  // their handlers still run, as no-ops
  }
  slot.read_armed = false;
  slot.write_armed = false;
  ++slot.generation;
}

void CurlSocketTable::arm_wanted_waits(curl_socket_t socket, Slot& slot) {
  if ((slot.wanted & CURL_POLL_IN) != 0 && !slot.read_armed) {
    arm_wait(socket, slot, Direction::kRead);
  }
  if ((slot.wanted & CURL_POLL_OUT) != 0 && !slot.write_armed) {
    arm_wait(socket, slot, Direction::kWrite);
  }
}

void CurlSocketTable::arm_wait(curl_socket_t socket, Slot& slot, Direction direction) {
  // Asio re-registers the descriptor with epoll when a wait starts on an empty
  // queue, so a socket that is already readable completes the wait at once:
  // edge-triggered epoll cannot lose a readiness curl has not consumed.
  const auto type = direction == Direction::kRead ? boost::asio::posix::stream_descriptor::wait_read
                                                  : boost::asio::posix::stream_descriptor::wait_write;
  (direction == Direction::kRead ? slot.read_armed : slot.write_armed) = true;
  slot.descriptor.async_wait(
      type, [alive = owner_alive_, this, socket, generation = slot.generation,
             direction](const boost::system::error_code& error) {
        if (alive.expired()) return;  // the table is gone; touch nothing
        on_wait_complete(socket, generation, direction, error);
      });
}

void CurlSocketTable::on_wait_complete(curl_socket_t socket, std::uint64_t generation,
                                       Direction direction,
                                       const boost::system::error_code& error) {
  Slot* slot = find_slot(socket);
  if (slot == nullptr || slot->generation != generation) return;  // stale wait
  (direction == Direction::kRead ? slot->read_armed : slot->write_armed) = false;
  if (error == boost::asio::error::operation_aborted) return;

  const int needed = direction == Direction::kRead ? CURL_POLL_IN : CURL_POLL_OUT;
  if ((slot->wanted & needed) == 0) return;  // curl changed its mind since we armed

  int bits = direction == Direction::kRead ? CURL_CSELECT_IN : CURL_CSELECT_OUT;
  if (error) bits |= CURL_CSELECT_ERR;
  on_ready_(socket, bits);

  // curl may have changed interest, removed or closed the socket (and a new
  // connection may even have taken the same number) inside on_ready_. If the
  // interest did not change curl did not call us, so re-arm from the slot's
  // current state. After an error, let curl's verdict and timers decide
  // instead of spinning on a failing wait.
  if (error) return;
  slot = find_slot(socket);
  if (slot != nullptr && slot->wanted != 0) arm_wanted_waits(socket, *slot);
}

}  // namespace golive::http
