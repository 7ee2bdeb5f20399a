#pragma once
// Redis key layout. Every key of one model's queue carries the hash tag {model}, so a queue
// lives in one Redis Cluster slot and the relay's enqueue script touches one slot only.
//   <prefix>:{<model>}:q:<band>             stream of deliveries, consumer group "workers"
//   <prefix>:{<model>}:d:<job>:<attempt>     delivery marker (de-duplicates re-sends): "1" or
//                                            "acked"
//   <prefix>:cancel                          pub/sub channel: job ids cancelled (abort calls)
//   <prefix>:{<model>}:rl:<requests|tokens>  fleet-wide per-minute token bucket of a model
//   <prefix>:workers                         sorted set: worker id -> last seen (ms)
//   <prefix>:worker:<id>                     hash: one live worker's registration

#include <string>
#include <string_view>

#include "core/ids.hpp"

namespace bl {

inline constexpr const char* kConsumerGroup = "workers";

// Delivery marker values. The relay's enqueue script sets "1" (NX) with the XADD. A worker that
// acknowledges a delivery overwrites its marker with kMarkerAcked for kAckedMarkerTtlMs instead
// of deleting it, so that a relay re-sending that delivery after a crash (within the
// idle-in-transaction timeout) is still de-duplicated. The sweeper treats an acked marker of a
// job's current attempt as a lost delivery (outbox/sweeper.hpp).
inline constexpr const char* kMarkerAcked = "acked";
inline constexpr int kAckedMarkerTtlMs = 600000;

inline constexpr int kPriorityBands = 3;

// Priority 1 (first) .. 1000 (last) -> band 0 (served first) .. 2.
int priority_band(int priority);

class QueueKeys {
 public:
  explicit QueueKeys(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string stream(std::string_view model, int band) const;
  std::string delivery(std::string_view model, const Uuid& job, int attempt) const;
  // Ingest PUBLISHes a job's uuid here after committing JobCancelled; workers abort the call.
  std::string cancel_channel() const { return prefix_ + ":cancel"; }
  // A model's fleet-wide rate-limit bucket; kind is "requests" or "tokens".
  std::string rate_bucket(std::string_view model, std::string_view kind) const;
  std::string workers() const { return prefix_ + ":workers"; }
  std::string worker(std::string_view id) const { return prefix_ + ":worker:" + std::string(id); }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
};

}  // namespace bl
