// esdb_buildloop: esdb_bench's library build (bench/system.h) of its
// generated events, alone, for instruction counts per thread under
// callgrind (#12): wall time on a shared machine is noise, instructions per
// thread say which stage is the critical path. Only run_build is the build
// on the main thread; every other thread (spill, compression) is the build:
//
//   valgrind --tool=callgrind --separate-threads=yes
//            esdb_buildloop esdb|rocksdb OUT [EVENTS [KEYS [BUDGET_MIB [THREADS]]]]
//
// THREADS is WriterOptions::compression_threads (-1: one per spare core).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "system.h"

using namespace esdb;
using namespace esdb::bench;

namespace {

// User + system time of every thread of the process so far.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

[[gnu::noinline]] void run_build(System& sys, const Dataset& d, const std::string& out) { sys.build(d, out); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: esdb_buildloop esdb|rocksdb OUT [EVENTS [KEYS [BUDGET_MIB [THREADS]]]]\n");
    return 2;
  }
  const std::string system = argv[1], out = argv[2];
  GeneratorOptions g;
  if (argc > 3) g.events = std::strtoull(argv[3], nullptr, 10);
  if (argc > 4) g.keys = std::strtoull(argv[4], nullptr, 10);
  WriterOptions o;
  if (argc > 5) o.memory_budget = std::strtoull(argv[5], nullptr, 10) << 20;
  if (argc > 6) o.compression_threads = std::atoi(argv[6]);
  o.sync = false;  // the bench's builds sync; a profile has no use for the wait
  const Dataset d = generate(g);
  std::unique_ptr<System> sys = system == "rocksdb" ? make_rocksdb() : make_esdb(o, "esdb");
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  run_build(*sys, d, out);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Wall time on a shared machine is noise: compare runs made side by side.
  std::printf("%s: built %zu events of %zu keys into %s: %.2f s wall, %.2f s cpu\n", system.c_str(),
              d.events().size(), d.keys().size(), out.c_str(), wall, cpu_seconds() - cpu0);
}
