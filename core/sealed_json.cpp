#include "core/sealed_json.hpp"

namespace bl {

Status write_sealed(JsonWriter& w, std::string_view key, const DataKeyring& ring,
                    std::string_view plaintext, const Uuid& stream) {
  auto box = ring.seal(plaintext, stream.to_string());
  if (!box.ok()) return box.error();
  w.key(key);
  w.begin_object();
  w.field("k", box->key_id);
  w.field("n", base64_encode(box->nonce));
  w.field("c", base64_encode(box->ciphertext));
  w.end_object();
  return {};
}

Result<std::string> open_sealed(const JsonValue& v, const DataKeyring& ring, const Uuid& stream) {
  auto k = json_string(v, "k");
  auto n = json_string(v, "n");
  auto c = json_string(v, "c");
  if (!k || !n || !c) return Error::internal("sealed box is malformed");
  auto nonce = base64_decode(*n);
  auto ct = base64_decode(*c);
  if (!nonce.ok() || !ct.ok()) return Error::internal("sealed box is not base64");
  return ring.open(SealedBox{std::string(*k), std::move(*nonce), std::move(*ct)},
                   stream.to_string());
}

}  // namespace bl
