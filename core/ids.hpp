#pragma once
// Identifiers. Every stream (job, batch, file, ...) is keyed by a UUIDv7: time-ordered, so
// indexes stay local and "after=" paging follows creation order. The API shows an id with a
// type prefix ("job_", "batch_", "file-"), as OpenAI does; the database stores the bare UUID.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bl {

class Uuid {
 public:
  Uuid() = default;
  explicit Uuid(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  // A new UUIDv7 from the wall clock and OpenSSL's RNG.
  static Uuid generate_v7();
  // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" or 32 hex digits.
  static std::optional<Uuid> parse(std::string_view text);

  // Canonical lowercase form with dashes, as PostgreSQL prints uuid.
  std::string to_string() const;
  // 32 lowercase hex digits, used inside API ids.
  std::string to_hex() const;
  bool is_nil() const;
  // Milliseconds since the epoch encoded in a v7 id.
  std::int64_t v7_millis() const;
  // A 64-bit key for pg_advisory_xact_lock, spread over all bytes.
  std::int64_t lock_key() const;
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }

  auto operator<=>(const Uuid&) const = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

struct UuidHash {
  std::size_t operator()(const Uuid& u) const;
};

// API id prefixes. One place, so a prefix is never spelled twice.
namespace id_prefix {
inline constexpr std::string_view kJob = "job_";
inline constexpr std::string_view kBatch = "batch_";
inline constexpr std::string_view kFile = "file-";
inline constexpr std::string_view kMessageBatch = "msgbatch_";
inline constexpr std::string_view kRequest = "req_";
inline constexpr std::string_view kWebhookEndpoint = "whep_";
inline constexpr std::string_view kWebhookEvent = "evt_";  // also the webhook-id header
inline constexpr std::string_view kOrganization = "org_";
inline constexpr std::string_view kWorkspace = "ws_";
inline constexpr std::string_view kApiKey = "key_";
inline constexpr std::string_view kConversation = "conv_";
inline constexpr std::string_view kOptimization = "opt_";
inline constexpr std::string_view kPrompt = "prompt_";
inline constexpr std::string_view kJobChain = "chain_";
inline constexpr std::string_view kAuditRecord = "audit_";
}  // namespace id_prefix

std::string to_api_id(std::string_view prefix, const Uuid& id);
// Accepts "<prefix><32 hex>"; anything else is nullopt (callers answer 404).
std::optional<Uuid> from_api_id(std::string_view prefix, std::string_view api_id);

}  // namespace bl
