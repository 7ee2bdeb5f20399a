// The steps every provider shares around its own parsers: classify or parse, then cost.

#include "workers/provider.hpp"

namespace bl {

ProviderOutcome parse_result(const Provider& provider, const ModelConfig& model,
                             const HttpCallResult& r) {
  if (!r.transport_ok() || r.status < 200 || r.status >= 300) return classify_failure(r);
  auto parsed = provider.parse_body(r.body);
  if (!parsed.ok()) {
    ProviderOutcome o;
    o.http_status = static_cast<int>(r.status);
    o.kind = ProviderOutcome::Kind::kRetryable;
    o.error_code = "malformed_response";
    return o;
  }
  ProviderOutcome o = std::move(*parsed);
  o.http_status = static_cast<int>(r.status);
  o.usage.cost_nano_usd = cost_nano_usd(model, o.usage);
  return o;
}

std::int64_t cost_nano_usd(const ModelConfig& model, const JobUsage& usage) {
  // floor((in * p_in + out * p_out) / 1e6) without overflowing 64 bits: split each price
  // into whole nano-USD per token and a remainder.
  constexpr std::int64_t kM = 1000000;
  const std::int64_t pi = model.input_nano_usd_per_mtok;
  const std::int64_t po = model.output_nano_usd_per_mtok;
  return usage.input_tokens * (pi / kM) + usage.output_tokens * (po / kM) +
         (usage.input_tokens * (pi % kM) + usage.output_tokens * (po % kM)) / kM;
}

std::string assistant_message_json(std::string_view text) {
  JsonWriter w;
  w.begin_object().field("role", "assistant").field("content", text).end_object();
  return w.str();
}

std::string message_text(const JsonValue& content) {
  if (content.IsString()) return std::string(as_view(content));
  std::string out;
  if (content.IsArray()) {
    for (const auto& part : content.GetArray()) {
      if (auto t = json_string(part, "text")) out += *t;
    }
  }
  return out;
}

Result<ChatTurns> split_chat(const JsonValue& request) {
  const JsonValue* messages = json_member(request, "messages");
  if (messages == nullptr || !messages->IsArray()) return Error::invalid("request has no messages");
  ChatTurns out;
  for (const auto& m : messages->GetArray()) {
    const std::string_view role = json_string(m, "role").value_or("");
    const JsonValue* content = json_member(m, "content");
    if (content == nullptr) continue;
    if (role == "system" || role == "developer") {
      if (!out.system.empty()) out.system += "\n\n";
      out.system += message_text(*content);
      continue;
    }
    out.turns.push_back(ChatTurn{role == "assistant", message_text(*content)});
  }
  return out;
}

std::int64_t requested_max_tokens(const JsonValue* parameters, std::int64_t fallback) {
  if (parameters == nullptr || !parameters->IsObject()) return fallback;
  return json_int(*parameters, "max_tokens")
      .value_or(json_int(*parameters, "max_completion_tokens").value_or(fallback));
}

void write_stop_sequences(const JsonValue* parameters, std::string_view key, JsonWriter& w) {
  const JsonValue* stop =
      parameters != nullptr && parameters->IsObject() ? json_member(*parameters, "stop") : nullptr;
  if (stop == nullptr) return;
  w.key(key);
  if (stop->IsString()) {
    w.begin_array().value(*stop).end_array();
  } else {
    w.value(*stop);
  }
}

}  // namespace bl
