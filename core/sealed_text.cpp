#include "core/sealed_text.hpp"

#include "core/json.hpp"
#include "core/sealed_json.hpp"

namespace bl {

Result<std::string> seal_text(const DataKeyring& ring, const Uuid& owner, std::string_view text) {
  JsonWriter w;
  w.begin_object();
  if (auto s = write_sealed(w, "b", ring, text, owner); !s.ok()) return s.error();
  w.end_object();
  // {"b":{...}} -> {...}
  constexpr std::size_t kHead = sizeof("{\"b\":") - 1;
  const std::string_view all = w.view();
  return std::string(all.substr(kHead, all.size() - kHead - 1));
}

Result<std::string> open_text(const DataKeyring& ring, const Uuid& owner, std::string_view box) {
  auto doc = parse_json(box);
  if (!doc.ok() || !doc->IsObject()) return Error::internal("sealed text is not a box");
  return open_sealed(*doc, ring, owner);
}

Status check_name(std::string_view name, std::string_view field) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return Error::invalid(std::string(field) + " must be 1-" + std::to_string(kMaxNameBytes) +
                          " bytes");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Error::invalid(std::string(field) + " must not contain control characters");
    }
  }
  return {};
}

}  // namespace bl
