// The C++ side of python/bench.py: the same lookups and scan done by a plain
// C++ loop in the same process on the same file, so the Python figures are
// quoted as ratios against a peer measured in the same run (the machine the
// benchmark runs on may be shared; absolute times mean little).
#include <pybind11/stl.h>

#include <chrono>

#include "bindings.h"
#include "esdb/esdb.h"

namespace esdb::py {

namespace pyb = pybind11;

void register_bench_peer(pyb::module_& m) {
  // Finds each key and, if `history`, reads all its events. Returns
  // (seconds, events read).
  m.def("_cpp_lookups", [](const Reader& r, const std::vector<std::string>& keys, bool history) {
    pyb::gil_scoped_release nogil;
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t events = 0, bytes = 0;
    for (const std::string& name : keys) {
      auto k = r.find(name);
      if (!k || !history) continue;
      for (const Event& e : k->scan()) {
        events++;
        bytes += e.data.size();
      }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::make_pair(s + (bytes == ~uint64_t{0}), events);
  });
  // Every event of the file, key by key. Returns (seconds, events).
  m.def("_cpp_scan", [](const Reader& r) {
    pyb::gil_scoped_release nogil;
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t events = 0, bytes = 0;
    for (const Key& k : r.keys()) {
      for (const Event& e : k.scan()) {
        events++;
        bytes += e.data.size();
      }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::make_pair(s + (bytes == ~uint64_t{0}), events);
  });
}

}  // namespace esdb::py
