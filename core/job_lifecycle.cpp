#include "core/job_lifecycle.hpp"

#include <string>

namespace bl {
namespace {

struct EventInfo {
  JobEvent event;
  std::string_view type;
  JobState to;
  // States from which the event may be appended.
  std::initializer_list<JobState> from;
};

using S = JobState;
const EventInfo kTable[] = {
    {JobEvent::kSubmitted, "JobSubmitted", S::kQueued, {S::kNone}},
    {JobEvent::kAttemptFailed, "JobAttemptFailed", S::kQueued, {S::kQueued}},
    {JobEvent::kSucceeded, "JobSucceeded", S::kSucceeded, {S::kQueued}},
    {JobEvent::kFailed, "JobFailed", S::kFailed, {S::kQueued}},
    {JobEvent::kCancelled, "JobCancelled", S::kCancelled, {S::kQueued}},
    {JobEvent::kConsumed, "JobConsumed", S::kConsumed, {S::kSucceeded}},
    {JobEvent::kConsumeFailed, "JobConsumeFailed", S::kErrorConsuming, {S::kSucceeded}},
};

constexpr std::pair<JobState, std::string_view> kStateNames[] = {
    {S::kNone, "none"},
    {S::kQueued, "queued"},
    {S::kSucceeded, "succeeded"},
    {S::kFailed, "failed"},
    {S::kCancelled, "cancelled"},
    {S::kConsumed, "consumed"},
    {S::kErrorConsuming, "error_consuming"},
};

const EventInfo& info(JobEvent e) {
  for (const auto& i : kTable) {
    if (i.event == e) return i;
  }
  return kTable[0];  // unreachable: the table covers every enumerator
}

}  // namespace

std::string_view job_event_type(JobEvent e) {
  return info(e).type;
}

std::optional<JobEvent> parse_job_event(std::string_view type) {
  for (const auto& i : kTable) {
    if (i.type == type) return i.event;
  }
  return std::nullopt;
}

std::string_view job_state_name(JobState s) {
  for (const auto& [state, name] : kStateNames) {
    if (state == s) return name;
  }
  return "none";
}

std::optional<JobState> parse_job_state(std::string_view name) {
  for (const auto& [state, n] : kStateNames) {
    if (n == name) return state;
  }
  return std::nullopt;
}

JobState state_after(JobEvent e) {
  return info(e).to;
}

JobState state_of_last_event(std::string_view last_event_type) {
  if (last_event_type.empty()) return JobState::kNone;
  auto e = parse_job_event(last_event_type);
  return e ? state_after(*e) : JobState::kNone;
}

bool is_terminal(JobState s) {
  return s != JobState::kNone && s != JobState::kQueued;
}

Status check_transition(JobState s, JobEvent e) {
  for (JobState from : info(e).from) {
    if (from == s) return {};
  }
  return Error{ErrorCode::kIllegalTransition,
               std::string("job is ") + std::string(job_state_name(s)) + "; cannot apply " +
                   std::string(job_event_type(e))};
}

}  // namespace bl
