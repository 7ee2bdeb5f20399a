#pragma once
// `batchline mock-llm [flags]`: options from flags, each with a BL_MOCK_* environment fallback.

namespace bl {

int run_mock_command(int argc, char** argv);

}  // namespace bl
