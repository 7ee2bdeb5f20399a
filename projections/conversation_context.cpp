#include "projections/conversation_context.hpp"

#include "projections/conversation_events.hpp"

namespace bl {
namespace {

// Earlier jobs considered at most (the newest ones).
constexpr int kMaxHistoryJobs = 200;
// Budget when the registry does not know the model's context window.
constexpr std::int64_t kUnknownWindowBudget = 8000;

struct Exchange {
  std::vector<std::string> messages;  // JSON of each message, request then result
  std::int64_t tokens = 0;
};

bool is_system(const JsonValue& m) {
  const auto role = json_string(m, "role").value_or("");
  return role == "system" || role == "developer";
}

// The earlier exchanges of the conversation, newest first.
std::vector<Exchange> earlier_exchanges(pqxx::transaction_base& tx, const DataKeyring& ring,
                                        const Uuid& conversation, const Uuid& job,
                                        const std::string& workspace_id) {
  std::vector<Exchange> out;
  const auto deleted = tx.exec_params1(
      "SELECT EXISTS (SELECT 1 FROM events WHERE stream_id = $1::uuid AND event_type = $2)",
      conversation.to_string(), std::string(kConversationDeleted));
  if (deleted[0].as<bool>()) return out;
  const auto rows = tx.exec_params(
      "SELECT s.stream_id::text, s.data::text, r.data::text FROM events s"
      " JOIN events r ON r.stream_id = s.stream_id AND r.event_type = 'JobSucceeded'"
      " WHERE s.event_type = 'JobSubmitted' AND s.data ? 'conversation_id'"
      " AND s.data ->> 'conversation_id' = $1 AND s.metadata ->> 'workspace_id' = $2"
      " AND s.position < (SELECT position FROM events WHERE stream_id = $3::uuid AND version = 1)"
      " ORDER BY s.position DESC LIMIT $4",
      conversation.to_string(), workspace_id, job.to_string(), kMaxHistoryJobs);
  for (const auto& r : rows) {
    const auto id = Uuid::parse(pg_view(r[0]));
    if (!id) continue;
    auto request = decode_job_submitted(pg_view(r[1]), &ring, *id);
    auto result = decode_job_succeeded(pg_view(r[2]), &ring, *id);
    if (!request.ok() || !result.ok() || result->output_json.empty()) continue;
    auto doc = parse_json(request->request_json);
    if (!doc.ok() || !doc->IsObject()) continue;
    const JsonValue* messages = json_member(*doc, "messages");
    if (messages == nullptr || !messages->IsArray()) continue;
    Exchange x;
    for (const auto& m : messages->GetArray()) {
      if (m.IsObject() && !is_system(m)) x.messages.push_back(to_json(m));
    }
    x.messages.push_back(result->output_json);
    for (const auto& m : x.messages)
      x.tokens += estimated_tokens(m, 1);
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace

std::int64_t estimated_tokens(std::string_view messages_json, std::size_t message_count) {
  return static_cast<std::int64_t>(messages_json.size() / 3 + 1 + 8 * message_count);
}

Status add_conversation_history(pqxx::connection& conn, const Config& config, const Uuid& job,
                                const EventMetadata& metadata, JobSubmitted& submitted) {
  if (!submitted.use_history || !submitted.conversation_id) return {};
  pqxx::read_transaction tx(conn);
  auto doc = parse_json(submitted.request_json);
  if (!doc.ok() || !doc->IsObject()) return Error::internal("job request is not an object");
  JsonValue* messages = doc->HasMember("messages") ? &(*doc)["messages"] : nullptr;
  if (messages == nullptr || !messages->IsArray()) return {};

  const ModelConfig* model = config.find_model(submitted.model);
  std::int64_t budget =
      model != nullptr && model->context_window > 0 ? model->context_window : kUnknownWindowBudget;
  budget -= submitted.max_tokens;
  budget -= estimated_tokens(to_json(*messages), messages->Size());

  std::vector<const Exchange*> kept;
  const auto exchanges =
      earlier_exchanges(tx, config.keyring, *submitted.conversation_id, job, metadata.workspace_id);
  for (const auto& x : exchanges) {  // newest first: the latest context matters most
    if (x.tokens > budget) break;
    budget -= x.tokens;
    kept.push_back(&x);
  }
  if (kept.empty()) return {};

  // The job's leading system messages stay first; the history follows, oldest first; then the
  // job's own messages.
  auto& alloc = doc->GetAllocator();
  JsonValue out(rapidjson::kArrayType);
  std::size_t first_own = 0;
  for (; first_own < messages->Size() && (*messages)[first_own].IsObject() &&
         is_system((*messages)[first_own]);
       ++first_own) {
    out.PushBack(JsonValue((*messages)[first_own], alloc), alloc);
  }
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
    for (const auto& m : (*it)->messages) {
      auto parsed = parse_json(m);
      if (parsed.ok()) out.PushBack(JsonValue(*parsed, alloc), alloc);
    }
  }
  for (std::size_t i = first_own; i < messages->Size(); ++i) {
    out.PushBack(JsonValue((*messages)[i], alloc), alloc);
  }
  *messages = std::move(out);
  submitted.request_json = to_json(*doc);
  return {};
}

}  // namespace bl
