#include "projections/conversations_projection.hpp"

#include <unordered_map>

#include "core/job_events.hpp"
#include "core/job_lifecycle.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "projections/conversation_events.hpp"
#include "projections/conversation_keys.hpp"

namespace bl {
namespace {

struct Conversation {
  bool exists = false;
  std::string workspace_id;
  bool deleted = false;
  std::optional<DataKeyring> ring;  // loaded with the state; nullopt once destroyed
};

struct Message {
  Uuid conversation;
  std::int64_t job_position = 0;
  int part = 0;
  int idx = 0;
  Uuid job;
  std::string role;
  std::string content;  // sealed column
  std::int64_t created_ms = 0;
};

// Where a job's messages go: its conversation, the position of its submission, its workspace.
struct JobPlace {
  Uuid conversation;
  std::int64_t position = 0;
  std::string workspace_id;
};

class PageApplier {
 public:
  PageApplier(pqxx::transaction_base& tx, const DataKeyring& ring) : tx_(tx), ring_(ring) {}

  void apply(const std::vector<RecordedEvent>& events) {
    load_result_places(events);
    for (const auto& e : events) {
      if (e.stream_type == kJobStreamType) {
        if (e.type == job_event_type(JobEvent::kSubmitted)) on_submitted(e);
        if (e.type == job_event_type(JobEvent::kSucceeded)) on_succeeded(e);
      } else if (e.stream_type == kConversationStreamType) {
        if (e.type == kConversationUpdated) on_updated(e);
        if (e.type == kConversationDeleted) on_deleted(e);
      }
    }
    write_messages();
  }

 private:
  // The places of the jobs whose results are in this page, from their submissions in the log.
  void load_result_places(const std::vector<RecordedEvent>& events) {
    std::vector<Uuid> jobs;
    for (const auto& e : events) {
      if (e.stream_type == kJobStreamType && e.type == job_event_type(JobEvent::kSucceeded)) {
        jobs.push_back(e.stream_id);
      }
    }
    if (jobs.empty()) return;
    const auto rows = tx_.exec_params(
        "SELECT stream_id::text, data ->> 'conversation_id', position,"
        " metadata ->> 'workspace_id' FROM events WHERE stream_id = ANY($1::uuid[])"
        " AND version = 1 AND data ? 'conversation_id'",
        pg_uuid_array(jobs));
    for (const auto& r : rows) {
      auto job = Uuid::parse(pg_view(r[0]));
      auto conversation = Uuid::parse(pg_view(r[1]));
      if (!job || !conversation) continue;
      places_[*job] = {*conversation, r[2].as<std::int64_t>(), r[3].as<std::string>("")};
    }
  }

  Conversation& state(const Uuid& id) {
    auto [it, added] = conversations_.try_emplace(id);
    if (!added) return it->second;
    Conversation& c = it->second;
    const auto rows = tx_.exec_params(
        "SELECT workspace_id, deleted_at IS NOT NULL FROM conversations"
        " WHERE conversation_id = $1::uuid",
        id.to_string());
    if (!rows.empty()) {
      c.exists = true;
      c.workspace_id = rows[0][0].as<std::string>();
      c.deleted = rows[0][1].as<bool>();
      load_ring(id, c, false);
    }
    return c;
  }

  void load_ring(const Uuid& id, Conversation& c, bool create) {
    auto ring = conversation_keyring(tx_, ring_, id, create);
    if (!ring.ok()) {
      log::error("conversations.key_unreadable", {{"conversation_id", log::id(id.to_string())}});
      c.ring.reset();
      return;
    }
    c.ring = std::move(*ring);
  }

  void on_submitted(const RecordedEvent& e) {
    auto clear = decode_job_submitted(e.data, nullptr, e.stream_id);
    if (!clear.ok() || !clear->conversation_id) return;
    const Uuid conversation = *clear->conversation_id;
    const EventMetadata meta = decode_metadata(e.metadata);
    Conversation& c = state(conversation);
    if (!c.exists) {
      tx_.exec_params(
          "INSERT INTO conversations (conversation_id, org_id, workspace_id, created_at,"
          " updated_at) VALUES ($1::uuid, $2, $3, to_timestamp($4 / 1000.0),"
          " to_timestamp($4 / 1000.0)) ON CONFLICT (conversation_id) DO NOTHING",
          conversation.to_string(), meta.org_id, meta.workspace_id, e.recorded_at_ms);
      c.exists = true;
      c.workspace_id = meta.workspace_id;
      load_ring(conversation, c, true);
    }
    if (c.deleted || !c.ring || c.workspace_id != meta.workspace_id) return;
    auto full = decode_job_submitted(e.data, &ring_, e.stream_id);
    if (!full.ok()) return;
    auto request = parse_json(full->request_json);
    if (!request.ok() || !request->IsObject()) return;
    const JsonValue* messages = json_member(*request, "messages");
    if (messages == nullptr || !messages->IsArray()) return;
    int idx = 0;
    for (const auto& m : messages->GetArray()) {
      if (!m.IsObject()) continue;
      const std::string role(json_string(m, "role").value_or(""));
      if (role == "system" || role == "developer") continue;
      add_message(conversation, c, e.position, 0, idx++, e.stream_id, role, to_json(m),
                  e.recorded_at_ms);
    }
    touch(conversation, e.recorded_at_ms);
  }

  void on_succeeded(const RecordedEvent& e) {
    const auto place = places_.find(e.stream_id);
    if (place == places_.end()) return;
    Conversation& c = state(place->second.conversation);
    if (!c.exists || c.deleted || !c.ring || c.workspace_id != place->second.workspace_id) return;
    auto result = decode_job_succeeded(e.data, &ring_, e.stream_id);
    if (!result.ok() || result->output_json.empty()) return;
    add_message(place->second.conversation, c, place->second.position, 1, 0, e.stream_id,
                "assistant", result->output_json, e.recorded_at_ms);
    touch(place->second.conversation, e.recorded_at_ms);
  }

  void on_updated(const RecordedEvent& e) {
    Conversation& c = state(e.stream_id);
    if (!c.exists || c.deleted || !c.ring) return;
    auto update = decode_conversation_updated(e.data, ring_, e.stream_id);
    if (!update.ok()) return;
    std::optional<std::string> title, metadata;
    if (update->title) {
      auto sealed = seal_column(*c.ring, *update->title, e.stream_id);
      if (sealed.ok()) title = std::move(*sealed);
    }
    if (update->metadata_json) {
      auto sealed = seal_column(*c.ring, *update->metadata_json, e.stream_id);
      if (sealed.ok()) metadata = std::move(*sealed);
    }
    tx_.exec_params(
        "UPDATE conversations SET title = coalesce($2::jsonb, title),"
        " metadata = coalesce($3::jsonb, metadata) WHERE conversation_id = $1::uuid",
        e.stream_id.to_string(), title, metadata);
    touch(e.stream_id, e.recorded_at_ms);
  }

  void on_deleted(const RecordedEvent& e) {
    Conversation& c = state(e.stream_id);
    std::erase_if(pending_, [&](const Message& m) { return m.conversation == e.stream_id; });
    c.deleted = true;
    c.ring.reset();
    destroy_conversation_key(tx_, e.stream_id);
    tx_.exec_params("DELETE FROM conversation_messages WHERE conversation_id = $1::uuid",
                    e.stream_id.to_string());
    tx_.exec_params(
        "UPDATE conversations SET deleted_at = coalesce(deleted_at, to_timestamp($2 / 1000.0)),"
        " title = NULL, metadata = NULL, message_count = 0 WHERE conversation_id = $1::uuid",
        e.stream_id.to_string(), e.recorded_at_ms);
  }

  void add_message(const Uuid& conversation, const Conversation& c, std::int64_t position, int part,
                   int idx, const Uuid& job, std::string role, const std::string& plaintext,
                   std::int64_t ms) {
    auto sealed = seal_column(*c.ring, plaintext, conversation);
    if (!sealed.ok()) return;
    pending_.push_back(
        {conversation, position, part, idx, job, std::move(role), std::move(*sealed), ms});
  }

  void touch(const Uuid& conversation, std::int64_t ms) {
    auto& t = touched_[conversation];
    t = std::max(t, ms);
  }

  void write_messages() {
    if (!pending_.empty()) {
      std::vector<Uuid> conversation, job;
      std::vector<std::optional<std::int64_t>> position, part, idx, created;
      std::vector<std::optional<std::string>> role, content;
      for (const auto& m : pending_) {
        conversation.push_back(m.conversation);
        job.push_back(m.job);
        position.push_back(m.job_position);
        part.push_back(m.part);
        idx.push_back(m.idx);
        created.push_back(m.created_ms);
        role.push_back(m.role);
        content.push_back(m.content);
      }
      tx_.exec_params(
          "INSERT INTO conversation_messages (conversation_id, job_position, part, idx, job_id,"
          " role, content, created_at) SELECT u.c, u.p, u.part, u.idx, u.j, u.role, u.content,"
          " to_timestamp(u.created / 1000.0) FROM unnest($1::uuid[], $2::bigint[], $3::int[],"
          " $4::int[], $5::uuid[], $6::text[], $7::jsonb[], $8::bigint[])"
          " AS u(c, p, part, idx, j, role, content, created)"
          " ON CONFLICT (conversation_id, job_position, part, idx) DO NOTHING",
          pg_uuid_array(conversation), pg_nullable_int_array(position), pg_nullable_int_array(part),
          pg_nullable_int_array(idx), pg_uuid_array(job), pg_nullable_text_array(role),
          pg_nullable_text_array(content), pg_nullable_int_array(created));
    }
    if (touched_.empty()) return;
    std::vector<Uuid> ids;
    std::vector<std::optional<std::int64_t>> times;
    for (const auto& [id, ms] : touched_) {
      ids.push_back(id);
      times.push_back(ms);
    }
    tx_.exec_params(
        "UPDATE conversations c SET updated_at = greatest(c.updated_at, to_timestamp(u.t /"
        " 1000.0)), message_count = (SELECT count(*) FROM conversation_messages m"
        " WHERE m.conversation_id = c.conversation_id)"
        " FROM unnest($1::uuid[], $2::bigint[]) AS u(id, t)"
        " WHERE c.conversation_id = u.id AND c.deleted_at IS NULL",
        pg_uuid_array(ids), pg_nullable_int_array(times));
  }

  pqxx::transaction_base& tx_;
  const DataKeyring& ring_;
  std::unordered_map<Uuid, JobPlace, UuidHash> places_;
  std::unordered_map<Uuid, Conversation, UuidHash> conversations_;
  std::unordered_map<Uuid, std::int64_t, UuidHash> touched_;
  std::vector<Message> pending_;
};

}  // namespace

void ConversationsProjection::apply(pqxx::transaction_base& tx,
                                    const std::vector<RecordedEvent>& events) {
  PageApplier(tx, ring_).apply(events);
}

}  // namespace bl
