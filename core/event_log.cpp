#include "core/event_log.hpp"

#include <algorithm>
#include <charconv>

namespace bl {
namespace {

constexpr const char* kEventColumns =
    "position, tx_id::text, stream_id::text, stream_type, version, event_type, data::text, "
    "metadata::text, (extract(epoch from recorded_at) * 1000)::bigint";

RecordedEvent to_event(const pqxx::row& r) {
  RecordedEvent e;
  e.position = r[0].as<std::int64_t>();
  const auto tx = pg_view(r[1]);
  std::from_chars(tx.data(), tx.data() + tx.size(), e.tx_id);
  e.stream_id = Uuid::parse(pg_view(r[2])).value_or(Uuid());
  e.stream_type = r[3].as<std::string>();
  e.version = r[4].as<int>();
  e.type = r[5].as<std::string>();
  e.data = r[6].as<std::string>();
  e.metadata = r[7].as<std::string>();
  e.recorded_at_ms = r[8].as<std::int64_t>();
  return e;
}

std::vector<RecordedEvent> to_events(const pqxx::result& rows) {
  std::vector<RecordedEvent> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back(to_event(r));
  return out;
}

}  // namespace

void lock_streams(pqxx::transaction_base& tx, const std::vector<Uuid>& streams) {
  if (streams.empty()) return;
  std::vector<std::int64_t> keys;
  keys.reserve(streams.size());
  for (const auto& s : streams)
    keys.push_back(s.lock_key());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // unnest yields the array in order, so the locks are taken in ascending order.
  tx.exec_params("SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k",
                 pg_int_array(keys));
}

StreamHeads read_stream_heads(pqxx::transaction_base& tx, const std::vector<Uuid>& streams) {
  StreamHeads heads;
  if (streams.empty()) return heads;
  const auto rows = tx.exec_params(
      "SELECT DISTINCT ON (stream_id) stream_id::text, version, event_type FROM events "
      "WHERE stream_id = ANY($1::uuid[]) ORDER BY stream_id, version DESC",
      pg_uuid_array(streams));
  for (const auto& r : rows) {
    auto id = Uuid::parse(pg_view(r[0]));
    if (id) heads[*id] = StreamHead{r[1].as<int>(), r[2].as<std::string>()};
  }
  return heads;
}

std::size_t insert_events(pqxx::transaction_base& tx, const std::vector<StreamAppend>& appends) {
  std::vector<Uuid> ids;
  std::vector<std::string> types, versions, event_types, data, metadata;
  for (const auto& a : appends) {
    int version = a.expected_version;
    for (const auto& e : a.events) {
      ids.push_back(a.stream_id);
      types.push_back(a.stream_type);
      versions.push_back(std::to_string(++version));
      event_types.push_back(e.type);
      data.push_back(e.data);
      metadata.push_back(e.metadata.empty() ? "{}" : e.metadata);
    }
  }
  if (ids.empty()) return 0;
  // A (stream, version) that exists already is skipped, not an error, so that a lost race is
  // reported as kVersionConflict by the caller instead of aborting the transaction.
  const auto r = tx.exec_params(
      "INSERT INTO events (stream_id, stream_type, version, event_type, data, metadata) "
      "SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::jsonb[], "
      "$6::jsonb[]) ON CONFLICT ON CONSTRAINT events_stream_version DO NOTHING",
      pg_uuid_array(ids), pg_text_array(types), pg_text_array(versions), pg_text_array(event_types),
      pg_text_array(data), pg_text_array(metadata));
  notify(tx, kEventsChannel);  // PostgreSQL folds repeats within one transaction into one
  return static_cast<std::size_t>(r.affected_rows());
}

Status append_events(pqxx::transaction_base& tx, const std::vector<StreamAppend>& appends) {
  std::vector<Uuid> existing;
  for (const auto& a : appends) {
    if (a.expected_version > 0) existing.push_back(a.stream_id);
  }
  if (!existing.empty()) {
    lock_streams(tx, existing);
    const StreamHeads heads = read_stream_heads(tx, existing);
    for (const auto& a : appends) {
      if (a.expected_version == 0) continue;
      auto it = heads.find(a.stream_id);
      const int current = it == heads.end() ? 0 : it->second.version;
      if (current != a.expected_version) {
        return Error{ErrorCode::kVersionConflict, "stream " + a.stream_id.to_string() +
                                                      " is at version " + std::to_string(current) +
                                                      ", expected " +
                                                      std::to_string(a.expected_version)};
      }
    }
  }
  std::size_t expected = 0;
  for (const auto& a : appends)
    expected += a.events.size();
  if (insert_events(tx, appends) != expected) {
    // Only a stream created concurrently (expected_version 0) can get here: the others are
    // locked and checked above. The caller must not commit.
    return Error{ErrorCode::kVersionConflict, "a stream expected to be new already exists"};
  }
  return {};
}

std::vector<RecordedEvent> read_stream(pqxx::transaction_base& tx, const Uuid& stream) {
  return to_events(tx.exec_params(std::string("SELECT ") + kEventColumns +
                                      " FROM events WHERE stream_id = $1::uuid ORDER BY version",
                                  stream.to_string()));
}

std::vector<RecordedEvent> read_streams(pqxx::transaction_base& tx,
                                        const std::vector<Uuid>& streams) {
  if (streams.empty()) return {};
  return to_events(tx.exec_params(
      std::string("SELECT ") + kEventColumns +
          " FROM events WHERE stream_id = ANY($1::uuid[]) ORDER BY stream_id, version",
      pg_uuid_array(streams)));
}

std::vector<RecordedEvent> read_events_after(pqxx::transaction_base& tx, Checkpoint after,
                                             int limit) {
  return to_events(
      tx.exec_params(std::string("SELECT ") + kEventColumns +
                         " FROM events WHERE (tx_id, position) > ($1::xid8, $2::bigint)"
                         " AND tx_id < pg_snapshot_xmin(pg_current_snapshot())"
                         // Qualified: a bare "tx_id" names the tx_id::text output column,
                         // which sorts as text (wrong order, and no index).
                         " ORDER BY events.tx_id, events.position LIMIT $3",
                     std::to_string(after.tx_id), after.position, limit));
}

void notify(pqxx::transaction_base& tx, const char* channel) {
  tx.exec(std::string("NOTIFY ") + channel);
}

}  // namespace bl
