#pragma once
// Reads of the batches read model. read_batch() gives read-your-writes: when the projection
// has not reached the batch's latest event, the batch stream is folded over the stored row.

#include <optional>
#include <vector>

#include "core/pg.hpp"
#include "projections/batch_row.hpp"

namespace bl {

// Rows of the read model for these batches (those that exist).
std::vector<BatchRow> load_batch_rows(pqxx::transaction_base& tx, const std::vector<Uuid>& ids);

// The batch as of the log, with the read model's counts; nullopt when it does not exist.
std::optional<BatchRow> read_batch(pqxx::transaction_base& tx, const Uuid& batch);

struct BatchListQuery {
  std::string workspace;
  BatchApi api = BatchApi::kOpenAi;
  std::optional<Uuid> after;  // newest first: batches created before this one
  int limit = 20;
};
// Up to limit + 1 batches, newest first (the extra one tells the caller there are more).
std::vector<BatchRow> list_batches(pqxx::transaction_base& tx, const BatchListQuery& query);

// Batches the batch manager has work for: cancelling ones, in-progress ones whose jobs are all
// terminal or whose window has passed.
std::vector<Uuid> batches_needing_work(pqxx::transaction_base& tx, int limit);

}  // namespace bl
