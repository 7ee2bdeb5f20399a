#include "core/file_store.hpp"

#include "core/json.hpp"
#include "core/sealed_json.hpp"

namespace bl {
namespace {

constexpr const char* kFileColumns =
    "file_id::text, org_id, workspace_id, purpose, filename::text, bytes, chunks, batch_id::text,"
    " (extract(epoch FROM created_at) * 1000)::bigint,"
    " (extract(epoch FROM expires_at) * 1000)::bigint";

// A chunk's associated data: its file and its place in it.
std::string chunk_aad(const Uuid& file, int seq) {
  return file.to_string() + ":" + std::to_string(seq);
}

Result<FileRecord> to_record(const pqxx::row& r, const DataKeyring& ring) {
  FileRecord f;
  f.file_id = Uuid::parse(pg_view(r[0])).value_or(Uuid());
  f.org_id = r[1].as<std::string>();
  f.workspace_id = r[2].as<std::string>();
  f.purpose = r[3].as<std::string>();
  auto box = parse_json(pg_view(r[4]));
  if (!box.ok()) return Error::internal("file name box is not JSON");
  auto name = open_sealed(*box, ring, f.file_id);
  if (!name.ok()) return name.error();
  f.filename = std::move(*name);
  f.bytes = r[5].as<std::int64_t>();
  f.chunks = r[6].as<int>();
  if (!r[7].is_null()) f.batch_id = Uuid::parse(pg_view(r[7]));
  f.created_ms = r[8].as<std::int64_t>();
  if (!r[9].is_null()) f.expires_ms = r[9].as<std::int64_t>();
  return f;
}

}  // namespace

Status insert_file(pqxx::transaction_base& tx, const DataKeyring& ring, const NewFile& file,
                   std::string_view content) {
  JsonWriter name;
  name.begin_object();
  if (auto s = write_sealed(name, "box", ring, file.filename, file.file_id); !s.ok()) return s;
  name.end_object();
  auto doc = parse_json(name.view());
  if (!doc.ok()) return Error::internal("sealed file name is not JSON");
  const std::string box = to_json((*doc)["box"]);
  const int chunks = static_cast<int>((content.size() + kFileChunkBytes - 1) / kFileChunkBytes);
  tx.exec_params(
      "INSERT INTO files (file_id, org_id, workspace_id, purpose, filename, bytes, chunks,"
      " batch_id, expires_at) VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6, $7, $8::uuid,"
      " CASE WHEN $9::bigint IS NULL THEN NULL ELSE to_timestamp($9::bigint / 1000.0) END)",
      file.file_id.to_string(), file.org_id, file.workspace_id, file.purpose, box,
      static_cast<std::int64_t>(content.size()), chunks,
      file.batch_id ? std::optional<std::string>(file.batch_id->to_string()) : std::nullopt,
      file.expires_at_ms);
  for (int seq = 0; seq < chunks; ++seq) {
    const std::size_t offset = static_cast<std::size_t>(seq) * kFileChunkBytes;
    auto sealed = ring.seal(content.substr(offset, kFileChunkBytes), chunk_aad(file.file_id, seq));
    if (!sealed.ok()) return sealed.error();
    tx.exec_params(
        "INSERT INTO file_chunks (file_id, seq, key_id, nonce, ciphertext)"
        " VALUES ($1::uuid, $2, $3, $4, $5)",
        file.file_id.to_string(), seq, sealed->key_id, pqxx::binarystring(sealed->nonce),
        pqxx::binarystring(sealed->ciphertext));
  }
  return {};
}

Result<std::optional<FileRecord>> find_file(pqxx::transaction_base& tx, const DataKeyring& ring,
                                            const Uuid& file, const std::string& workspace) {
  const auto rows = tx.exec_params(std::string("SELECT ") + kFileColumns +
                                       " FROM files WHERE file_id = $1::uuid AND workspace_id = $2"
                                       " AND deleted_at IS NULL"
                                       " AND (expires_at IS NULL OR expires_at > now())",
                                   file.to_string(), workspace);
  if (rows.empty()) return std::optional<FileRecord>();
  auto record = to_record(rows[0], ring);
  if (!record.ok()) return record.error();
  return std::optional<FileRecord>(std::move(*record));
}

Result<std::string> read_file_content(pqxx::transaction_base& tx, const DataKeyring& ring,
                                      const FileRecord& file) {
  std::string out;
  out.reserve(static_cast<std::size_t>(file.bytes));
  const auto rows = tx.exec_params(
      "SELECT seq, key_id, nonce, ciphertext FROM file_chunks WHERE file_id = $1::uuid"
      " ORDER BY seq",
      file.file_id.to_string());
  if (static_cast<int>(rows.size()) != file.chunks) {
    return Error::internal("file has " + std::to_string(rows.size()) + " of " +
                           std::to_string(file.chunks) + " chunks");
  }
  int expected_seq = 0;
  for (const auto& r : rows) {
    const int seq = r[0].as<int>();
    if (seq != expected_seq++) return Error::internal("file chunk missing");
    SealedBox box{r[1].as<std::string>(), pqxx::binarystring(r[2]).str(),
                  pqxx::binarystring(r[3]).str()};
    auto plain = ring.open(box, chunk_aad(file.file_id, seq));
    if (!plain.ok()) return plain.error();
    out += *plain;
  }
  if (static_cast<std::int64_t>(out.size()) != file.bytes) {
    return Error::internal("file content length differs from its record");
  }
  return out;
}

Result<std::vector<FileRecord>> list_files(pqxx::transaction_base& tx, const DataKeyring& ring,
                                           const FileListQuery& q) {
  const char* cmp = q.descending ? "<" : ">";
  const char* order = q.descending ? "DESC" : "ASC";
  const auto rows = tx.exec_params(
      std::string("SELECT ") + kFileColumns +
          " FROM files WHERE workspace_id = $1 AND deleted_at IS NULL"
          " AND (expires_at IS NULL OR expires_at > now())"
          " AND ($2::text IS NULL OR purpose = $2)"
          " AND ($3::uuid IS NULL OR file_id " +
          cmp + " $3::uuid) ORDER BY file_id " + order + " LIMIT $4",
      q.workspace, q.purpose,
      q.after ? std::optional<std::string>(q.after->to_string()) : std::nullopt, q.limit + 1);
  std::vector<FileRecord> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    auto record = to_record(r, ring);
    if (!record.ok()) return record.error();
    out.push_back(std::move(*record));
  }
  return out;
}

bool delete_file(pqxx::transaction_base& tx, const Uuid& file, const std::string& workspace) {
  const auto r = tx.exec_params(
      "UPDATE files SET deleted_at = now() WHERE file_id = $1::uuid AND workspace_id = $2"
      " AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
      file.to_string(), workspace);
  if (r.affected_rows() == 0) return false;
  tx.exec_params("DELETE FROM file_chunks WHERE file_id = $1::uuid", file.to_string());
  return true;
}

int delete_expired_files(pqxx::transaction_base& tx, int limit) {
  const auto rows = tx.exec_params(
      "UPDATE files SET deleted_at = now() WHERE file_id IN (SELECT file_id FROM files"
      " WHERE deleted_at IS NULL AND expires_at <= now() ORDER BY expires_at LIMIT $1"
      " FOR UPDATE SKIP LOCKED) RETURNING file_id::text",
      limit);
  std::vector<Uuid> ids;
  for (const auto& r : rows) {
    if (auto id = Uuid::parse(pg_view(r[0]))) ids.push_back(*id);
  }
  if (!ids.empty()) {
    tx.exec_params("DELETE FROM file_chunks WHERE file_id = ANY($1::uuid[])", pg_uuid_array(ids));
  }
  return static_cast<int>(ids.size());
}

}  // namespace bl
