#include "ingest/conversations_api.hpp"

#include "core/api_error.hpp"
#include "core/event_log.hpp"
#include "ingest/access.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/list_page.hpp"
#include "ingest/pool_replies.hpp"
#include "projections/conversation_events.hpp"
#include "projections/conversation_keys.hpp"
#include "projections/conversation_queries.hpp"

namespace bl {
namespace {

constexpr int kDefaultLimit = 20;
constexpr int kMaxLimit = 100;
constexpr int kMaxExportMessages = 10000;
constexpr std::size_t kPatchBodyBytes = 32 << 10;
constexpr std::size_t kMaxTitleBytes = 512;
constexpr std::size_t kMaxMetadataKeys = 16;
constexpr std::size_t kMaxMetadataValueBytes = 512;

HttpResponse no_such_conversation() {
  return error_response(404, "not_found", "no such conversation");
}

void write_conversation(JsonWriter& w, const ConversationRow& c) {
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kConversation, c.id));
  w.field("object", "conversation");
  w.optional_field("title", c.title);
  w.key("metadata");
  auto metadata = parse_json(c.metadata_json.value_or("{}"));
  if (metadata.ok() && metadata->IsObject()) {
    w.value(*metadata);
  } else {
    w.begin_object().end_object();
  }
  w.field("message_count", c.message_count);
  w.field("created_at", c.created_ms / 1000);
  w.field("updated_at", c.updated_ms / 1000);
}

void write_message(JsonWriter& w, const ConversationMessage& m) {
  w.begin_object();
  w.field("id", message_api_id(m.key));
  w.field("object", "conversation.message");
  w.field("role", m.role);
  w.key("content");
  auto doc = parse_json(m.message_json);
  const JsonValue* content = doc.ok() && doc->IsObject() ? json_member(*doc, "content") : nullptr;
  if (content != nullptr) {
    w.value(*content);
  } else {
    w.null();
  }
  w.field("job_id", to_api_id(id_prefix::kJob, m.job_id));
  w.field("created_at", m.created_ms / 1000);
  w.end_object();
}

// Text of a message's content for markdown: a string as is, parts' text joined.
std::string content_text(const std::string& message_json) {
  auto doc = parse_json(message_json);
  if (!doc.ok() || !doc->IsObject()) return "";
  const JsonValue* content = json_member(*doc, "content");
  if (content == nullptr) return "";
  if (content->IsString()) return std::string(content->GetString(), content->GetStringLength());
  std::string out;
  if (content->IsArray()) {
    for (const auto& part : content->GetArray()) {
      if (auto text = part.IsObject() ? json_string(part, "text") : std::nullopt) {
        out += std::string(*text);
      }
    }
  }
  return out;
}

Result<ConversationUpdated> update_body(const std::string& body) {
  auto doc = parse_json(body);
  if (!doc.ok() || !doc->IsObject()) return Error::invalid("the body must be a JSON object");
  ConversationUpdated u;
  for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
    const std::string_view name(it->name.GetString(), it->name.GetStringLength());
    const JsonValue& v = it->value;
    if (name == "title") {
      if (!v.IsString() || v.GetStringLength() > kMaxTitleBytes) {
        return Error::invalid("title must be a string of at most 512 bytes");
      }
      u.title = std::string(v.GetString(), v.GetStringLength());
    } else if (name == "metadata") {
      if (!v.IsObject() || v.MemberCount() > kMaxMetadataKeys) {
        return Error::invalid("metadata must be an object of at most 16 string values");
      }
      for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
        if (!m->value.IsString() || m->value.GetStringLength() > kMaxMetadataValueBytes ||
            m->name.GetStringLength() > 64) {
          return Error::invalid("metadata keys are at most 64 bytes, values strings of 512");
        }
      }
      u.metadata_json = to_json(v);
    } else {
      return Error::invalid("unknown member; expected title and metadata");
    }
  }
  if (!u.title && !u.metadata_json) return Error::invalid("nothing to change");
  return u;
}

// Appends one event to the conversation's stream (after its current head), with the audit.
Status append_conversation_event(pqxx::transaction_base& tx, const Uuid& id, std::string_view type,
                                 std::string data, const EventMetadata& meta,
                                 const CommandAudit& audit) {
  lock_streams(tx, {id});
  const StreamHeads heads = read_stream_heads(tx, {id});
  const auto head = heads.find(id);
  return append_events(
      tx, {StreamAppend{id,
                        std::string(kConversationStreamType),
                        head == heads.end() ? 0 : head->second.version,
                        {NewEvent{std::string(type), std::move(data), encode_metadata(meta)}}},
           audit_append(audit, meta)});
}

}  // namespace

void ConversationsApi::add_routes(Router& router) {
  router.add("GET", "/v1/conversations", [this](HttpRequest& r, Responder res) { list(r, res); });
  router.add("GET", "/v1/conversations/{id}",
             [this](HttpRequest& r, Responder res) { get(r, res); });
  router.add("PATCH", "/v1/conversations/{id}", kPatchBodyBytes,
             [this](HttpRequest& r, Responder res) { update(r, res); });
  router.add("DELETE", "/v1/conversations/{id}",
             [this](HttpRequest& r, Responder res) { remove(r, res); });
  router.add("GET", "/v1/conversations/{id}/export",
             [this](HttpRequest& r, Responder res) { export_conversation(r, res); });
}

void ConversationsApi::list(HttpRequest& request, Responder responder) {
  auto caller = workspace_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  auto page = parse_page(request, kDefaultLimit, kMaxLimit);
  if (!page.ok()) return responder.send(error_response(page.error()));
  std::optional<Uuid> after;
  if (page->after) {
    after = from_api_id(id_prefix::kConversation, *page->after);
    if (!after) {
      return responder.send(
          error_response(400, "invalid_request", "after must be a conversation id"));
    }
  }
  run_on_pool(pool_, responder,
              [this, responder, ws = caller->workspace_id, after,
               limit = page->limit](pqxx::connection& conn) {
                auto rows = pg_call([&]() -> Result<std::vector<ConversationRow>> {
                  pqxx::read_transaction tx(conn);
                  return list_conversations(tx, config_.keyring, ws, after, limit + 1);
                });
                if (!rows.ok()) return responder.send(database_error_response(rows.error()));
                const bool more = trim_page(*rows, limit);
                std::vector<std::string> ids;
                for (const auto& c : *rows)
                  ids.push_back(to_api_id(id_prefix::kConversation, c.id));
                responder.send(
                    HttpResponse::json(200, list_json(ids, more, [&](JsonWriter& w, std::size_t i) {
                                         write_conversation(w, (*rows)[i]);
                                         w.end_object();
                                       })));
              });
}

void ConversationsApi::get(HttpRequest& request, Responder responder) {
  auto caller = workspace_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const auto id = from_api_id(id_prefix::kConversation, request.path_param("id"));
  if (!id) return responder.send(no_such_conversation());
  auto page = parse_page(request, kDefaultLimit, kMaxLimit);
  if (!page.ok()) return responder.send(error_response(page.error()));
  std::optional<MessageKey> after;
  if (page->after) {
    after = parse_message_api_id(*page->after);
    if (!after)
      return responder.send(error_response(400, "invalid_request", "after must be a message id"));
  }
  run_on_pool(pool_, responder,
              [this, responder, id = *id, ws = caller->workspace_id, after,
               limit = page->limit](pqxx::connection& conn) {
                auto answer = pg_call([&]() -> Result<std::optional<std::string>> {
                  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
                  auto row = find_conversation(tx, config_.keyring, id, ws);
                  if (!row.ok()) return row.error();
                  if (!*row) return std::optional<std::string>();
                  auto messages = conversation_messages(tx, config_.keyring, id, after, limit + 1);
                  if (!messages.ok()) return messages.error();
                  const bool more = trim_page(*messages, limit);
                  JsonWriter w;
                  write_conversation(w, **row);
                  w.key("messages").begin_object();
                  w.field("object", "list");
                  w.key("data").begin_array();
                  for (const auto& m : *messages)
                    write_message(w, m);
                  w.end_array();
                  if (messages->empty()) {
                    w.null_field("first_id").null_field("last_id");
                  } else {
                    w.field("first_id", message_api_id(messages->front().key));
                    w.field("last_id", message_api_id(messages->back().key));
                  }
                  w.field("has_more", more);
                  w.end_object().end_object();
                  return std::optional<std::string>(w.str());
                });
                if (!answer.ok()) return responder.send(database_error_response(answer.error()));
                if (!*answer) return responder.send(no_such_conversation());
                responder.send(HttpResponse::json(200, std::move(**answer)));
              });
}

void ConversationsApi::update(HttpRequest& request, Responder responder) {
  const std::string target(request.path_param("id"));
  auto caller = command_caller(&workspace_caller, auth_, pool_, request,
                               {"conversations.update", "conversation", target, 0, ""});
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const EventMetadata meta = caller_metadata(*caller, request);
  const auto id = from_api_id(id_prefix::kConversation, target);
  auto change = update_body(request.body);
  if (!id || !change.ok()) {
    const int status = id ? 400 : 404;
    const std::string code = id ? "invalid_request" : "not_found";
    record_rejected_command(pool_, {"conversations.update", "conversation", target, status, code},
                            meta);
    return responder.send(id ? error_response(change.error()) : no_such_conversation());
  }
  run_on_pool(pool_, responder,
              [this, responder, meta, target, id = *id,
               change = std::move(*change)](pqxx::connection& conn) {
                auto answer = pg_call([&]() -> Result<std::optional<std::string>> {
                  pqxx::work tx(conn);
                  auto row = find_conversation(tx, config_.keyring, id, meta.workspace_id);
                  if (!row.ok()) return row.error();
                  if (!*row) return std::optional<std::string>();
                  auto data = encode(change, config_.keyring, id);
                  if (!data.ok()) return data.error();
                  if (auto s = append_conversation_event(
                          tx, id, kConversationUpdated, std::move(*data), meta,
                          {"conversations.update", "conversation", target, 200, ""});
                      !s.ok()) {
                    return s.error();
                  }
                  tx.commit();
                  // The read model follows within a projector page; answer with the change applied.
                  ConversationRow updated = std::move(**row);
                  if (change.title) updated.title = change.title;
                  if (change.metadata_json) updated.metadata_json = change.metadata_json;
                  JsonWriter w;
                  write_conversation(w, updated);
                  w.end_object();
                  return std::optional<std::string>(w.str());
                });
                if (!answer.ok()) return responder.send(database_error_response(answer.error()));
                if (!*answer) {
                  record_rejected_command(
                      pool_, {"conversations.update", "conversation", target, 404, "not_found"},
                      meta);
                  return responder.send(no_such_conversation());
                }
                responder.send(HttpResponse::json(200, std::move(**answer)));
              });
}

void ConversationsApi::remove(HttpRequest& request, Responder responder) {
  const std::string target(request.path_param("id"));
  auto caller = command_caller(&workspace_caller, auth_, pool_, request,
                               {"conversations.delete", "conversation", target, 0, ""});
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const EventMetadata meta = caller_metadata(*caller, request);
  const auto id = from_api_id(id_prefix::kConversation, target);
  if (!id) {
    record_rejected_command(
        pool_, {"conversations.delete", "conversation", target, 404, "not_found"}, meta);
    return responder.send(no_such_conversation());
  }
  run_on_pool(pool_, responder, [this, responder, meta, target, id = *id](pqxx::connection& conn) {
    auto deleted = pg_call([&]() -> Result<bool> {
      pqxx::work tx(conn);
      const auto owner = tx.exec_params(
          "SELECT 1 FROM conversations WHERE conversation_id = $1::uuid AND workspace_id = $2"
          " AND deleted_at IS NULL FOR UPDATE",
          id.to_string(), meta.workspace_id);
      if (owner.empty()) return false;
      if (auto s =
              append_conversation_event(tx, id, kConversationDeleted, "{}", meta,
                                        {"conversations.delete", "conversation", target, 200, ""});
          !s.ok()) {
        return s.error();
      }
      // At once, not a projector page later: the key goes, so nothing sealed under it opens.
      destroy_conversation_key(tx, id);
      tx.exec_params(
          "UPDATE conversations SET deleted_at = now(), title = NULL, metadata = NULL"
          " WHERE conversation_id = $1::uuid",
          id.to_string());
      tx.commit();
      return true;
    });
    if (!deleted.ok()) return responder.send(database_error_response(deleted.error()));
    if (!*deleted) {
      record_rejected_command(
          pool_, {"conversations.delete", "conversation", target, 404, "not_found"}, meta);
      return responder.send(no_such_conversation());
    }
    JsonWriter w;
    w.begin_object();
    w.field("id", target);
    w.field("object", "conversation.deleted");
    w.field("deleted", true);
    w.end_object();
    responder.send(HttpResponse::json(200, w.str()));
  });
}

void ConversationsApi::export_conversation(HttpRequest& request, Responder responder) {
  auto caller = workspace_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const auto id = from_api_id(id_prefix::kConversation, request.path_param("id"));
  if (!id) return responder.send(no_such_conversation());
  const std::string format = request.query_param("format").value_or("json");
  if (format != "json" && format != "markdown") {
    return responder.send(
        error_response(400, "invalid_request", "format must be json or markdown", "format"));
  }
  run_on_pool(
      pool_, responder,
      [this, responder, id = *id, ws = caller->workspace_id, format](pqxx::connection& conn) {
        auto answer = pg_call([&]() -> Result<std::optional<HttpResponse>> {
          pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
          auto row = find_conversation(tx, config_.keyring, id, ws);
          if (!row.ok()) return row.error();
          if (!*row) return std::optional<HttpResponse>();
          auto messages =
              conversation_messages(tx, config_.keyring, id, std::nullopt, kMaxExportMessages);
          if (!messages.ok()) return messages.error();
          if (format == "markdown") {
            std::string md = "# " + (*row)->title.value_or("Conversation") + "\n\n";
            for (const auto& m : *messages) {
              md += "**" + m.role + "**\n\n" + content_text(m.message_json) + "\n\n";
            }
            return std::optional<HttpResponse>(
                HttpResponse::text(200, std::move(md), "text/markdown; charset=utf-8"));
          }
          JsonWriter w;
          write_conversation(w, **row);
          w.key("messages").begin_array();
          for (const auto& m : *messages)
            write_message(w, m);
          w.end_array().end_object();
          return std::optional<HttpResponse>(HttpResponse::json(200, w.str()));
        });
        if (!answer.ok()) return responder.send(database_error_response(answer.error()));
        if (!*answer) return responder.send(no_such_conversation());
        responder.send(std::move(**answer));
      });
}

}  // namespace bl
