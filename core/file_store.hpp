#pragma once
// Files (uploads and batch outputs) in PostgreSQL, never in clear: the content is cut into
// chunks of kFileChunkBytes, each sealed with AES-256-GCM under the active data key and bound
// to (file id, chunk number), so chunks cannot be reordered or moved to another file. The
// filename is sealed too. These functions run inside a caller's transaction (pg_call).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/pg.hpp"

namespace bl {

inline constexpr std::size_t kFileChunkBytes = 1 << 20;

namespace file_purpose {
inline constexpr std::string_view kBatch = "batch";
inline constexpr std::string_view kBatchOutput = "batch_output";
}  // namespace file_purpose

struct NewFile {
  Uuid file_id;
  std::string org_id;
  std::string workspace_id;
  std::string purpose;
  std::string filename;
  std::optional<Uuid> batch_id;
  std::optional<std::int64_t> expires_at_ms;
};

struct FileRecord {
  Uuid file_id;
  std::string org_id;
  std::string workspace_id;
  std::string purpose;
  std::string filename;  // opened
  std::int64_t bytes = 0;
  int chunks = 0;
  std::optional<Uuid> batch_id;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> expires_ms;
};

// Seals and inserts the file row and its chunks.
Status insert_file(pqxx::transaction_base& tx, const DataKeyring& ring, const NewFile& file,
                   std::string_view content);

// The file if it exists in `workspace`, is not deleted and has not expired.
Result<std::optional<FileRecord>> find_file(pqxx::transaction_base& tx, const DataKeyring& ring,
                                            const Uuid& file, const std::string& workspace);

// The whole content, opened. Fails if a chunk is missing or was tampered with.
Result<std::string> read_file_content(pqxx::transaction_base& tx, const DataKeyring& ring,
                                      const FileRecord& file);

struct FileListQuery {
  std::string workspace;
  std::optional<std::string> purpose;
  std::optional<Uuid> after;  // cursor: the last file of the previous page
  bool descending = true;
  int limit = 20;
};
// Up to limit + 1 files (the extra one tells the caller there are more).
Result<std::vector<FileRecord>> list_files(pqxx::transaction_base& tx, const DataKeyring& ring,
                                           const FileListQuery& query);

// Marks the file deleted and removes its chunks; false when there was no live file.
bool delete_file(pqxx::transaction_base& tx, const Uuid& file, const std::string& workspace);

// Removes the chunks of up to `limit` expired files; returns how many files.
int delete_expired_files(pqxx::transaction_base& tx, int limit);

}  // namespace bl
