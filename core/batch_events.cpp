#include "core/batch_events.hpp"

#include "core/json.hpp"
#include "core/sealed_json.hpp"

namespace bl {
namespace {

Result<JsonDocument> parse_event(std::string_view data) {
  auto doc = parse_json(data);
  if (!doc.ok() || !doc->IsObject()) return Error::internal("batch event data is not an object");
  return doc;
}

std::optional<Uuid> opt_uuid(const JsonValue& v, std::string_view name) {
  auto s = json_string(v, name);
  return s ? Uuid::parse(*s) : std::nullopt;
}

void write_opt_uuid(JsonWriter& w, std::string_view key, const std::optional<Uuid>& id) {
  if (id) w.field(key, id->to_string());
}

int int_of(const JsonValue& v, std::string_view name) {
  return static_cast<int>(json_int(v, name).value_or(0));
}

}  // namespace

std::string_view batch_api_name(BatchApi api) {
  return api == BatchApi::kAnthropic ? "anthropic" : "openai";
}

std::optional<BatchApi> parse_batch_api(std::string_view name) {
  if (name == "openai") return BatchApi::kOpenAi;
  if (name == "anthropic") return BatchApi::kAnthropic;
  return std::nullopt;
}

Result<std::string> encode(const BatchSubmitted& e, const DataKeyring& ring, const Uuid& batch) {
  JsonWriter w;
  w.begin_object();
  w.field("api", batch_api_name(e.api));
  w.field("endpoint", e.endpoint);
  w.field("completion_window", e.completion_window);
  if (e.model) w.field("model", *e.model);
  write_opt_uuid(w, "input_file_id", e.input_file_id);
  w.field("expires_at_ms", e.expires_at_ms);
  if (!e.metadata_json.empty()) {
    if (auto s = write_sealed(w, "metadata", ring, e.metadata_json, batch); !s.ok()) {
      return s.error();
    }
  }
  w.end_object();
  return w.str();
}

std::string encode(const BatchValidated& e) {
  JsonWriter w;
  w.begin_object().field("total", e.total).end_object();
  return w.str();
}

std::string encode_errors_list(const std::vector<BatchLineError>& errors) {
  JsonWriter w;
  w.begin_object();
  w.field("object", "list");
  w.key("data").begin_array();
  for (const auto& e : errors) {
    w.begin_object();
    w.field("code", e.code);
    w.key("line");
    if (e.line) {
      w.value(*e.line);
    } else {
      w.null();
    }
    w.field("message", e.message);
    w.optional_field("param", e.param);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string encode(const BatchFailed& e) {
  JsonWriter w;
  w.begin_object();
  w.key("errors").raw(encode_errors_list(e.errors));
  w.end_object();
  return w.str();
}

std::string encode(const BatchFinalized& e) {
  JsonWriter w;
  w.begin_object();
  write_opt_uuid(w, "output_file_id", e.output_file_id);
  write_opt_uuid(w, "error_file_id", e.error_file_id);
  const BatchCounts& c = e.counts;
  for (const auto& [key, value] : {std::pair<const char*, std::int64_t>{"total", c.total},
                                   {"succeeded", c.succeeded},
                                   {"failed", c.failed},
                                   {"cancelled", c.cancelled},
                                   {"expired", c.expired},
                                   {"retries", c.retries},
                                   {"input_tokens", c.input_tokens},
                                   {"output_tokens", c.output_tokens},
                                   {"cached_tokens", c.cached_tokens},
                                   {"cost_nano_usd", c.cost_nano_usd},
                                   {"finalizing_at_ms", e.finalizing_at_ms}}) {
    w.field(key, value);
  }
  w.end_object();
  return w.str();
}

Result<BatchSubmitted> decode_batch_submitted(std::string_view data, const DataKeyring* ring,
                                              const Uuid& batch) {
  auto doc = parse_event(data);
  if (!doc.ok()) return doc.error();
  BatchSubmitted e;
  e.api = parse_batch_api(json_string(*doc, "api").value_or("")).value_or(BatchApi::kOpenAi);
  e.endpoint = std::string(json_string(*doc, "endpoint").value_or(""));
  e.completion_window = std::string(json_string(*doc, "completion_window").value_or("24h"));
  if (auto m = json_string(*doc, "model")) e.model = std::string(*m);
  e.input_file_id = opt_uuid(*doc, "input_file_id");
  e.expires_at_ms = json_int(*doc, "expires_at_ms").value_or(0);
  const JsonValue* box = json_member(*doc, "metadata");
  if (ring != nullptr && box != nullptr && box->IsObject()) {
    auto plain = open_sealed(*box, *ring, batch);
    if (!plain.ok()) return plain.error();
    e.metadata_json = std::move(*plain);
  }
  return e;
}

Result<BatchValidated> decode_batch_validated(std::string_view data) {
  auto doc = parse_event(data);
  if (!doc.ok()) return doc.error();
  return BatchValidated{int_of(*doc, "total")};
}

Result<BatchFinalized> decode_batch_finalized(std::string_view data) {
  auto doc = parse_event(data);
  if (!doc.ok()) return doc.error();
  BatchFinalized e;
  e.output_file_id = opt_uuid(*doc, "output_file_id");
  e.error_file_id = opt_uuid(*doc, "error_file_id");
  BatchCounts& c = e.counts;
  c.total = int_of(*doc, "total");
  c.succeeded = int_of(*doc, "succeeded");
  c.failed = int_of(*doc, "failed");
  c.cancelled = int_of(*doc, "cancelled");
  c.expired = int_of(*doc, "expired");
  c.retries = int_of(*doc, "retries");
  c.input_tokens = json_int(*doc, "input_tokens").value_or(0);
  c.output_tokens = json_int(*doc, "output_tokens").value_or(0);
  c.cached_tokens = json_int(*doc, "cached_tokens").value_or(0);
  c.cost_nano_usd = json_int(*doc, "cost_nano_usd").value_or(0);
  e.finalizing_at_ms = json_int(*doc, "finalizing_at_ms").value_or(0);
  return e;
}

}  // namespace bl
