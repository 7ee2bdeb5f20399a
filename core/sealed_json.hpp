#pragma once
// Content inside event data is a sealed box written as {"k": key id, "n": nonce, "c":
// ciphertext} (base64). The box is bound to its stream id (AES-GCM associated data).

#include <string_view>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"

namespace bl {

Status write_sealed(JsonWriter& w, std::string_view key, const DataKeyring& ring,
                    std::string_view plaintext, const Uuid& stream);
Result<std::string> open_sealed(const JsonValue& box, const DataKeyring& ring, const Uuid& stream);

}  // namespace bl
