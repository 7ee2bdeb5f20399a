#pragma once
// A fixed set of threads, each owning one PostgreSQL connection. Blocking database work is
// submitted as a task and runs on one of them; the task reports back through its own means
// (a Responder, a post() to a loop). Tasks never run on an event-loop thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/pg.hpp"

namespace bl {

class PgPool {
 public:
  // The task gets a live connection, or nullptr when the database is unreachable (the task
  // must then answer with kUnavailable).
  using Task = std::function<void(pqxx::connection* conn)>;

  PgPool(std::string url, int size, std::size_t max_queue);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // False when the queue is full (the caller answers 503).
  bool submit(Task task);
  std::size_t queued() const;
  void stop();

 private:
  void run(int index);

  const std::string url_;
  const std::size_t max_queue_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Task> queue_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;   // GUARDED_BY(mutex_)
  std::vector<std::thread> threads_;
};

}  // namespace bl
