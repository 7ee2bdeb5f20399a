#include "core/pg_pool.hpp"

#include "core/log.hpp"

namespace bl {

PgPool::PgPool(std::string url, int size, std::size_t max_queue)
    : url_(std::move(url)), max_queue_(max_queue) {
  for (int i = 0; i < size; ++i)
    threads_.emplace_back([this, i] { run(i); });
}

PgPool::~PgPool() {
  stop();
}

bool PgPool::submit(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queue_) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

std::size_t PgPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void PgPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void PgPool::run(int index) {
  PgConnectionPtr conn;
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    if (conn && !conn->is_open()) conn.reset();
    if (!conn) {
      auto c = pg_connect(url_);
      if (c.ok()) {
        conn = std::move(*c);
      } else {
        log::warn("pg.connect_failed",
                  {{"pool_thread", index}, {"error", log::code(error_code_name(c.error().code))}});
      }
    }
    task(conn.get());
    // A task that hit a broken connection leaves it closed; the next task reconnects.
  }
}

}  // namespace bl
