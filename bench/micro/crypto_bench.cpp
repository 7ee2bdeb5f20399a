// AES-256-GCM seal and open of content (core/crypto.hpp) and API key hashing
// (ingest/api_key.hpp): the per-job and per-request crypto costs.

#include <benchmark/benchmark.h>

#include "core/crypto.hpp"
#include "ingest/api_key.hpp"

namespace bl {
namespace {

DataKeyring bench_keyring() {
  DataKeyring ring;
  (void)ring.add_key("k1", random_bytes(DataKeyring::kKeyBytes));
  (void)ring.set_active("k1");
  return ring;
}

void BM_SealContent(benchmark::State& state) {
  const DataKeyring ring = bench_keyring();
  const std::string plain(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auto box = ring.seal(plain, "0190a0b0-0000-7000-8000-000000000001");
    benchmark::DoNotOptimize(box);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SealContent)->Arg(200)->Arg(4096);

void BM_OpenContent(benchmark::State& state) {
  const DataKeyring ring = bench_keyring();
  const std::string plain(static_cast<std::size_t>(state.range(0)), 'x');
  const auto box = ring.seal(plain, "aad");
  for (auto _ : state) {
    auto opened = ring.open(*box, "aad");
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_OpenContent)->Arg(200)->Arg(4096);

void BM_ApiKeyHash(benchmark::State& state) {
  const std::string pepper = "pepper-" + hex_encode(random_bytes(16));
  const std::string key = generate_api_key();
  for (auto _ : state) {
    std::string h = api_key_hash(pepper, key);
    benchmark::DoNotOptimize(h);
  }
}
BENCHMARK(BM_ApiKeyHash);

}  // namespace
}  // namespace bl
