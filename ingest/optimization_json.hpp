#pragma once
// The optimization object (contract 6):
//   {"id","object":"optimization","status","stop_reason","round","rounds","created_at",
//    "models","jobs","spend":{"input_tokens","output_tokens","cost_nano_usd"},
//    "best":{"candidate_id","prompt","train_score","validation_score"} | null,
//    "seed_validation_score",
//    "leaderboard":[{"candidate_id","parent_id","round","prompt","train_score",
//                    "validation_score","scores_by_model":{model: train score}}]}
// The leaderboard is ordered by train score (highest first), then by creation.

#include <string>

#include "core/json.hpp"
#include "workers/optimizer/optimization_store.hpp"

namespace bl {

void write_optimization(JsonWriter& w, const OptimizationSnapshot& snap);
std::string optimization_json(const OptimizationSnapshot& snap);

}  // namespace bl
