#include "core/job_lifecycle.hpp"

#include <gtest/gtest.h>

namespace bl {
namespace {

TEST(JobLifecycle, HappyPath) {
  EXPECT_TRUE(check_transition(JobState::kNone, JobEvent::kSubmitted).ok());
  EXPECT_TRUE(check_transition(JobState::kQueued, JobEvent::kAttemptFailed).ok());
  EXPECT_TRUE(check_transition(JobState::kQueued, JobEvent::kSucceeded).ok());
  EXPECT_TRUE(check_transition(JobState::kSucceeded, JobEvent::kConsumed).ok());
  EXPECT_TRUE(check_transition(JobState::kSucceeded, JobEvent::kConsumeFailed).ok());
}

TEST(JobLifecycle, TerminalStatesAcceptNoSecondResult) {
  for (JobState s : {JobState::kSucceeded, JobState::kFailed, JobState::kCancelled}) {
    auto st = check_transition(s, JobEvent::kSucceeded);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition);
    EXPECT_NE(st.error().message.find(std::string(job_state_name(s))), std::string::npos);
  }
  EXPECT_FALSE(check_transition(JobState::kQueued, JobEvent::kSubmitted).ok());
  EXPECT_FALSE(check_transition(JobState::kFailed, JobEvent::kConsumed).ok());
  EXPECT_FALSE(check_transition(JobState::kCancelled, JobEvent::kCancelled).ok());
}

TEST(JobLifecycle, StateFollowsTheLastEvent) {
  EXPECT_EQ(state_of_last_event(""), JobState::kNone);
  EXPECT_EQ(state_of_last_event("JobSubmitted"), JobState::kQueued);
  EXPECT_EQ(state_of_last_event("JobAttemptFailed"), JobState::kQueued);
  EXPECT_EQ(state_of_last_event("JobSucceeded"), JobState::kSucceeded);
  EXPECT_EQ(state_of_last_event("JobConsumeFailed"), JobState::kErrorConsuming);
  EXPECT_TRUE(is_terminal(JobState::kFailed));
  EXPECT_FALSE(is_terminal(JobState::kQueued));
}

TEST(JobLifecycle, NamesRoundTrip) {
  for (auto e :
       {JobEvent::kSubmitted, JobEvent::kAttemptFailed, JobEvent::kSucceeded, JobEvent::kFailed,
        JobEvent::kCancelled, JobEvent::kConsumed, JobEvent::kConsumeFailed}) {
    EXPECT_EQ(parse_job_event(job_event_type(e)), e);
  }
  EXPECT_EQ(parse_job_state("error_consuming"), JobState::kErrorConsuming);
}

}  // namespace
}  // namespace bl
