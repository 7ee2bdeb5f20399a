#pragma once
// The relay's enqueue: SET NX on the delivery marker, and XADD only when the marker was new,
// atomically. A relay that crashed after pushing but before committing re-sends its rows;
// the marker makes the second push a no-op, so a worker sees each delivery once.

#include "core/redis.hpp"

namespace bl {

// KEYS[1] delivery marker, KEYS[2] queue stream (same {model} slot).
// ARGV[1] marker TTL in seconds, ARGV[2] job id, ARGV[3] attempt, ARGV[4] priority.
// Returns the new stream entry id, or nil when the delivery was already enqueued.
const RedisScript& enqueue_script();

}  // namespace bl
