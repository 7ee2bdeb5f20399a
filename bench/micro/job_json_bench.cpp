// JSON parse and serialize of one job as POST /v1/jobs carries it.

#include <benchmark/benchmark.h>

#include "core/json.hpp"

namespace bl {
namespace {

constexpr std::string_view kJob =
    R"({"model":"bench-model","custom_id":"job-12345","max_tokens":50,"temperature":0.2,)"
    R"("messages":[{"role":"system","content":"You are a careful assistant. Answer briefly."},)"
    R"({"role":"user","content":"Summarize event sourcing in one sentence, for an engineer."}]})";

void BM_JobJsonParse(benchmark::State& state) {
  for (auto _ : state) {
    auto doc = parse_json(kJob);
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kJob.size()));
}
BENCHMARK(BM_JobJsonParse);

void BM_JobJsonSerialize(benchmark::State& state) {
  auto doc = parse_json(kJob);
  for (auto _ : state) {
    std::string out = to_json(*doc);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kJob.size()));
}
BENCHMARK(BM_JobJsonSerialize);

}  // namespace
}  // namespace bl
