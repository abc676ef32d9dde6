// Exploration speed: the shipped seed files, and the unscripted seed scaled up in workers and
// fault budget on the multi_thread flavour (the largest state spaces the limits allow).
//
//   cmake -S . -B build-bench -DWAKECHECK_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-bench -j2 && build-bench/bench/wakecheck_bench
#include <benchmark/benchmark.h>

#include <string>

#include "properties/builtins.hpp"
#include "properties/property_file.hpp"
#include "properties/run.hpp"

namespace {

using wakecheck::properties::PropertyFile;

PropertyFile seed_file(const std::string& name) {
  return wakecheck::properties::load_property_file(std::string(WAKECHECK_SOURCE_DIR) +
                                                   "/properties/seed/" + name);
}

/// The unscripted seed with `workers` pausable workers and `pauses` pause faults.
PropertyFile scaled(int workers, int pauses, const char* runtime) {
  const std::string text = std::string(R"({"name": "scaled", "scenario": {"runtime": ")") + runtime +
                           R"(", "resources": [{"name": "m", "kind": "tokio_mutex"}],
      "tasks": [{"name": "main", "program": ["lock m", "spawn worker", "yield_now", "unlock m"]},
                {"name": "worker", "copies": )" +
                           std::to_string(workers) +
                           R"(, "wrapper": "pausable", "program": ["lock m", "sleep", "unlock m"]}],
      "faults": {"pause": {"budget": )" +
                           std::to_string(pauses) + R"(}}},
    "checks": [{"property": "mutual_exclusion"}, {"property": "deadlock_free"},
               {"property": "all_tasks_finish"}, {"property": "waker_contract"}]})";
  return wakecheck::properties::parse_property_file("scaled.json", text);
}

void explore(benchmark::State& bench, const PropertyFile& file) {
  const wakecheck::model::TokioModel model(file.scenario);
  std::uint64_t states = 0;
  for (auto _ : bench) {
    const auto run = wakecheck::properties::run_checks(file, model);
    states = run.stats.states;
    benchmark::DoNotOptimize(run.results.data());
  }
  bench.counters["states"] = static_cast<double>(states);
  bench.counters["states_per_second"] = benchmark::Counter(
      static_cast<double>(states) * static_cast<double>(bench.iterations()), benchmark::Counter::kIsRate);
}

void BM_SeedPausableWorker(benchmark::State& bench) { explore(bench, seed_file("pausable_worker.json")); }
void BM_SeedPauseAnyTime(benchmark::State& bench) { explore(bench, seed_file("pause_any_time.json")); }
void BM_SeedMultiThread(benchmark::State& bench) {
  explore(bench, seed_file("pausable_worker_multi_thread.json"));
}
void BM_ScaledMultiThread(benchmark::State& bench) {
  explore(bench, scaled(static_cast<int>(bench.range(0)), static_cast<int>(bench.range(1)), "multi_thread"));
}

}  // namespace

BENCHMARK(BM_SeedPausableWorker)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SeedPauseAnyTime)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SeedMultiThread)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScaledMultiThread)->Args({4, 1})->Args({5, 2})->Args({6, 2})->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
