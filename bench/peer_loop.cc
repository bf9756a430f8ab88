// esdb_peerloop: one read of esdb_bench (bench/system.h) over every key of a
// file, through the same System code the bench times, for instruction
// counts per key under callgrind: esdb's reads against TrailDB's, same keys,
// same work (#16). Only run_op is worth counting:
//
//   valgrind --tool=callgrind --toggle-collect='*run_op*'
//            esdb_peerloop esdb|traildb PATH KEYS.esdb idx|idx10|new10|get
//
// PATH is the file esdb_bench --keep left for that system (the .tdb path
// without its extension for TrailDB); KEYS.esdb lists the keys (any esdb
// file of the same data, e.g. the bench's default.esdb).
#include <cstdio>
#include <string>
#include <vector>

#include "system.h"

using namespace esdb;
using namespace esdb::bench;

namespace {

[[gnu::noinline]] Sink run_op(System& sys, const std::vector<std::string>& keys, const std::string& op) {
  Sink sink;
  for (const std::string& k : keys) {
    if (op == "idx") {
      sys.index_scan(k, "type", "purchase", UINT64_MAX, sink);
    } else if (op == "idx10") {
      sys.index_scan(k, "type", "purchase", 10, sink);
    } else if (op == "new10") {
      sys.newest(k, 10, sink);
    } else {
      sys.history(k, sink);
    }
  }
  return sink;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: esdb_peerloop esdb|traildb PATH KEYS.esdb idx|idx10|new10|get\n");
    return 2;
  }
  const std::string system = argv[1], op = argv[4];
  std::unique_ptr<System> sys = system == "traildb" ? make_traildb() : make_esdb(WriterOptions{}, "esdb");
  std::vector<std::string> keys;
  {
    Reader r = Reader::open(argv[3]);
    for (const Key& k : r.keys()) keys.emplace_back(k.name());
  }
  sys->open(argv[2]);
  const Sink s = run_op(*sys, keys, op);
  sys->close();
  std::printf("%s %s: %llu events over %zu keys (check %llu)\n", system.c_str(), op.c_str(),
              static_cast<unsigned long long>(s.events), keys.size(), static_cast<unsigned long long>(s.check));
}
