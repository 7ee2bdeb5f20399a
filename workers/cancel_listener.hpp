#pragma once
// Listens on the cancel channel (<prefix>:cancel, core/queue_keys.hpp) on a thread of its own
// with a blocking Redis connection (hiredis' async client cannot hold a subscription) and hands
// each cancelled job id to `on_cancel` (which must be quick and thread-safe: post to a loop).
// Best effort: a message missed while reconnecting costs only the call, because the result of
// a cancelled job is dropped by the version check when it is recorded.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "core/ids.hpp"

namespace bl {

class CancelListener {
 public:
  CancelListener(std::string host, int port, std::string channel,
                 std::function<void(const Uuid&)> on_cancel);
  ~CancelListener();  // stops and joins
  CancelListener(const CancelListener&) = delete;
  CancelListener& operator=(const CancelListener&) = delete;

 private:
  void run();

  std::string host_;
  int port_;
  std::string channel_;
  std::function<void(const Uuid&)> on_cancel_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace bl
