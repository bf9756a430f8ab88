// esdb_buildloop: esdb_bench's library build (bench/system.h) of its
// generated events, alone, for instruction counts per thread under
// callgrind (#12): wall time on a shared machine is noise, instructions per
// thread say which stage is the critical path. Only run_build is the build
// on the main thread; every other thread (spill, compression) is the build:
//
//   valgrind --tool=callgrind --separate-threads=yes
//            esdb_buildloop esdb|rocksdb OUT [EVENTS [KEYS [BUDGET_MIB [THREADS [SYNC]]]]]
//
// THREADS is WriterOptions::compression_threads (-1: one per spare core);
// SYNC 1 fsyncs the file as esdb_bench's builds do (default 0). With
// ESDB_BUILD_TIMELINE set, the library prints each thread's stage
// boundaries (lib/build_timeline.h).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "system.h"

using namespace esdb;
using namespace esdb::bench;

namespace {

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

// User and system time of every thread of the process so far: system time
// (the spill file's page cache, the output's writes) is a large share here.
struct Cpu {
  double user, sys;
};
Cpu cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
}

[[gnu::noinline]] void run_build(System& sys, const Dataset& d, const std::string& out) { sys.build(d, out); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: esdb_buildloop esdb|rocksdb OUT [EVENTS [KEYS [BUDGET_MIB [THREADS [SYNC]]]]]\n");
    return 2;
  }
  const std::string system = argv[1], out = argv[2];
  GeneratorOptions g;
  if (argc > 3) g.events = std::strtoull(argv[3], nullptr, 10);
  if (argc > 4) g.keys = std::strtoull(argv[4], nullptr, 10);
  WriterOptions o;
  if (argc > 5) o.memory_budget = std::strtoull(argv[5], nullptr, 10) << 20;
  if (argc > 6) o.compression_threads = std::atoi(argv[6]);
  o.sync = argc > 7 && std::atoi(argv[7]) != 0;  // the bench's builds sync; a profile rarely wants the wait
  const Dataset d = generate(g);
  std::unique_ptr<System> sys = system == "rocksdb" ? make_rocksdb() : make_esdb(o, "esdb");
  const Cpu cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  run_build(*sys, d, out);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Wall time on a shared machine is noise: compare runs made side by side.
  const Cpu cpu1 = cpu_seconds();
  const double user = cpu1.user - cpu0.user, kernel = cpu1.sys - cpu0.sys;
  std::printf("%s: built %zu events of %zu keys into %s: %.2f s wall, %.2f s cpu (user %.2f, sys %.2f)\n",
              system.c_str(), d.events().size(), d.keys().size(), out.c_str(), wall, user + kernel, user, kernel);
}
