#pragma once
// The job state machine, written once (DESIGN.md §4). Every event type leads to exactly one
// state, so a job's state is a function of its last event; the table says from which states
// each event may be appended. Every append of a job event checks it.

#include <optional>
#include <string_view>

#include "core/result.hpp"

namespace bl {

enum class JobState {
  kNone,    // the stream does not exist yet
  kQueued,  // submitted or waiting for a retry
  kSucceeded,
  kFailed,
  kCancelled,
  kConsumed,        // the client acknowledged a result
  kErrorConsuming,  // the client reported that processing the result failed
};

enum class JobEvent {
  kSubmitted,
  kAttemptFailed,  // a retryable failure; a new delivery is scheduled
  kSucceeded,
  kFailed,
  kCancelled,
  kConsumed,
  kConsumeFailed,
};

std::string_view job_event_type(JobEvent e);  // "JobSubmitted", ...
std::optional<JobEvent> parse_job_event(std::string_view type);
std::string_view job_state_name(JobState s);  // "queued", ...
std::optional<JobState> parse_job_state(std::string_view name);

// The state a job is in after its last event of this type.
JobState state_after(JobEvent e);
// The state of a job whose last event has this type (kNone for an empty type).
JobState state_of_last_event(std::string_view last_event_type);
bool is_terminal(JobState s);  // no further provider call will be made

// kIllegalTransition naming the current state when the table forbids e in s.
Status check_transition(JobState s, JobEvent e);

}  // namespace bl
