#pragma once
// Test-only fault injection, switched on by environment variables that production never sets
// (documented in docs/operations.md, "Test-only fault hooks"):
//
//   BL_TEST_RELAY_KILL_AFTER_PUSH=N   the relay SIGKILLs itself after its Nth successful push
//                                     to Redis, before the transaction that deletes the pushed
//                                     rows commits: the crash window the enqueue de-duplicates.

namespace bl {

class RelayFaultHook {
 public:
  RelayFaultHook();  // reads the environment once
  // Called after a push and before the commit. Never returns when the fault fires.
  void after_push();

 private:
  int kill_after_ = 0;  // 0: off
  int pushes_ = 0;
};

}  // namespace bl
