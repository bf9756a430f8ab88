// ScanOptions from Python keywords, owning the bytes its views point to.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <string>

#include "convert.h"
#include "esdb/esdb.h"

namespace esdb::py {

struct OwnedScanOptions {
  std::string group, index_name, index_value;
  ScanOptions options;
};

// group: str/bytes/None; index: (name, value) or None; start/end: int or
// None ([start, end)).
inline std::unique_ptr<OwnedScanOptions> scan_options(pyb::handle group, pyb::handle index, pyb::handle start,
                                                      pyb::handle end, bool reverse, bool with_indexes) {
  auto o = std::make_unique<OwnedScanOptions>();
  if (!group.is_none()) {
    o->group = bytes_of(group, "group");
    o->options.group = o->group;
  }
  if (!index.is_none()) {
    pyb::sequence p = pyb::reinterpret_borrow<pyb::sequence>(index);
    if (!PySequence_Check(index.ptr()) || p.size() != 2) throw pyb::type_error("index must be a (name, value) pair");
    o->index_name = bytes_of(p[0], "index name");
    o->index_value = bytes_of(p[1], "index value");
    o->options.index = IndexEntry{o->index_name, o->index_value};
  }
  if (!start.is_none()) o->options.from = start.cast<int64_t>();
  if (!end.is_none()) o->options.to = end.cast<int64_t>();
  o->options.reverse = reverse;
  o->options.with_indexes = with_indexes;
  return o;
}

}  // namespace esdb::py
