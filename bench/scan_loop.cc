// esdb_scanloop: one read operation over every key of a file, repeated, for
// instruction counts under callgrind (wall time on a shared machine is
// noise; instructions per event are not). Only run_op is worth counting:
//
//   valgrind --tool=callgrind --toggle-collect='run_op*'
//            esdb_scanloop FILE scan|new10|idx|idx10|get [REPS=1]
//
// and divide the Ir total by the events it prints. FILE is any file
// esdb_layouts wrote (index field `type`, value `purchase`).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "esdb/esdb.h"

using namespace esdb;

namespace {

struct Op {
  ScanOptions options;
  size_t limit = SIZE_MAX;
};

// Kept out of line so that callgrind can count it alone.
[[gnu::noinline]] uint64_t run_op(const std::vector<Key>& keys, const Op& op, int reps, uint64_t& bytes) {
  uint64_t events = 0;
  for (int r = 0; r < reps; r++) {
    for (const Key& k : keys) {
      size_t m = 0;
      for (const Event& e : k.scan(op.options)) {
        bytes += e.data.size();
        events++;
        if (++m == op.limit) break;
      }
    }
  }
  return events;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: esdb_scanloop FILE scan|new10|idx|idx10|get [REPS]\n");
    return 2;
  }
  const std::string what = argv[2];
  const int reps = argc > 3 ? std::atoi(argv[3]) : 1;
  const IndexEntry purchase{"type", "purchase"};
  Op op;
  if (what == "scan" || what == "get") {
  } else if (what == "new10") {
    op = {{.reverse = true}, 10};
  } else if (what == "idx") {
    op = {{.index = purchase, .reverse = true}};
  } else if (what == "idx10") {
    op = {{.index = purchase, .reverse = true}, 10};
  } else {
    std::fprintf(stderr, "unknown operation %s\n", what.c_str());
    return 2;
  }
  Reader reader = Reader::open(argv[1]);
  std::vector<Key> keys;
  for (const Key& k : reader.keys()) keys.push_back(k);
  uint64_t bytes = 0;
  uint64_t events = run_op(keys, op, reps, bytes);
  std::printf("%s %s: %llu events over %zu keys x %d (%llu data bytes)\n", argv[1], what.c_str(),
              static_cast<unsigned long long>(events), keys.size(), reps, static_cast<unsigned long long>(bytes));
}
