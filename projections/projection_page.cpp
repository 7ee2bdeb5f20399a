#include "projections/projection_page.hpp"

#include <charconv>

namespace bl {
namespace {

Checkpoint parse_checkpoint(const pqxx::row& r) {
  Checkpoint cp;
  const auto tx = pg_view(r[0]);
  std::from_chars(tx.data(), tx.data() + tx.size(), cp.tx_id);
  cp.position = r[1].as<std::int64_t>();
  return cp;
}

}  // namespace

Checkpoint read_checkpoint(pqxx::transaction_base& tx, const std::string& checkpoint_name) {
  const auto rows = tx.exec_params(
      "SELECT last_tx_id::text, last_position FROM public.projection_checkpoints WHERE name = $1",
      checkpoint_name);
  return rows.empty() ? Checkpoint{} : parse_checkpoint(rows[0]);
}

Result<Checkpoint> read_checkpoint(pqxx::connection& conn, const std::string& checkpoint_name) {
  return pg_call([&]() -> Result<Checkpoint> {
    pqxx::nontransaction tx(conn);
    return read_checkpoint(tx, checkpoint_name);
  });
}

Result<int> apply_page(pqxx::transaction_base& tx, Projection& projection,
                       const std::string& checkpoint_name, int page_size) {
  const Checkpoint from = read_checkpoint(tx, checkpoint_name);
  // Reading before any write: a transaction without an xid does not hold back its own
  // snapshot's xmin.
  const auto events = read_events_after(tx, from, page_size);
  if (events.empty()) return 0;
  projection.apply(tx, events);
  const Checkpoint to{events.back().tx_id, events.back().position};
  const auto moved = tx.exec_params(
      "INSERT INTO public.projection_checkpoints AS c (name, last_tx_id, last_position,"
      " updated_at) VALUES ($1, $2::xid8, $3, now())"
      " ON CONFLICT (name) DO UPDATE SET last_tx_id = EXCLUDED.last_tx_id,"
      " last_position = EXCLUDED.last_position, updated_at = now()"
      " WHERE c.last_tx_id = $4::xid8 AND c.last_position = $5",
      checkpoint_name, std::to_string(to.tx_id), to.position, std::to_string(from.tx_id),
      from.position);
  if (moved.affected_rows() != 1) {
    return Error::conflict("checkpoint " + checkpoint_name + " moved concurrently");
  }
  return static_cast<int>(events.size());
}

void set_checkpoint(pqxx::transaction_base& tx, const std::string& checkpoint_name, Checkpoint to) {
  tx.exec_params(
      "INSERT INTO public.projection_checkpoints (name, last_tx_id, last_position, updated_at)"
      " VALUES ($1, $2::xid8, $3, now()) ON CONFLICT (name) DO UPDATE SET"
      " last_tx_id = EXCLUDED.last_tx_id, last_position = EXCLUDED.last_position,"
      " updated_at = now()",
      checkpoint_name, std::to_string(to.tx_id), to.position);
}

}  // namespace bl
