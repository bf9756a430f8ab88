// One registration function per noun of the C++ API (module.cc calls them).
#pragma once

#include <pybind11/pybind11.h>

namespace esdb::py {

void register_writer(pybind11::module_& m);
void register_reader(pybind11::module_& m);
void register_scan_iter(pybind11::module_& m);
void register_columns(pybind11::module_& m);
void register_bench_peer(pybind11::module_& m);
void register_archive(pybind11::module_& m);

}  // namespace esdb::py
