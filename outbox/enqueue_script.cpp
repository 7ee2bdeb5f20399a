#include "outbox/enqueue_script.hpp"

namespace bl {

const RedisScript& enqueue_script() {
  static const RedisScript script(R"lua(
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', 'job', ARGV[2], 'attempt', ARGV[3], 'priority', ARGV[4])
end
return false
)lua");
  return script;
}

}  // namespace bl
