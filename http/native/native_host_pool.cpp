#include "http/native/native_host_pool.hpp"

#include <algorithm>
#include <utility>

#include "http/native/native_http_client.hpp"

namespace golive::http {

using Clock = NativeClock;

void NativeHostPool::dispatch(NativeExchange&& exchange) {
  if (!idle.empty()) {
    NativeConnection* connection = idle.back();
    idle.pop_back();
    connection->start(std::move(exchange));
  } else if (connections.size() < max_connections) {
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
  if (connections.size() >= max_connections) {
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
  if (connections.size() < max_connections) {
    if (std::optional<NativeExchange> next = next_waiting()) open_fresh(std::move(*next));
  }
}

}  // namespace golive::http
