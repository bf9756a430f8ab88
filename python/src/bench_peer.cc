// The C++ side of bench/python_bench.py: the same lookups and scan done by a plain
// C++ loop in the same process on the same file, so the Python figures are
// quoted as ratios against a peer measured in the same run (the machine the
// benchmark runs on may be shared; absolute times mean little).
#include <pybind11/stl.h>

#include <time.h>

#include "bindings.h"
#include "esdb/esdb.h"

namespace esdb::py {

namespace pyb = pybind11;

namespace {

// Process CPU time, as the Python side measures with time.process_time():
// on a shared machine wall time also counts the waits for a core.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace

void register_bench_peer(pyb::module_& m) {
  // Finds each key and, if `history`, reads all its events. Returns
  // (seconds, events read).
  m.def("_cpp_lookups", [](const Reader& r, const std::vector<std::string>& keys, bool history) {
    pyb::gil_scoped_release nogil;
    const double t0 = cpu_seconds();
    uint64_t events = 0, bytes = 0;
    for (const std::string& name : keys) {
      auto k = r.find(name);
      if (!k || !history) continue;
      for (const Event& e : k->scan()) {
        events++;
        bytes += e.data.size();
      }
    }
    const double s = cpu_seconds() - t0;
    return std::make_pair(s + (bytes == ~uint64_t{0}), events);
  });
  // Every event of the file, key by key. Returns (seconds, events).
  m.def("_cpp_scan", [](const Reader& r) {
    pyb::gil_scoped_release nogil;
    const double t0 = cpu_seconds();
    uint64_t events = 0, bytes = 0;
    for (const Key& k : r.keys()) {
      for (const Event& e : k.scan()) {
        events++;
        bytes += e.data.size();
      }
    }
    const double s = cpu_seconds() - t0;
    return std::make_pair(s + (bytes == ~uint64_t{0}), events);
  });
}

}  // namespace esdb::py
