#pragma once
// A thread that takes items from a queue and handles whatever has accumulated as one batch
// (group commit): under load batches grow, when idle each item is handled at once.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bl {

template <class T>
class BatchingThread {
 public:
  using Handler = std::function<void(std::vector<T>& batch)>;

  BatchingThread(std::size_t max_batch, Handler handler)
      : max_batch_(max_batch), handler_(std::move(handler)), thread_([this] { run(); }) {}
  ~BatchingThread() { stop(); }
  BatchingThread(const BatchingThread&) = delete;
  BatchingThread& operator=(const BatchingThread&) = delete;

  void push(T item) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(item));
    }
    cv_.notify_one();
  }

  std::size_t backlog() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

  // Handles what is queued, then joins. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::vector<T> batch;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        while (!queue_.empty() && batch.size() < max_batch_) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      handler_(batch);
      batch.clear();
    }
  }

  const std::size_t max_batch_;
  Handler handler_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<T> queue_;    // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;     // last member: starts after the others exist
};

}  // namespace bl
