// esdb._esdb: the C++ library for Python. The package esdb (__init__.py)
// re-exports it with the pure-Python parts (globs, pandas, Dask).
#include "bindings.h"
#include "errors.h"

PYBIND11_MODULE(_esdb, m) {
  m.doc() = "esdb: immutable per-key event archive files (C++ core).";
  esdb::py::register_errors(m);
  esdb::py::register_scan_iter(m);
  esdb::py::register_writer(m);
  esdb::py::register_reader(m);
  esdb::py::register_columns(m);
  esdb::py::register_bench_peer(m);
  esdb::py::register_archive(m);
}
