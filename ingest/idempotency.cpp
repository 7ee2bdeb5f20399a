#include "ingest/idempotency.hpp"

#include <strings.h>

#include <array>
#include <cstring>

#include "core/json.hpp"
#include "ingest/sealed_text.hpp"

namespace bl {
namespace {

// Sealed answers are bound to their record: the AEAD's associated data is derived from it.
Uuid record_id(const IdempotencyKey& key) {
  const std::string digest = sha256(key.scope + '\n' + key.key_hash);
  std::array<std::uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), digest.data(), bytes.size());
  return Uuid(bytes);
}

std::string content_type_of(const HttpResponse& r) {
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), "content-type") == 0) return v;
  }
  return "application/json";
}

Result<HttpResponse> open_response(const IdempotencyKey& key, int status, std::string_view box,
                                   const DataKeyring& ring) {
  auto plain = open_text(ring, record_id(key), box);
  if (!plain.ok()) return plain.error();
  auto doc = parse_json(*plain);
  if (!doc.ok()) return Error::internal("recorded answer is not JSON");
  auto type = json_string(*doc, "t");
  auto body = json_string(*doc, "b");
  if (!type || !body) return Error::internal("recorded answer is malformed");
  auto bytes = base64_decode(*body);
  if (!bytes.ok()) return bytes.error();
  HttpResponse r = HttpResponse::text(status, std::move(*bytes), std::string(*type));
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

}  // namespace

Result<std::optional<IdempotencyKey>> idempotency_key_of(const HttpRequest& request,
                                                         const Principal& caller) {
  if (request.method != "POST") return std::optional<IdempotencyKey>();
  const std::string* value = request.header("idempotency-key");
  if (value == nullptr) return std::optional<IdempotencyKey>();
  if (value->empty() || value->size() > kMaxIdempotencyKeyBytes) {
    return Error::invalid("Idempotency-Key must be 1-255 characters");
  }
  for (unsigned char c : *value) {
    if (c < 0x21 || c > 0x7e) {
      return Error::invalid("Idempotency-Key must be printable ASCII without spaces");
    }
  }
  const std::string& scope = !caller.workspace_id.empty() ? caller.workspace_id
                             : !caller.org_id.empty()     ? caller.org_id
                                                          : caller.key_id;
  return std::optional<IdempotencyKey>(IdempotencyKey{scope, sha256(*value)});
}

std::string request_fingerprint(const HttpRequest& request) {
  std::string head = request.method + '\n' + request.path + '?' + request.query + '\n';
  return sha256(head + request.body);
}

Result<IdempotencyClaim> claim_idempotency_key(pqxx::connection& conn, const IdempotencyKey& key,
                                               std::string_view fingerprint,
                                               const DataKeyring& ring) {
  return pg_call([&]() -> Result<IdempotencyClaim> {
    pqxx::work tx(conn);
    tx.exec(
        "DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys"
        " WHERE expires_at < now() LIMIT 100)");
    const pqxx::binarystring hash(key.key_hash);
    const pqxx::binarystring print{std::string(fingerprint)};
    // A record past its retention, or a first request presumed dead, is taken over.
    const auto claimed = tx.exec_params(
        "INSERT INTO idempotency_keys AS i (scope, key_hash, fingerprint, expires_at)"
        " VALUES ($1, $2, $3, now() + make_interval(secs => $4))"
        " ON CONFLICT (scope, key_hash) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,"
        " status = NULL, response = NULL, locked_at = now(), expires_at = EXCLUDED.expires_at"
        " WHERE i.expires_at < now() OR (i.status IS NULL AND i.fingerprint = EXCLUDED.fingerprint"
        " AND i.locked_at < now() - make_interval(secs => $5)) RETURNING 1",
        key.scope, hash, print,
        std::chrono::duration_cast<std::chrono::seconds>(kIdempotencyRetention).count(),
        kIdempotencyLockTimeout.count());
    IdempotencyClaim claim;
    if (claimed.empty()) {
      const auto row = tx.exec_params1(
          "SELECT fingerprint = $3, status, response::text FROM idempotency_keys"
          " WHERE scope = $1 AND key_hash = $2",
          key.scope, hash, print);
      if (!row[0].as<bool>()) {
        claim.state = IdempotencyState::kMismatch;
      } else if (row[1].is_null()) {
        claim.state = IdempotencyState::kInProgress;
      } else {
        auto replay = open_response(key, row[1].as<int>(), pg_view(row[2]), ring);
        if (!replay.ok()) return replay.error();
        claim.state = IdempotencyState::kReplay;
        claim.replay = std::move(*replay);
      }
    }
    tx.commit();
    return claim;
  });
}

Status record_idempotent_response(pqxx::transaction_base& tx, const IdempotencyKey& key,
                                  const HttpResponse& response, const DataKeyring& ring) {
  JsonWriter w;
  w.begin_object();
  w.field("t", content_type_of(response));
  w.field("b", base64_encode(response.body));
  w.end_object();
  auto box = seal_text(ring, record_id(key), w.view());
  if (!box.ok()) return box.error();
  tx.exec_params(
      "UPDATE idempotency_keys SET status = $3, response = $4::jsonb"
      " WHERE scope = $1 AND key_hash = $2 AND status IS NULL",
      key.scope, pqxx::binarystring(key.key_hash), response.status, *box);
  return {};
}

void release_idempotency_key(pqxx::transaction_base& tx, const IdempotencyKey& key) {
  tx.exec_params(
      "DELETE FROM idempotency_keys WHERE scope = $1 AND key_hash = $2 AND status IS NULL",
      key.scope, pqxx::binarystring(key.key_hash));
}

}  // namespace bl
