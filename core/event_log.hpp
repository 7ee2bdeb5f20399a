#pragma once
// The event log on PostgreSQL (DESIGN.md §3). These functions run inside a caller's
// transaction and may throw libpqxx exceptions; the caller wraps the whole transaction in
// pg_call(). Expected outcomes (a lost expected-version race) are returned as values.
//
// Ordering contract: readers follow (tx_id, position) below pg_snapshot_xmin. For that order
// to agree with each stream's version order, a transaction that appends to a stream that
// already exists takes the stream's advisory lock before its first write. append_events()
// does so itself, so it must be the transaction's first write.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ids.hpp"
#include "core/pg.hpp"
#include "core/result.hpp"

namespace bl {

struct NewEvent {
  std::string type;
  std::string data;      // a JSON object
  std::string metadata;  // a JSON object
};

struct StreamAppend {
  Uuid stream_id;
  std::string stream_type;
  int expected_version = 0;  // the stream's current version; 0 means "must not exist yet"
  std::vector<NewEvent> events;
};

struct RecordedEvent {
  std::int64_t position = 0;
  std::uint64_t tx_id = 0;
  Uuid stream_id;
  std::string stream_type;
  int version = 0;
  std::string type;
  std::string data;
  std::string metadata;
  std::int64_t recorded_at_ms = 0;
};

// A reader's place in the log: the last (tx_id, position) it has applied.
struct Checkpoint {
  std::uint64_t tx_id = 0;
  std::int64_t position = 0;
  auto operator<=>(const Checkpoint&) const = default;
};

struct StreamHead {
  int version = 0;
  std::string last_type;
};

using StreamHeads = std::unordered_map<Uuid, StreamHead, UuidHash>;

// Takes pg_advisory_xact_lock for each stream, in ascending key order (no deadlocks between
// transactions that lock overlapping sets).
void lock_streams(pqxx::transaction_base& tx, const std::vector<Uuid>& streams);

// Current version and last event type of each stream that exists.
StreamHeads read_stream_heads(pqxx::transaction_base& tx, const std::vector<Uuid>& streams);

// Appends all events in one statement. Streams with expected_version > 0 are locked and
// checked first. A lost race returns kVersionConflict; the caller must then abort the
// transaction (some events may have been written in it).
Status append_events(pqxx::transaction_base& tx, const std::vector<StreamAppend>& appends);

// Low-level insert without locks or checks, for callers that already locked and checked
// (the worker's group commit). Returns the number of events inserted: an event whose
// (stream, version) exists already is skipped.
std::size_t insert_events(pqxx::transaction_base& tx, const std::vector<StreamAppend>& appends);

std::vector<RecordedEvent> read_stream(pqxx::transaction_base& tx, const Uuid& stream);
std::vector<RecordedEvent> read_streams(pqxx::transaction_base& tx,
                                        const std::vector<Uuid>& streams);

// Events after `after`, in (tx_id, position) order, only from transactions older than every
// transaction still running. Must be the first statement of its transaction.
std::vector<RecordedEvent> read_events_after(pqxx::transaction_base& tx, Checkpoint after,
                                             int limit);

// Wakes LISTENers (relays, projectors) once per transaction.
inline constexpr const char* kOutboxChannel = "bl_outbox";
inline constexpr const char* kEventsChannel = "bl_events";
inline constexpr const char* kWebhooksChannel = "bl_webhooks";  // webhook outbox rows
void notify(pqxx::transaction_base& tx, const char* channel);

}  // namespace bl
