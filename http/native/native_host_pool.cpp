#include "http/native/native_host_pool.hpp"

#include <algorithm>
#include <utility>

#include "http/native/native_http_client.hpp"

namespace golive::http {

using Clock = NativeClock;

void NativeHostPool::dispatch(NativeExchange&& exchange) {
  if (h2) {
    if (h2_preferred != nullptr && h2_preferred->has_capacity()) {
      h2_preferred->submit(std::move(exchange));
      return;
    }
    while (!h2_idle.empty()) {
      NativeH2Connection* connection = h2_idle.back();
      h2_idle.pop_back();
      connection->idle_listed = false;
      if (connection->has_capacity()) {
        connection->submit(std::move(exchange));
        return;
      }
    }
    if (open_count() < max_connections) {
      open_fresh(std::move(exchange));
      return;
    }
    NativeH2Connection* least = nullptr;
    for (const auto& connection : h2_connections) {
      if (connection->has_capacity() && (least == nullptr || connection->open_streams() < least->open_streams())) {
        least = connection.get();
      }
    }
    if (least != nullptr) {
      least->submit(std::move(exchange));
    } else {
      enqueue(std::move(exchange));
    }
    return;
  }
  if (!idle.empty()) {
    NativeConnection* connection = idle.back();
    idle.pop_back();
    connection->start(std::move(exchange));
  } else if (open_count() < max_connections) {
    open_fresh(std::move(exchange));
  } else {
    enqueue(std::move(exchange));
  }
}

void NativeHostPool::enqueue(NativeExchange&& exchange) {
  const bool earlier = waiting_timer_armed && exchange.deadline < waiting_timer->expiry();
  waiting.push_back(std::move(exchange));
  if (!waiting_timer_armed || earlier) arm_waiting_timer();
}

void NativeHostPool::arm_waiting_timer() {
  if (waiting.empty()) return;
  Clock::time_point earliest = waiting.front().deadline;
  for (const NativeExchange& exchange : waiting) earliest = std::min(earliest, exchange.deadline);
  if (!waiting_timer) waiting_timer.emplace(client->io_);
  waiting_timer_armed = true;
  waiting_timer->expires_at(earliest);
  waiting_timer->async_wait(
      [this, alive = std::weak_ptr<int>(lifetime)](const boost::system::error_code& error) {
        if (error || alive.expired()) return;  // re-armed, or the pool is gone: touch nothing
        on_waiting_timer();
      });
}

void NativeHostPool::on_waiting_timer() {
  waiting_timer_armed = false;
  const Clock::time_point now = Clock::now();
  std::deque<NativeExchange> kept;
  for (NativeExchange& exchange : waiting) {
    if (now < exchange.deadline) {
      kept.push_back(std::move(exchange));
      continue;
    }
    HttpResponse late;
    late.error = HttpErrorCategory::kTimeout;
    late.error_message = "timed out waiting for a free connection to " + key;
    late.timing.total_ms = native_ms_since(exchange.started, now);
    --client->in_flight_;
    client->complete_later(std::move(exchange.on_complete), std::move(late));
  }
  waiting.swap(kept);
  arm_waiting_timer();
}

void NativeHostPool::open_fresh(NativeExchange&& exchange) {
  if (open_count() >= max_connections) {
    waiting.push_front(std::move(exchange));
    if (!waiting_timer_armed) arm_waiting_timer();
    return;
  }
  auto connection = std::make_shared<NativeConnection>(client->io_, *this, client->readiness_);
  connection->slot = connections.size();
  connections.push_back(connection);
  connection->start(std::move(exchange));
}

std::optional<NativeExchange> NativeHostPool::next_waiting() {
  if (waiting.empty()) return std::nullopt;  // the usual case: no clock read
  const Clock::time_point now = Clock::now();
  while (!waiting.empty()) {
    NativeExchange exchange = std::move(waiting.front());
    waiting.pop_front();
    if (now < exchange.deadline) return exchange;
    HttpResponse late;
    late.error = HttpErrorCategory::kTimeout;
    late.error_message = "timed out waiting for a free connection";
    late.timing.total_ms = native_ms_since(exchange.started, now);
    --client->in_flight_;
    client->complete_later(std::move(exchange.on_complete), std::move(late));
  }
  return std::nullopt;
}

void NativeHostPool::on_connection_free(NativeConnection& connection) {
  if (std::optional<NativeExchange> next = next_waiting()) {
    connection.start(std::move(*next));
  } else {
    idle.push_back(&connection);
  }
}

void NativeHostPool::on_idle_connection_lost(NativeConnection& connection) {
  idle.erase(std::remove(idle.begin(), idle.end(), &connection), idle.end());
  on_connection_retired(connection);
}

void NativeHostPool::on_connection_retired(NativeConnection& connection) {
  // Swap-remove; the shared_ptr stays alive in the caller's handler.
  const std::size_t index = connection.slot;
  connections[index] = std::move(connections.back());
  connections[index]->slot = index;
  connections.pop_back();
  if (open_count() < max_connections) {
    if (std::optional<NativeExchange> next = next_waiting()) open_fresh(std::move(*next));
  }
}

void NativeHostPool::adopt_h2(NativeConnection& opener, boost::asio::ip::tcp::socket socket,
                              NativeTlsStream& tls, NativeExchange&& exchange, const HttpTiming& timing) {
  const std::size_t index = opener.slot;  // leaves connections without making room for a waiting request
  connections[index] = std::move(connections.back());
  connections[index]->slot = index;
  connections.pop_back();
  auto connection = std::make_shared<NativeH2Connection>(client->io_, *this, client->readiness_,
                                                         std::move(socket), tls);
  connection->slot = h2_connections.size();
  h2_connections.push_back(connection);
  std::string error;
  if (!connection->open(error)) {
    h2_connections.pop_back();
    HttpResponse failed;
    failed.timing = timing;
    failed.error = HttpErrorCategory::kOther;
    failed.error_message = error;
    --client->in_flight_;
    client->complete_later(std::move(exchange.on_complete), std::move(failed));
    connection->detach();
    return;
  }
  connection->submit(std::move(exchange), &timing);
}

void NativeHostPool::fall_back_to_http1() {
  h2 = false;
  while (open_count() < max_connections && !waiting.empty()) {
    std::optional<NativeExchange> next = next_waiting();
    if (!next) break;
    open_fresh(std::move(*next));
  }
}

void NativeHostPool::on_h2_capacity(NativeH2Connection& connection) {
  while (connection.has_capacity() && !waiting.empty()) {
    std::optional<NativeExchange> next = next_waiting();
    if (!next) break;
    connection.submit(std::move(*next));
  }
  if (connection.has_capacity() && connection.open_streams() == 0 && !connection.idle_listed) {
    connection.idle_listed = true;
    h2_idle.push_back(&connection);
  }
}

void NativeHostPool::on_h2_retired(NativeH2Connection& connection) {
  if (h2_preferred == &connection) h2_preferred = nullptr;
  if (connection.idle_listed) {
    h2_idle.erase(std::remove(h2_idle.begin(), h2_idle.end(), &connection), h2_idle.end());
    connection.idle_listed = false;
  }
  const std::size_t index = connection.slot;
  if (index >= h2_connections.size() || h2_connections[index].get() != &connection) return;
  h2_connections[index] = std::move(h2_connections.back());
  h2_connections[index]->slot = index;
  h2_connections.pop_back();
  if (open_count() < max_connections) {
    if (std::optional<NativeExchange> next = next_waiting()) dispatch(std::move(*next));
  }
}

}  // namespace golive::http
