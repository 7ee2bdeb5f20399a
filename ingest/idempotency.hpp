#pragma once
// Idempotency-Key for every POST (schema/0101_idempotency_keys.sql). The first request with
// a key claims it; its answer is recorded (sealed) and replayed to every later request with
// the same key and the same method, path and body. The same key with another request is a
// 409, and so is a repeat while the first request is still running. A first request that
// ends in a 5xx releases the key so that a retry runs it again.
//
// Commands record their answer inside their own transaction (record_idempotent_response), so
// a crash between commit and reply still replays. For handlers that do not, the request gate
// records the answer after the fact; a node crash in that gap leaves the key claimed until
// kIdempotencyLockTimeout, after which a retry runs again.

#include <chrono>
#include <optional>
#include <string>

#include "core/crypto.hpp"
#include "core/http_server.hpp"
#include "core/pg.hpp"
#include "ingest/principal.hpp"

namespace bl {

inline constexpr std::size_t kMaxIdempotencyKeyBytes = 255;
inline constexpr std::chrono::hours kIdempotencyRetention{24};
inline constexpr std::chrono::seconds kIdempotencyLockTimeout{120};

struct IdempotencyKey {
  std::string scope;     // the caller's workspace, else organization, else key id
  std::string key_hash;  // SHA-256 of the header's value (the value may be meaningful)
};

// The Idempotency-Key of a POST; nullopt without one; kInvalidArgument when it is empty,
// longer than kMaxIdempotencyKeyBytes or not printable ASCII.
Result<std::optional<IdempotencyKey>> idempotency_key_of(const HttpRequest& request,
                                                         const Principal& caller);
// SHA-256 over method, path, query and body.
std::string request_fingerprint(const HttpRequest& request);

enum class IdempotencyState { kFirst, kReplay, kMismatch, kInProgress };

struct IdempotencyClaim {
  IdempotencyState state = IdempotencyState::kFirst;
  HttpResponse replay;  // kReplay: the recorded answer
};

// Claims the key in a transaction of its own (and removes a few expired records).
Result<IdempotencyClaim> claim_idempotency_key(pqxx::connection& conn, const IdempotencyKey& key,
                                               std::string_view fingerprint,
                                               const DataKeyring& ring);
// Records the answer to the first request; no-op when it is recorded already.
Status record_idempotent_response(pqxx::transaction_base& tx, const IdempotencyKey& key,
                                  const HttpResponse& response, const DataKeyring& ring);
// Forgets a first request that failed, so that a retry runs it again.
void release_idempotency_key(pqxx::transaction_base& tx, const IdempotencyKey& key);

}  // namespace bl
