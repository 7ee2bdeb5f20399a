#pragma once
// One page of a projection: read its checkpoint, read the events after it (below the snapshot
// xmin), apply them, move the checkpoint, all in the caller's transaction. The checkpoint
// update checks the old value, so two appliers can never both apply the same page: the loser
// gets kConflict and must roll back.

#include <string>

#include "core/event_log.hpp"
#include "core/result.hpp"
#include "projections/projection.hpp"

namespace bl {

// Checkpoint of a projection (or of a rebuild, named "rebuild:<name>"), (0, 0) when none.
Checkpoint read_checkpoint(pqxx::transaction_base& tx, const std::string& checkpoint_name);
Result<Checkpoint> read_checkpoint(pqxx::connection& conn, const std::string& checkpoint_name);

// Applies up to page_size events in tx; returns how many (0 when caught up). Throws libpqxx
// exceptions like the event log; a moved checkpoint is a kConflict value.
Result<int> apply_page(pqxx::transaction_base& tx, Projection& projection,
                       const std::string& checkpoint_name, int page_size);

// Sets the checkpoint named checkpoint_name to `to` unconditionally.
void set_checkpoint(pqxx::transaction_base& tx, const std::string& checkpoint_name, Checkpoint to);

}  // namespace bl
