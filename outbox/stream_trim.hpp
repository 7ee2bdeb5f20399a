#pragma once
// Trimming acknowledged entries from a queue stream. Workers XDEL what they acknowledge; this
// is the safety net for an XDEL that never arrived (a connection lost between XACK and XDEL).
//
// Entries up to the group's last-delivered-id have all been delivered (XREADGROUP ">" hands
// them out in order); those not in the pending entries list have been acknowledged. So every
// entry below the smallest pending id, or below last-delivered-id + 1 when nothing is
// pending, can go: XTRIM MINID. An entry delivered after the sample has a higher id and is
// kept; one acknowledged after it is trimmed next time.

#include <string>

#include "core/redis.hpp"

namespace bl {

// Returns the number of entries trimmed (0 when the stream or its group does not exist).
Result<long long> trim_acknowledged(RedisClient& redis, const std::string& stream,
                                    const std::string& group);

// "ms-seq" + 1 (the next possible stream id); empty for a malformed id.
std::string next_stream_id(const std::string& id);

}  // namespace bl
