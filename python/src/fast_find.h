// Reader.find, reader[key] and `key in reader` as plain CPython methods.
// A lookup is a fraction of a microsecond of C++; pybind11's generic
// dispatcher (argument vectors, overload loop, two type-table lookups by
// type name) cost about as much again, so these three bypass it: the Reader
// and Key type records are looked up once, the key is read in place, and
// the found Key is moved into a new pybind11 instance directly.
#pragma once

#include <pybind11/pybind11.h>

namespace esdb::py {

// Replaces the three methods on the registered esdb.Reader class.
void install_fast_find(pybind11::handle reader_class);

}  // namespace esdb::py
