#pragma once
// One end-to-end run, shared by the e2e and scale scenarios: submit `jobs` jobs through
// /v1/jobs (100 per request, 32 clients) into a running pipeline and time first submit → every
// JobSucceeded committed (from then on GET /v1/jobs/{id} answers the result: read-your-writes).

#include "bench/harness/bench_pipeline.hpp"
#include "bench/harness/report.hpp"

namespace bl::bench {

void run_e2e_once(const BenchPipelineOptions& pipeline, int jobs, ScenarioResult& result);

}  // namespace bl::bench
