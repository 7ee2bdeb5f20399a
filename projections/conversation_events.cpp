#include "projections/conversation_events.hpp"

#include "core/json.hpp"
#include "core/sealed_json.hpp"

namespace bl {

Result<std::string> encode(const ConversationUpdated& e, const DataKeyring& ring,
                           const Uuid& conversation) {
  JsonWriter w;
  w.begin_object();
  if (e.title) {
    if (auto s = write_sealed(w, "title", ring, *e.title, conversation); !s.ok()) return s.error();
  }
  if (e.metadata_json) {
    if (auto s = write_sealed(w, "metadata", ring, *e.metadata_json, conversation); !s.ok()) {
      return s.error();
    }
  }
  w.end_object();
  return w.str();
}

Result<ConversationUpdated> decode_conversation_updated(std::string_view data,
                                                        const DataKeyring& ring,
                                                        const Uuid& conversation) {
  auto doc = parse_json(data);
  if (!doc.ok() || !doc->IsObject()) return Error::internal("event data is not an object");
  ConversationUpdated e;
  for (auto [name, out] : {std::pair{"title", &e.title}, std::pair{"metadata", &e.metadata_json}}) {
    const JsonValue* box = json_member(*doc, name);
    if (box == nullptr) continue;
    auto text = open_sealed(*box, ring, conversation);
    if (!text.ok()) return text.error();
    *out = std::move(*text);
  }
  return e;
}

}  // namespace bl
